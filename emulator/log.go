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
//
// Lines are formatted by the goroutine that logs them and appended to a
// buffer; one writer goroutine hands the buffer to w. Under load many lines
// go out in one write, and no gateway, queue or function goroutine waits on
// a terminal or a pipe while holding a lock others need (a mutex held
// across every write call made all of them queue behind a slow writer).
// Order is kept. The buffer is bounded: past maxPending, logging waits for
// the writer. sync waits until every line logged so far is written.
type logger struct {
	w     io.Writer
	json  bool
	quiet bool

	mu       sync.Mutex
	cond     *sync.Cond // signalled when a buffer has been written
	pending  []byte     // lines not yet handed to w
	spare    []byte     // the last written buffer, reused
	logged   uint64     // lines appended
	written  uint64     // lines handed to w
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	start    sync.Once
	stopOnce sync.Once
	started  bool
	closed   bool // the writer has stopped; later lines are written directly
}

const maxPending = 1 << 20

func newLogger(w io.Writer, asJSON, quiet bool) *logger {
	l := &logger{w: w, json: asJSON, quiet: quiet, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// emit queues one formatted line.
func (l *logger) emit(line []byte) {
	l.start.Do(func() {
		l.mu.Lock()
		l.started = true
		l.mu.Unlock()
		go l.run()
	})
	l.mu.Lock()
	for len(l.pending) >= maxPending && !l.closedLocked() {
		l.cond.Wait()
	}
	if l.closedLocked() {
		// After close: write directly, so late lines are not lost.
		l.mu.Unlock()
		_, _ = l.w.Write(line)
		return
	}
	l.pending = append(l.pending, line...)
	l.logged++
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *logger) closedLocked() bool { return l.closed }

func (l *logger) run() {
	defer close(l.done)
	for {
		select {
		case <-l.wake:
		case <-l.stop:
			for {
				l.flushOnce()
				l.mu.Lock()
				if len(l.pending) == 0 {
					l.closed = true
					l.cond.Broadcast()
					l.mu.Unlock()
					return
				}
				l.mu.Unlock()
			}
		}
		l.flushOnce()
	}
}

// flushOnce writes what is pending.
func (l *logger) flushOnce() {
	l.mu.Lock()
	buf, n := l.pending, l.logged
	l.pending = l.spare[:0]
	l.mu.Unlock()
	if len(buf) > 0 {
		_, _ = l.w.Write(buf)
	}
	l.mu.Lock()
	l.spare = buf
	if cap(l.spare) > maxPending {
		l.spare = nil
	}
	l.written = n
	l.cond.Broadcast()
	l.mu.Unlock()
}

// sync waits until every line logged before the call has been written.
func (l *logger) sync() {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	target := l.logged
	for l.started && l.written < target && !l.closedLocked() {
		select {
		case l.wake <- struct{}{}:
		default:
		}
		l.cond.Wait()
	}
}

// close writes what is left and stops the writer.
func (l *logger) close() {
	l.stopOnce.Do(func() {
		l.mu.Lock()
		started := l.started
		l.mu.Unlock()
		if !started {
			return
		}
		close(l.stop)
		<-l.done
	})
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
	if l.json {
		m := map[string]any{"time": now.UTC().Format(time.RFC3339Nano), "event": kind}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		b, _ := json.Marshal(m)
		l.emit(append(b, '\n'))
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
	l.emit([]byte(b.String()))
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
