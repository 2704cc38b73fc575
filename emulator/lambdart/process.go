package lambdart

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Spec describes the function to run.
type Spec struct {
	Path         string            // the built bootstrap executable
	Args         []string          // extra arguments (normally none)
	Env          map[string]string // the function's environment variables
	FunctionName string
	Region       string
	Account      string
	MemoryMB     int
	Timeout      time.Duration
	// Concurrency is the number of execution environments (processes)
	// that may run invocations at once; 0 means 1.
	Concurrency int
	// Log receives the function's output line by line; stream is
	// "stdout" or "stderr", env the execution environment's number.
	Log func(env int, stream, line string)
}

// Pool runs invocations on up to Spec.Concurrency execution environments,
// each a bootstrap process behind its own Runtime API server. Processes
// start on first use (a cold start) and are reused while warm.
//
// Lambda's timeout behaviour is reproduced: when an invocation passes its
// deadline the result is a Sandbox.Timedout error and the process is
// killed, so the next invocation on that environment starts cold, exactly
// as Lambda discards a timed-out sandbox. A process that exits, or posts
// /init/error, fails the invocation it was running (Runtime.ExitError or
// the posted error) and is restarted on the next invocation.
type Pool struct {
	spec   Spec
	idle   chan *env
	envs   []*env
	closed chan struct{}
	once   sync.Once
}

type env struct {
	n   int
	srv *Server

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	started time.Time
}

// NewPool creates the environments' Runtime API servers; no process runs
// until the first Invoke.
func NewPool(spec Spec) (*Pool, error) {
	if spec.Concurrency <= 0 {
		spec.Concurrency = 1
	}
	if spec.Timeout <= 0 {
		spec.Timeout = 3 * time.Second
	}
	if spec.MemoryMB <= 0 {
		spec.MemoryMB = 128
	}
	if spec.Region == "" {
		spec.Region = "us-east-1"
	}
	if spec.Account == "" {
		spec.Account = "000000000000"
	}
	if spec.FunctionName == "" {
		spec.FunctionName = "function"
	}
	p := &Pool{spec: spec, idle: make(chan *env, spec.Concurrency), closed: make(chan struct{})}
	for i := 0; i < spec.Concurrency; i++ {
		srv, err := NewServer()
		if err != nil {
			p.Close()
			return nil, err
		}
		e := &env{n: i + 1, srv: srv}
		p.envs = append(p.envs, e)
		p.idle <- e
	}
	return p, nil
}

// ARN is the function ARN passed as Lambda-Runtime-Invoked-Function-Arn.
func (p *Pool) ARN() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", p.spec.Region, p.spec.Account, p.spec.FunctionName)
}

// Invoke runs one invocation, waiting for a free environment.
func (p *Pool) Invoke(ctx context.Context, payload []byte) Result {
	var e *env
	select {
	case e = <-p.idle:
	case <-ctx.Done():
		return Result{Err: &FunctionError{Type: "Runtime.Cancelled", Message: ctx.Err().Error()}}
	case <-p.closed:
		return Result{Err: &FunctionError{Type: "Runtime.Unknown", Message: errClosed.Error()}}
	}
	defer func() { p.idle <- e }()
	cold, err := p.ensureStarted(e)
	if err != nil {
		return Result{RequestID: newUUID(), Err: &FunctionError{Type: "Runtime.InvalidEntrypoint", Message: err.Error()}}
	}
	r := e.srv.Invoke(ctx, newUUID(), p.ARN(), payload, p.spec.Timeout)
	r.Cold = cold
	if r.TimedOut || e.srv.Failed() != nil {
		p.stop(e)
	}
	return r
}

// Env returns the environment the function process sees for a Runtime API
// address: Lambda's reserved variables, dummy credentials, then the
// function's own variables (which cannot override the Runtime API).
func (p *Pool) Env(runtimeAPI string) []string {
	s := p.spec
	m := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        s.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(s.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + s.FunctionName,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[$LATEST]local",
		"AWS_REGION":                      s.Region,
		"AWS_DEFAULT_REGION":              s.Region,
		"AWS_ACCESS_KEY_ID":               "AKIDLOCALEMULATOR",
		"AWS_SECRET_ACCESS_KEY":           "local-emulator-secret",
		"AWS_SESSION_TOKEN":               "local-emulator-token",
		"AWS_EC2_METADATA_DISABLED":       "true",
		"_HANDLER":                        filepath.Base(s.Path),
		"LAMBDA_TASK_ROOT":                filepath.Dir(s.Path),
		"LAMBDA_RUNTIME_DIR":              filepath.Dir(s.Path),
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
	for k, v := range s.Env {
		m[k] = v
	}
	m["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(m))
	for _, k := range keys {
		out = append(out, k+"="+m[k])
	}
	return out
}

func (p *Pool) ensureStarted(e *env) (cold bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cmd != nil {
		select {
		case <-e.exited:
			e.cmd = nil
		default:
			return false, nil
		}
	}
	e.srv.Reset()
	cmd := exec.Command(p.spec.Path, p.spec.Args...)
	cmd.Dir = filepath.Dir(p.spec.Path)
	cmd.Env = p.Env(e.srv.Addr())
	cmd.Stdout = newLineWriter(func(l string) { p.log(e.n, "stdout", l) })
	cmd.Stderr = newLineWriter(func(l string) { p.log(e.n, "stderr", l) })
	// A child that inherited the output pipes must not keep Wait (and
	// Close) blocked.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return false, err
	}
	exited := make(chan struct{})
	e.cmd, e.exited, e.started = cmd, exited, time.Now()
	go func() {
		err := cmd.Wait()
		cmd.Stdout.(*lineWriter).flush()
		cmd.Stderr.(*lineWriter).flush()
		msg := "Runtime exited without providing a reason"
		if err != nil {
			msg = "Runtime exited with error: " + err.Error()
		}
		e.srv.Down(&FunctionError{Type: "Runtime.ExitError", Message: msg})
		close(exited)
	}()
	return true, nil
}

func (p *Pool) log(n int, stream, line string) {
	if p.spec.Log != nil {
		p.spec.Log(n, stream, line)
	}
}

// stop kills e's process and waits for it.
func (p *Pool) stop(e *env) {
	e.mu.Lock()
	cmd, exited := e.cmd, e.exited
	e.cmd = nil
	e.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

// Close kills every process and stops every Runtime API server.
func (p *Pool) Close() {
	p.once.Do(func() {
		close(p.closed)
		for _, e := range p.envs {
			p.stop(e)
			e.srv.Close()
		}
	})
}

// lineWriter turns a byte stream into lines. Very long lines are split so
// a function printing without newlines cannot grow memory without bound.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	out func(string)
}

const maxLine = 256 << 10

func newLineWriter(out func(string)) *lineWriter { return &lineWriter{out: out} }

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	for {
		data := w.buf.Bytes()
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(data) >= maxLine {
				w.out(string(data[:maxLine]))
				w.buf.Next(maxLine)
				continue
			}
			return len(b), nil
		}
		w.out(string(bytes.TrimSuffix(data[:i], []byte("\r"))))
		w.buf.Next(i + 1)
	}
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() > 0 {
		w.out(w.buf.String())
		w.buf.Reset()
	}
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
