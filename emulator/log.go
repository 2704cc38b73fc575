package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/wsqgen/wsqgen/emulator/lambdart"
)

// logger writes the live log: one line per event, readable or JSON.
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	json  bool
	quiet bool
}

func newLogger(w io.Writer, asJSON, quiet bool) *logger {
	return &logger{w: w, json: asJSON, quiet: quiet}
}

// important events survive Quiet: they are the ones a developer must see.
var important = map[string]bool{
	"ready": true, "retry": true, "dlq": true, "enqueue-failed": true, "template-error": true,
	"bad-request": true, "reply-gone": true, "reply-too-large": true, "fault": true,
	"connect-refused": true, "delete-failed": true, "function-error": true, "function": true,
}

func (l *logger) event(kind string, kv ...any) {
	if l.w == nil || l.quiet && !important[kind] {
		return
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.json {
		m := map[string]any{"time": now.UTC().Format(time.RFC3339Nano), "event": kind}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		b, _ := json.Marshal(m)
		_, _ = l.w.Write(append(b, '\n'))
		return
	}
	var b strings.Builder
	b.WriteString(now.Format("15:04:05.000"))
	b.WriteByte(' ')
	fmt.Fprintf(&b, "%-15s", kind)
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		s := fmt.Sprint(v)
		if str, ok := v.(string); ok && (strings.ContainsAny(str, " \t\n\"") || str == "") {
			q, _ := json.Marshal(str)
			s = string(q)
		}
		fmt.Fprintf(&b, " %v=%s", kv[i], s)
	}
	b.WriteByte('\n')
	_, _ = io.WriteString(l.w, b.String())
}

func (l *logger) function(env int, stream, line string) {
	l.event("function", "env", env, "stream", stream, "line", line)
}

// invocation logs Lambda's START/END/REPORT triplet as one line.
func (l *logger) invocation(r lambdart.Result) {
	kv := []any{"requestId", r.RequestID, "duration", r.Duration.Round(time.Millisecond).String()}
	if r.Cold {
		kv = append(kv, "cold", true)
	}
	if r.Err != nil && r.Err.Type == "Runtime.Cancelled" {
		return // shutting down
	}
	if r.Err != nil {
		kv = append(kv, "errorType", r.Err.Type, "error", r.Err.Message)
		l.event("function-error", kv...)
		return
	}
	l.event("invoke", kv...)
}
