package lambdart

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClient plays the function in-process: it fetches one invocation and
// answers it with respond.
func fakeClient(t *testing.T, addr string, respond func(id string, payload []byte, h http.Header) (path string, body string)) chan int {
	t.Helper()
	status := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/2018-06-01/runtime/invocation/next")
		if err != nil {
			status <- -1
			return
		}
		payload, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		path, body := respond(id, payload, resp.Header)
		r, err := http.Post("http://"+addr+"/2018-06-01/runtime"+path, "application/json", strings.NewReader(body))
		if err != nil {
			status <- -1
			return
		}
		r.Body.Close()
		status <- r.StatusCode
	}()
	return status
}

func TestServerResponseAndHeaders(t *testing.T) {
	s, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var hdr http.Header
	st := fakeClient(t, s.Addr(), func(id string, p []byte, h http.Header) (string, string) {
		hdr = h
		return "/invocation/" + id + "/response", `{"echo":` + string(p) + `}`
	})
	before := time.Now()
	r := s.Invoke(context.Background(), "req-1", "arn:aws:lambda:us-east-1:000000000000:function:f", []byte(`"hi"`), 5*time.Second)
	if r.Err != nil || string(r.Payload) != `{"echo":"hi"}` || r.RequestID != "req-1" {
		t.Fatalf("result %+v", r)
	}
	if code := <-st; code != http.StatusAccepted {
		t.Errorf("/response status %d, want 202", code)
	}
	if hdr.Get("Lambda-Runtime-Aws-Request-Id") != "req-1" || hdr.Get("Lambda-Runtime-Invoked-Function-Arn") != "arn:aws:lambda:us-east-1:000000000000:function:f" {
		t.Errorf("headers %v", hdr)
	}
	dl, _ := strconv.ParseInt(hdr.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if d := time.UnixMilli(dl).Sub(before); d < 4900*time.Millisecond || d > 5100*time.Millisecond {
		t.Errorf("deadline %v from start, want ~5s", d)
	}
}

func TestServerErrorUnknownIDAndTimeout(t *testing.T) {
	s, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := fakeClient(t, s.Addr(), func(id string, _ []byte, _ http.Header) (string, string) {
		return "/invocation/" + id + "/error", `{"errorType":"Boom","errorMessage":"bad"}`
	})
	r := s.Invoke(context.Background(), "r2", "arn", []byte(`{}`), 5*time.Second)
	if r.Err == nil || r.Err.Type != "Boom" || r.Err.Message != "bad" {
		t.Fatalf("error result %+v", r)
	}
	<-st

	st = fakeClient(t, s.Addr(), func(id string, _ []byte, _ http.Header) (string, string) {
		return "/invocation/not-" + id + "/response", `{}`
	})
	r = s.Invoke(context.Background(), "r3", "arn", []byte(`{}`), 300*time.Millisecond)
	if code := <-st; code != http.StatusBadRequest {
		t.Errorf("unknown id status %d, want 400", code)
	}
	if !r.TimedOut || r.Err.Type != "Sandbox.Timedout" || !strings.Contains(r.Err.Message, "Task timed out after 0.30 seconds") {
		t.Fatalf("timeout result %+v", r)
	}
}

func TestServerInitErrorTakesEnvironmentDown(t *testing.T) {
	s, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Post("http://"+s.Addr()+"/2018-06-01/runtime/init/error", "application/json", strings.NewReader(`{"errorType":"Init","errorMessage":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := s.Invoke(context.Background(), "r", "arn", nil, time.Second)
	if r.Err == nil || r.Err.Type != "Init" {
		t.Fatalf("after init error: %+v", r)
	}
	s.Reset()
	st := fakeClient(t, s.Addr(), func(id string, _ []byte, _ http.Header) (string, string) {
		return "/invocation/" + id + "/response", `1`
	})
	if r := s.Invoke(context.Background(), "r", "arn", nil, 5*time.Second); r.Err != nil {
		t.Fatalf("after reset: %+v", r)
	}
	<-st
}

var fnPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdart")
	if err != nil {
		panic(err)
	}
	fnPath = filepath.Join(dir, "bootstrap")
	out, err := exec.Command("go", "build", "-o", fnPath, "./testdata/fn").CombinedOutput()
	if err != nil {
		panic("building test function: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) log(_ int, stream, line string) {
	l.mu.Lock()
	l.lines = append(l.lines, stream+": "+line)
	l.mu.Unlock()
}

func (l *logSink) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.lines {
		if x == s {
			return true
		}
	}
	return false
}

func TestPoolRunsRealProcess(t *testing.T) {
	sink := &logSink{}
	p, err := NewPool(Spec{Path: fnPath, FunctionName: "fn", Region: "eu-west-1", Timeout: time.Second,
		Env: map[string]string{"CALLBACK_ENDPOINT": "http://127.0.0.1:1/prod", "AWS_LAMBDA_RUNTIME_API": "evil"}, Log: sink.log})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()

	r := p.Invoke(ctx, []byte(`{"a":1}`))
	if r.Err != nil || string(r.Payload) != `{"a":1}` || !r.Cold {
		t.Fatalf("echo: %+v", r)
	}
	r = p.Invoke(ctx, []byte("env"))
	if r.Err != nil || r.Cold {
		t.Fatalf("env: %+v", r)
	}
	var env map[string]string
	if err := json.Unmarshal(r.Payload, &env); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"CALLBACK_ENDPOINT": "http://127.0.0.1:1/prod", "AWS_REGION": "eu-west-1",
		"AWS_LAMBDA_FUNCTION_NAME": "fn", "arn": "arn:aws:lambda:eu-west-1:000000000000:function:fn", "_HANDLER": "bootstrap"} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	if env["AWS_LAMBDA_RUNTIME_API"] == "evil" || !strings.HasPrefix(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("runtime API %q", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if env["AWS_ACCESS_KEY_ID"] == "" || env["HOME"] != "" {
		t.Errorf("credentials/inheritance: key %q HOME %q", env["AWS_ACCESS_KEY_ID"], env["HOME"])
	}
	pid := env["pid"]

	if r := p.Invoke(ctx, []byte("print")); r.Err != nil {
		t.Fatal(r.Err)
	}
	waitFor(t, func() bool { return sink.has("stdout: to stdout") && sink.has("stderr: to stderr") })

	if r := p.Invoke(ctx, []byte("error")); r.Err == nil || r.Err.Type != "Boom" {
		t.Fatalf("error: %+v", r)
	}
	// Errors keep the environment warm.
	r = p.Invoke(ctx, []byte("env"))
	_ = json.Unmarshal(r.Payload, &env)
	if env["pid"] != pid {
		t.Fatal("function error restarted the process")
	}

	start := time.Now()
	r = p.Invoke(ctx, []byte("sleep"))
	if !r.TimedOut || time.Since(start) > 3*time.Second {
		t.Fatalf("timeout: %+v after %v", r, time.Since(start))
	}
	r = p.Invoke(ctx, []byte("env"))
	_ = json.Unmarshal(r.Payload, &env)
	if !r.Cold || env["pid"] == pid {
		t.Fatalf("timed-out environment was reused: cold=%v", r.Cold)
	}

	r = p.Invoke(ctx, []byte("crash"))
	if r.Err == nil || r.Err.Type != "Runtime.ExitError" || !strings.Contains(r.Err.Message, "exit status 3") {
		t.Fatalf("crash: %+v", r)
	}
	if r := p.Invoke(ctx, []byte(`"again"`)); r.Err != nil || !r.Cold {
		t.Fatalf("after crash: %+v", r)
	}
}

func TestPoolInitErrorAndBadPath(t *testing.T) {
	p, err := NewPool(Spec{Path: fnPath, Timeout: 2 * time.Second, Env: map[string]string{"FAIL_INIT": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := p.Invoke(context.Background(), []byte("x"))
	if r.Err == nil || r.Err.Type != "InitBroken" {
		t.Fatalf("init error: %+v", r)
	}
	q, err := NewPool(Spec{Path: filepath.Join(t.TempDir(), "missing")})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if r := q.Invoke(context.Background(), nil); r.Err == nil || r.Err.Type != "Runtime.InvalidEntrypoint" {
		t.Fatalf("missing bootstrap: %+v", r)
	}
}

func TestPoolConcurrency(t *testing.T) {
	p, err := NewPool(Spec{Path: fnPath, Timeout: 5 * time.Second, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var wg sync.WaitGroup
	pids := sync.Map{}
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := p.Invoke(context.Background(), []byte("env"))
			var env map[string]string
			if r.Err != nil || json.Unmarshal(r.Payload, &env) != nil {
				t.Errorf("invoke: %+v", r)
				return
			}
			pids.Store(env["pid"], true)
		}()
	}
	wg.Wait()
	n := 0
	pids.Range(func(_, _ any) bool { n++; return true })
	if n < 1 || n > 3 {
		t.Fatalf("%d processes for concurrency 3", n)
	}
}

func waitFor(t *testing.T, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
