package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wsqgen/wsqgen/emulator/dynamo"
	"github.com/wsqgen/wsqgen/emulator/esm"
	"github.com/wsqgen/wsqgen/emulator/gateway"
	"github.com/wsqgen/wsqgen/emulator/lambdart"
	"github.com/wsqgen/wsqgen/emulator/schema"
	"github.com/wsqgen/wsqgen/emulator/sqs"
	"github.com/wsqgen/wsqgen/emulator/vtl"
)

// FunctionSpec is the function the event source mapping invokes.
type FunctionSpec struct {
	// Path is the built bootstrap executable. Empty means no function:
	// messages stay in the queue (useful to inspect what the gateway
	// enqueues).
	Path string
	// Env holds the function's configured environment variables, as the
	// IaC sets them. The emulator adds CALLBACK_ENDPOINT, AWS_REGION and
	// dummy credentials (and CONNECTIONS_TABLE and
	// AWS_ENDPOINT_URL_DYNAMODB with Broadcast); its values win.
	Env      map[string]string
	Name     string // function name; default "function"
	MemoryMB int
	// Concurrency is the number of execution environments (function
	// processes) and of batches in flight at once; default 1.
	// ProjectConfig sets DefaultConcurrency.
	Concurrency int
}

// DefaultConcurrency is the number of execution environments `wsqgen dev`
// runs: Lambda starts an SQS event source mapping with five concurrent
// batches ("Lambda starts processing five batches at a time with five
// concurrent invocations of your function", Lambda developer guide,
// "Configuring scaling behavior for SQS event source mappings") and scales
// from there; the emulator does not model the scaling and keeps five. On
// a FIFO queue each batch still waits for its groups, so fewer groups than
// environments leave some idle, as on AWS. On a 2-core machine five
// carried 1,000 connections at 2,000 round trips per second (measure with
// cmd/wsqload); fewer let batches queue behind each other, more only add
// processes competing for the same cores.
const DefaultConcurrency = 5

// Limits are API Gateway's WebSocket quotas; zero fields take AWS's values.
type Limits = gateway.Limits

// Faults are switches for tests. Each predicate sees a message body (or
// connection id); nil means never.
type Faults struct {
	// FailItem makes the function report the matching record in
	// batchItemFailures without running it (the rest of the batch runs).
	FailItem func(body string) bool
	// FailBatch makes an invocation whose batch holds a matching record
	// fail with a function error, without running the function.
	FailBatch func(body string) bool
	// TimeoutBatch makes such an invocation time out after
	// FunctionTimeout, without running the function.
	TimeoutBatch func(body string) bool
	// RejectSend makes SQS answer SendMessage with 500 InternalFailure.
	RejectSend func(body string) bool
	// DropBeforeReply closes the client's socket when the function posts
	// to it, so the post gets 410 GoneException.
	DropBeforeReply func(connectionID string) bool
}

// BodyContains is a convenience predicate for Faults.
func BodyContains(s string) func(string) bool {
	return func(body string) bool { return strings.Contains(body, s) }
}

// Config configures the emulator. The lead fills it from the project's
// recorded answers and files.
type Config struct {
	Addr           string // "127.0.0.1:0" by default; must be a loopback address
	Stage          string // default "prod"
	Region         string // default "us-east-1"
	Account        string // default "000000000000"
	APIID          string // default "local"
	RouteSelection string // default "$request.body.action"

	// RequestTemplate is the text of api/sqs-request.vtl. Trailing
	// newlines are removed, as Terraform's chomp() removes them before
	// deploying.
	RequestTemplate string
	// RequestModel is the $default route's JSON Schema (draft-04);
	// nil means no request validation.
	RequestModel []byte
	// Ack makes $default two-way: the SQS response is rendered through
	// AckTemplate (2xx) or ErrorTemplate (otherwise) and sent back.
	Ack                        bool
	AckTemplate, ErrorTemplate string
	QueueName                  string // default "queue" (+".fifo")
	FIFO                       bool
	ContentDedup               bool
	VisibilityTimeout          time.Duration // default 30s
	MaxMessageSize             int           // SQS MaximumMessageSize; default 256 KiB
	MaxReceiveCount            int           // > 0 adds a dead-letter queue
	BatchSize                  int           // default 10
	BatchWindow                time.Duration // standard queues only
	FunctionTimeout            time.Duration // default 3s
	ReportBatchItemFailures    bool          // the generated ESM enables it
	Broadcast                  bool          // emulate the connection registry table
	ConnectionsTable           string        // default "connections"
	Function                   FunctionSpec
	Limits                     Limits
	Faults                     Faults
	Log                        io.Writer // nil discards the log
	JSON                       bool      // one JSON object per log line
	Quiet                      bool      // log only retries, dead letters, errors and function output
}

// Emulator is a running local stack.
type Emulator struct {
	cfg      Config
	ln       net.Listener
	srv      *http.Server
	log      *logger
	gw       *gateway.Gateway
	queue    *sqs.Queue
	dlq      *sqs.Queue
	registry *dynamo.Table
	pool     *lambdart.Pool
	mapping  *esm.Mapping

	done      chan struct{}
	closeOnce sync.Once
	serveWG   sync.WaitGroup
}

func (c *Config) defaults() error {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("emulator: address %q: %w", c.Addr, err)
	}
	if host == "localhost" {
		c.Addr = strings.Replace(c.Addr, "localhost", "127.0.0.1", 1)
	} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("emulator: refusing to listen on %q: only loopback addresses are allowed", c.Addr)
	}
	set := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	set(&c.Stage, "prod")
	set(&c.Region, "us-east-1")
	set(&c.Account, "000000000000")
	set(&c.APIID, "local")
	set(&c.RouteSelection, "$request.body.action")
	set(&c.ConnectionsTable, "connections")
	set(&c.QueueName, "queue")
	if c.FIFO && !strings.HasSuffix(c.QueueName, ".fifo") {
		c.QueueName += ".fifo"
	}
	if strings.ContainsAny(c.Stage, "/?#%") {
		return fmt.Errorf("emulator: invalid stage name %q", c.Stage)
	}
	if c.VisibilityTimeout <= 0 {
		c.VisibilityTimeout = 30 * time.Second
	}
	if c.FunctionTimeout <= 0 {
		c.FunctionTimeout = 3 * time.Second
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 10
	}
	if c.Function.Concurrency <= 0 {
		c.Function.Concurrency = 1
	}
	d := gateway.DefaultLimits()
	if c.Limits.MaxMessage <= 0 {
		c.Limits.MaxMessage = d.MaxMessage
	}
	if c.Limits.MaxFrame <= 0 {
		c.Limits.MaxFrame = d.MaxFrame
	}
	if c.Limits.IdleTimeout <= 0 {
		c.Limits.IdleTimeout = d.IdleTimeout
	}
	if c.Limits.MaxDuration <= 0 {
		c.Limits.MaxDuration = d.MaxDuration
	}
	if c.Limits.WriteTimeout <= 0 {
		c.Limits.WriteTimeout = d.WriteTimeout
	}
	// The checks Lambda makes when the event source mapping is created.
	if c.Function.Path != "" && c.FunctionTimeout > c.VisibilityTimeout {
		return fmt.Errorf("emulator: function timeout (%v) is greater than the queue visibility timeout (%v); Lambda refuses this event source mapping", c.FunctionTimeout, c.VisibilityTimeout)
	}
	if c.FIFO && c.BatchSize > 10 {
		return fmt.Errorf("emulator: batch size %d: FIFO queues allow at most 10", c.BatchSize)
	}
	if c.FIFO && c.BatchWindow > 0 {
		return errors.New("emulator: a batching window is not supported for FIFO queues")
	}
	if !c.FIFO && c.BatchSize > 10 && c.BatchWindow < time.Second {
		return fmt.Errorf("emulator: batch size %d needs a batching window of at least 1s", c.BatchSize)
	}
	if c.BatchSize > 10000 {
		return fmt.Errorf("emulator: batch size %d: at most 10000", c.BatchSize)
	}
	return nil
}

// chomp removes trailing newlines as Terraform's chomp() does.
func chomp(s string) string { return strings.TrimRight(s, "\r\n") }

func parseTemplate(name, src string) (*vtl.Template, error) {
	t, err := vtl.Parse(chomp(src))
	if err != nil {
		return nil, fmt.Errorf("emulator: %s: %w", name, err)
	}
	return t, nil
}

// Start starts the emulator. It stops when ctx ends or Close is called.
func Start(ctx context.Context, cfg Config) (*Emulator, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	e := &Emulator{cfg: cfg, done: make(chan struct{})}
	e.log = newLogger(cfg.Log, cfg.JSON, cfg.Quiet)

	route := &gateway.Route{TwoWay: cfg.Ack}
	var err error
	if route.RequestTemplate, err = parseTemplate("request template", cfg.RequestTemplate); err != nil {
		return nil, err
	}
	if cfg.Ack {
		if strings.TrimSpace(cfg.AckTemplate) != "" {
			if route.AckTemplate, err = parseTemplate("ack template", cfg.AckTemplate); err != nil {
				return nil, err
			}
		}
		if strings.TrimSpace(cfg.ErrorTemplate) != "" {
			if route.ErrorTemplate, err = parseTemplate("error template", cfg.ErrorTemplate); err != nil {
				return nil, err
			}
		}
	}
	if len(cfg.RequestModel) > 0 {
		if route.Model, err = schema.Compile(cfg.RequestModel); err != nil {
			return nil, fmt.Errorf("emulator: request model: %w", err)
		}
	}

	if cfg.MaxReceiveCount > 0 {
		dlqName := strings.TrimSuffix(cfg.QueueName, ".fifo") + "-dlq"
		if cfg.FIFO {
			dlqName += ".fifo"
		}
		e.dlq = sqs.New(sqs.Config{Name: dlqName, Region: cfg.Region, Account: cfg.Account, FIFO: cfg.FIFO, VisibilityTimeout: cfg.VisibilityTimeout})
	}
	e.queue = sqs.New(sqs.Config{
		Name: cfg.QueueName, Region: cfg.Region, Account: cfg.Account, FIFO: cfg.FIFO, ContentDedup: cfg.ContentDedup,
		VisibilityTimeout: cfg.VisibilityTimeout, MaxMessageSize: cfg.MaxMessageSize, MaxReceiveCount: cfg.MaxReceiveCount, DLQ: e.dlq,
		OnDeadLetter: func(m sqs.Message) {
			e.log.event("dlq", "messageId", m.ID, "receiveCount", m.ReceiveCount, "body", clip(m.Body))
		},
	})
	route.Integration = e.sendMessage

	gcfg := gateway.Config{
		Stage: cfg.Stage, APIID: cfg.APIID, Region: cfg.Region, Account: cfg.Account,
		RouteSelection: cfg.RouteSelection, Routes: map[string]*gateway.Route{"$default": route},
		Limits: cfg.Limits, Log: e.log.event,
	}
	if cfg.Broadcast {
		e.registry = dynamo.NewTable(cfg.ConnectionsTable, "connectionId")
		gcfg.OnConnect = func(c *gateway.Conn) error {
			return e.registry.Put(dynamo.Item{"connectionId": dynamo.S(c.ID), "connectedAt": dynamo.N(c.ConnectedAt.UnixMilli())})
		}
		gcfg.OnDisconnect = func(c *gateway.Conn, _ int, _ string) { e.registry.Delete(c.ID) }
	}
	if f := cfg.Faults.DropBeforeReply; f != nil {
		gcfg.BeforePost = func(c *gateway.Conn) bool { return f(c.ID) }
	}
	e.gw = gateway.New(gcfg)

	e.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		e.gw.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	e.srv = &http.Server{Handler: http.HandlerFunc(e.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	e.serveWG.Add(1)
	go func() {
		defer e.serveWG.Done()
		_ = e.srv.Serve(e.ln)
	}()

	if cfg.Function.Path != "" {
		env := map[string]string{}
		for k, v := range cfg.Function.Env {
			env[k] = v
		}
		env["CALLBACK_ENDPOINT"] = e.CallbackURL()
		if cfg.Broadcast {
			env["CONNECTIONS_TABLE"] = cfg.ConnectionsTable
			env["AWS_ENDPOINT_URL_DYNAMODB"] = "http://" + e.ln.Addr().String()
		}
		e.pool, err = lambdart.NewPool(lambdart.Spec{
			Path: cfg.Function.Path, Env: env, FunctionName: cfg.Function.Name, Region: cfg.Region, Account: cfg.Account,
			MemoryMB: cfg.Function.MemoryMB, Timeout: cfg.FunctionTimeout, Concurrency: cfg.Function.Concurrency,
			Log: func(n int, stream, line string) { e.log.function(n, stream, line) },
		})
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("emulator: %w", err)
		}
		e.mapping = esm.Start(esm.Config{
			Queue: e.queue, BatchSize: cfg.BatchSize, BatchWindow: cfg.BatchWindow,
			ReportBatchItemFailures: cfg.ReportBatchItemFailures, Concurrency: cfg.Function.Concurrency,
			Region: cfg.Region, Log: e.log.event, Intercept: e.intercept(),
			Invoke: func(ctx context.Context, payload []byte) lambdart.Result {
				r := e.pool.Invoke(ctx, payload)
				e.log.invocation(r)
				return r
			},
		})
	}
	go func() {
		select {
		case <-ctx.Done():
			e.Close()
		case <-e.done:
		}
	}()
	e.log.event("ready", "url", e.URL(), "callback", e.CallbackURL(), "inspect", e.InspectURL())
	return e, nil
}

// Config returns the configuration in effect, defaults filled in.
func (e *Emulator) Config() Config { return e.cfg }

// URL is the WebSocket endpoint, ws://127.0.0.1:<port>/<stage>.
func (e *Emulator) URL() string { return "ws://" + e.ln.Addr().String() + "/" + e.cfg.Stage }

// CallbackURL is the @connections endpoint the function is given as
// CALLBACK_ENDPOINT (http://127.0.0.1:<port>/<stage>).
func (e *Emulator) CallbackURL() string { return "http://" + e.ln.Addr().String() + "/" + e.cfg.Stage }

// InspectURL serves Inspect() as JSON.
func (e *Emulator) InspectURL() string {
	return "http://" + e.ln.Addr().String() + "/_emulator/inspect"
}

// State is a snapshot of the whole emulator.
type State struct {
	URL         string        `json:"url"`
	CallbackURL string        `json:"callbackUrl"`
	Connections []string      `json:"connections"`
	Gateway     gateway.Stats `json:"gateway"`
	Queue       sqs.Snapshot  `json:"queue"`
	DLQ         *sqs.Snapshot `json:"dlq,omitempty"`
	ESM         *esm.Stats    `json:"eventSourceMapping,omitempty"`
	Registry    []string      `json:"registry,omitempty"`
}

// Inspect returns the current state: connections, counters, queue and
// dead-letter queue contents.
func (e *Emulator) Inspect() State {
	e.log.sync() // what the state shows has been logged too
	s := State{URL: e.URL(), CallbackURL: e.CallbackURL(), Connections: e.gw.Connections(), Gateway: e.gw.Stats(), Queue: e.queue.Snapshot()}
	if e.dlq != nil {
		d := e.dlq.Snapshot()
		s.DLQ = &d
	}
	if e.mapping != nil {
		m := e.mapping.Stats()
		s.ESM = &m
	}
	if e.registry != nil {
		s.Registry = e.registry.Keys()
	}
	return s
}

// Close stops everything: connections (firing $disconnect), the event
// source mapping, function processes and the HTTP server. It waits for
// every goroutine it started.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		close(e.done)
		if e.gw != nil {
			e.gw.Close()
		}
		if e.mapping != nil {
			e.mapping.Close()
		}
		if e.pool != nil {
			e.pool.Close()
		}
		if e.srv != nil {
			_ = e.srv.Close()
			e.serveWG.Wait()
		}
		e.log.close()
	})
	return nil
}

func (e *Emulator) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_emulator/inspect":
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(e.Inspect())
	case r.Header.Get("X-Amz-Target") != "" && r.URL.Path == "/" && e.registry != nil:
		e.registry.ServeHTTP(w, r)
	default:
		e.gw.ServeHTTP(w, r)
	}
}

// sendMessage is the $default route's AWS integration: the rendered
// template goes to SQS as a query-protocol SendMessage call.
func (e *Emulator) sendMessage(_ context.Context, req *gateway.Request, rendered string) (int, string) {
	reqID := sqs.NewRequestID()
	if f := e.cfg.Faults.RejectSend; f != nil && f(req.Body) {
		err := &sqs.Error{Status: 500, Code: "InternalFailure", Type: "Receiver", Message: "The request processing has failed because of an unknown error, exception or failure."}
		e.log.event("enqueue-failed", "connectionId", req.Conn.ID, "requestId", req.RequestID, "fault", "reject-send", "code", err.Code)
		return err.Status, sqs.ErrorJSON(err, reqID)
	}
	sr, serr := sqs.ParseSendMessage(rendered, e.queue.Kind())
	if serr != nil {
		e.log.event("enqueue-failed", "connectionId", req.Conn.ID, "requestId", req.RequestID, "code", serr.Code, "error", serr.Message)
		return serr.Status, sqs.ErrorJSON(serr, reqID)
	}
	res := e.queue.Send(sr)
	kv := []any{"connectionId", req.Conn.ID, "requestId", req.RequestID, "messageId", res.MessageID}
	if sr.GroupID != "" {
		kv = append(kv, "group", sr.GroupID)
	}
	if res.Duplicate {
		kv = append(kv, "duplicate", true)
	}
	e.log.event("enqueue", kv...)
	return 200, sqs.SendResponseJSON(res, reqID)
}

func (e *Emulator) intercept() func([]esm.Record) ([]esm.Record, []string, *lambdart.Result) {
	f := e.cfg.Faults
	if f.FailItem == nil && f.FailBatch == nil && f.TimeoutBatch == nil {
		return nil
	}
	return func(records []esm.Record) ([]esm.Record, []string, *lambdart.Result) {
		for _, r := range records {
			if f.FailBatch != nil && f.FailBatch(r.Body) {
				e.log.event("fault", "kind", "fail-batch", "messageId", r.MessageID)
				return nil, nil, &lambdart.Result{Err: &lambdart.FunctionError{Type: "Fault.Injected", Message: "function error injected for message " + r.MessageID}}
			}
			if f.TimeoutBatch != nil && f.TimeoutBatch(r.Body) {
				e.log.event("fault", "kind", "timeout-batch", "messageId", r.MessageID)
				t := time.NewTimer(e.cfg.FunctionTimeout)
				select {
				case <-t.C:
				case <-e.done:
					t.Stop()
				}
				return nil, nil, &lambdart.Result{TimedOut: true, Err: &lambdart.FunctionError{Type: "Sandbox.Timedout",
					Message: fmt.Sprintf("Task timed out after %.2f seconds", e.cfg.FunctionTimeout.Seconds())}}
			}
		}
		var pass []esm.Record
		var failed []string
		for _, r := range records {
			if f.FailItem != nil && f.FailItem(r.Body) {
				e.log.event("fault", "kind", "fail-item", "messageId", r.MessageID)
				failed = append(failed, r.MessageID)
				continue
			}
			pass = append(pass, r)
		}
		return pass, failed, nil
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
