package lambdart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxResponseSize is Lambda's synchronous response payload limit.
const MaxResponseSize = 6 << 20

// FunctionError is a failed invocation as Lambda reports it.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Result is the outcome of one invocation.
type Result struct {
	RequestID string
	Payload   []byte         // the function's response, when Err is nil
	Err       *FunctionError // set for /error, init errors, timeouts, crashes
	TimedOut  bool
	Cold      bool // the environment's process was started for this invocation
	Duration  time.Duration
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	arn      string
	done     chan Result // buffered 1; the first outcome wins
	start    time.Time
	once     sync.Once
}

func (inv *invocation) finish(r Result) {
	inv.once.Do(func() {
		r.RequestID = inv.id
		r.Duration = time.Since(inv.start)
		inv.done <- r
	})
}

// Server is one execution environment's Lambda Runtime API
// (2018-06-01): the function process long-polls /invocation/next and
// answers on /invocation/{id}/response or /error, or reports a failed
// init on /init/error. It serves one invocation at a time.
type Server struct {
	ln  net.Listener
	srv *http.Server

	pending chan *invocation // handed to the next /next call
	closed  chan struct{}
	once    sync.Once
	serveWG sync.WaitGroup

	mu      sync.Mutex
	current *invocation    // delivered to the function, not yet answered
	down    chan struct{}  // closed when the environment failed (crash, init error)
	downErr *FunctionError // why
}

// NewServer listens on a fresh 127.0.0.1 port.
func NewServer() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, pending: make(chan *invocation), closed: make(chan struct{}), down: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.initError)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the value for AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server; a running invocation fails.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		s.Abort(&FunctionError{Type: "Runtime.Unknown", Message: "execution environment shut down"})
		_ = s.srv.Close()
		s.serveWG.Wait()
	})
}

// Abort fails the invocation in progress (ctx cancelled, shutdown).
func (s *Server) Abort(err *FunctionError) {
	s.mu.Lock()
	cur := s.current
	s.current = nil
	s.mu.Unlock()
	if cur != nil {
		cur.finish(Result{Err: err})
	}
}

// Down marks the environment failed (the process exited, or init failed):
// the invocation in progress and any waiting for /next fail with err until
// Reset.
func (s *Server) Down(err *FunctionError) {
	s.mu.Lock()
	select {
	case <-s.down:
	default:
		s.downErr = err
		close(s.down)
	}
	cur := s.current
	s.current = nil
	s.mu.Unlock()
	if cur != nil {
		cur.finish(Result{Err: err})
	}
}

// Failed returns the error that took the environment down, if any.
func (s *Server) Failed() *FunctionError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downErr
}

// Reset readies the server for a fresh process.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.down:
		s.down = make(chan struct{})
	default:
	}
	s.downErr = nil
	s.current = nil
}

// Invoke hands payload to the function and waits for its answer, the
// deadline, or ctx. On timeout the result has TimedOut set; the caller
// must reset the environment (Lambda discards a timed-out sandbox).
func (s *Server) Invoke(ctx context.Context, id, functionARN string, payload []byte, timeout time.Duration) Result {
	inv := &invocation{id: id, payload: payload, arn: functionARN, done: make(chan Result, 1), start: time.Now()}
	inv.deadline = inv.start.Add(timeout)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	timedOut := func() Result {
		s.mu.Lock()
		if s.current == inv {
			s.current = nil
		}
		s.mu.Unlock()
		inv.finish(Result{TimedOut: true, Err: &FunctionError{Type: "Sandbox.Timedout",
			Message: fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds())}})
		return <-inv.done
	}
	s.mu.Lock()
	down, downErr := s.down, s.downErr
	s.mu.Unlock()
	if downErr != nil {
		inv.finish(Result{Err: downErr})
		return <-inv.done
	}
	select {
	case s.pending <- inv:
	case <-down:
		inv.finish(Result{Err: s.Failed()})
		return <-inv.done
	case <-timer.C:
		return timedOut()
	case <-ctx.Done():
		inv.finish(Result{Err: &FunctionError{Type: "Runtime.Cancelled", Message: ctx.Err().Error()}})
		return <-inv.done
	case <-s.closed:
		inv.finish(Result{Err: &FunctionError{Type: "Runtime.Unknown", Message: "execution environment shut down"}})
		return <-inv.done
	}
	select {
	case r := <-inv.done:
		return r
	case <-down:
		inv.finish(Result{Err: s.Failed()}) // no-op if Down already finished it
		return <-inv.done
	case <-timer.C:
		return timedOut()
	case <-ctx.Done():
		s.Abort(&FunctionError{Type: "Runtime.Cancelled", Message: ctx.Err().Error()})
		return <-inv.done
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	select {
	case inv := <-s.pending:
		s.mu.Lock()
		s.current = inv
		s.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.arn)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(inv.start.Unix(), 16)+"-"+strings.ReplaceAll(newUUID(), "-", "")[:24]+";Sampled=0")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	case <-s.closed:
		http.Error(w, "shutting down", http.StatusGone)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// take returns the current invocation if id names it.
func (s *Server) take(id string) *invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || s.current.id != id {
		return nil
	}
	cur := s.current
	s.current = nil
	return cur
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseSize+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, FunctionError{"InvalidRequest", err.Error()})
		return
	}
	inv := s.take(r.PathValue("id"))
	if inv == nil {
		writeJSON(w, http.StatusBadRequest, FunctionError{"InvalidRequestID", "Invalid request ID"})
		return
	}
	if len(body) > MaxResponseSize {
		inv.finish(Result{Err: &FunctionError{"Function.ResponseSizeTooLarge", fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseSize)}})
		writeJSON(w, http.StatusRequestEntityTooLarge, FunctionError{"RequestEntityTooLarge", "response too large"})
		return
	}
	inv.finish(Result{Payload: body})
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func readFunctionError(r *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	fe := &FunctionError{}
	if err := json.Unmarshal(body, fe); err != nil || fe.Type == "" && fe.Message == "" {
		fe = &FunctionError{Message: string(body)}
	}
	if t := r.Header.Get("Lambda-Runtime-Function-Error-Type"); t != "" && fe.Type == "" {
		fe.Type = t
	}
	if fe.Type == "" {
		fe.Type = "Runtime.Unknown"
	}
	return fe
}

func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	fe := readFunctionError(r)
	inv := s.take(r.PathValue("id"))
	if inv == nil {
		writeJSON(w, http.StatusBadRequest, FunctionError{"InvalidRequestID", "Invalid request ID"})
		return
	}
	inv.finish(Result{Err: fe})
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	fe := readFunctionError(r)
	s.Down(fe)
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

// errClosed is returned by Pool.Invoke after Close.
var errClosed = errors.New("lambdart: closed")
