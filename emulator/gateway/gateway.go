package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/wsqgen/wsqgen/emulator/schema"
	"github.com/wsqgen/wsqgen/emulator/vtl"
)

// Limits are API Gateway's WebSocket quotas.
type Limits struct {
	MaxMessage  int           // 128 KB; larger closes the socket with 1009
	MaxFrame    int           // 32 KB; a larger single frame closes with 1009
	IdleTimeout time.Duration // 10 minutes without a client message
	MaxDuration time.Duration // 2 hours per connection
	// WriteTimeout bounds a @connections POST to a slow client; when it
	// passes the caller gets 429 LimitExceededException ("client side
	// buffer is full").
	WriteTimeout time.Duration
}

// DefaultLimits are AWS's values.
func DefaultLimits() Limits {
	return Limits{MaxMessage: 128 << 10, MaxFrame: 32 << 10, IdleTimeout: 10 * time.Minute, MaxDuration: 2 * time.Hour, WriteTimeout: 5 * time.Second}
}

// Integration is the backend of a route: it receives the rendered request
// template and answers with an HTTP status and body, as an AWS service
// integration does.
type Integration func(ctx context.Context, c *Request, rendered string) (status int, body string)

// Route is one route of the API.
type Route struct {
	Model           *schema.Schema // request model; nil means no validation
	RequestTemplate *vtl.Template  // rendered with $input = message body
	Integration     Integration
	// TwoWay enables the route response: the integration response is
	// rendered (Ack for 2xx, Error otherwise; nil passes the body through)
	// and sent to the client. One-way routes send nothing back.
	TwoWay        bool
	AckTemplate   *vtl.Template
	ErrorTemplate *vtl.Template
}

// Request is what a route sees of one message.
type Request struct {
	Conn      *Conn
	RequestID string
	MessageID string
	RouteKey  string
	Body      string
	Context   *vtl.Map // $context
}

// Config configures the gateway.
type Config struct {
	Stage   string
	APIID   string
	Region  string
	Account string
	// RouteSelection is the route selection expression, e.g.
	// "$request.body.action".
	RouteSelection string
	Routes         map[string]*Route // message routes, including "$default"
	Limits         Limits
	// OnConnect runs as the $connect integration before the handshake
	// completes; an error refuses the connection (HTTP 500 on upgrade).
	OnConnect func(c *Conn) error
	// OnDisconnect runs as the $disconnect integration, once per
	// connection, whatever closed it.
	OnDisconnect func(c *Conn, status int, reason string)
	// BeforePost may drop the target client before a @connections POST is
	// delivered (a fault switch); returning true closes the socket first.
	BeforePost func(c *Conn) bool
	Log        func(kind string, kv ...any)
}

// Conn is a client connection.
type Conn struct {
	ID          string
	ConnectedAt time.Time
	SourceIP    string
	UserAgent   string

	ws          *websocket.Conn
	lastActive  atomic.Int64 // unix nanos of the last client message
	frameTooBig atomic.Bool
	closeOnce   sync.Once
	done        chan struct{}
	// ready is closed once the handshake has finished, successfully (ws
	// set) or not. The connection is registered before the handshake so
	// that it exists for @connections the moment the client sees the 101,
	// as on AWS; whatever needs the socket waits for ready.
	ready chan struct{}
}

// LastActiveAt is when the client last sent a message.
func (c *Conn) LastActiveAt() time.Time { return time.Unix(0, c.lastActive.Load()) }

// Stats counts gateway traffic, with CloudWatch's metric names where one
// exists.
type Stats struct {
	ConnectCount     int64 `json:"connectCount"`
	DisconnectCount  int64 `json:"disconnectCount"`
	MessageCount     int64 `json:"messageCount"`
	ClientError      int64 `json:"clientError"`
	IntegrationError int64 `json:"integrationError"`
	ExecutionError   int64 `json:"executionError"`
	PostOK           int64 `json:"postToConnectionOk"`
	PostGone         int64 `json:"postToConnectionGone"`
	PostTooLarge     int64 `json:"postToConnectionTooLarge"`
	PostThrottled    int64 `json:"postToConnectionLimitExceeded"`
}

// Gateway is an API Gateway WebSocket API stage.
type Gateway struct {
	cfg Config

	mu    sync.Mutex
	conns map[string]*Conn

	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc

	stats struct {
		connect, disconnect, message, clientErr, integrationErr, execErr atomic.Int64
		postOK, postGone, postTooLarge, postThrottled                    atomic.Int64
	}
}

// New creates a gateway.
func New(cfg Config) *Gateway {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits()
	}
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	if cfg.APIID == "" {
		cfg.APIID = "local"
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Gateway{cfg: cfg, conns: map[string]*Conn{}, ctx: ctx, cancel: cancel}
}

// Stats returns the counters.
func (g *Gateway) Stats() Stats {
	s := &g.stats
	return Stats{s.connect.Load(), s.disconnect.Load(), s.message.Load(), s.clientErr.Load(), s.integrationErr.Load(),
		s.execErr.Load(), s.postOK.Load(), s.postGone.Load(), s.postTooLarge.Load(), s.postThrottled.Load()}
}

// Connections returns the ids of open connections.
func (g *Gateway) Connections() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.conns))
	for id := range g.conns {
		out = append(out, id)
	}
	return out
}

// Close closes every connection (firing $disconnect) and waits for the
// connection goroutines.
func (g *Gateway) Close() {
	g.cancel()
	g.mu.Lock()
	conns := make([]*Conn, 0, len(g.conns))
	for _, c := range g.conns {
		conns = append(conns, c)
	}
	g.mu.Unlock()
	for _, c := range conns {
		g.closeConn(c, websocket.StatusGoingAway, "Going away")
	}
	g.wg.Wait()
}

// NewID returns an id in the shape API Gateway uses for connection,
// request and message ids: 16 characters of URL-safe base64 ending in '='
// (e.g. "L0SM9cOFvHcCIhw="), so ids exercise URL encoding.
func NewID() string {
	b := make([]byte, 11)
	_, _ = rand.Read(b)
	return base64.URLEncoding.EncodeToString(b)
}

// ServeHTTP serves the WebSocket endpoint /<stage> and the management API
// /<stage>/@connections/<id>.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stagePath := "/" + g.cfg.Stage
	ep := r.URL.EscapedPath()
	switch {
	case ep == stagePath || ep == stagePath+"/":
		g.serveWebSocket(w, r)
	case strings.HasPrefix(ep, stagePath+"/@connections/"):
		g.serveManagement(w, r, strings.TrimPrefix(ep, stagePath+"/@connections/"))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-ErrorType", "ForbiddenException")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"Forbidden"}`)
	}
}

func (g *Gateway) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "Bad Request: a WebSocket upgrade is expected", http.StatusBadRequest)
		return
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	c := &Conn{ID: NewID(), ConnectedAt: time.Now(), SourceIP: host, UserAgent: r.UserAgent(), done: make(chan struct{})}
	c.lastActive.Store(c.ConnectedAt.UnixNano())
	if g.cfg.OnConnect != nil {
		if err := g.cfg.OnConnect(c); err != nil {
			g.cfg.Log("connect-refused", "connectionId", c.ID, "error", err.Error())
			http.Error(w, `{"message": "Internal server error"}`, http.StatusInternalServerError)
			return
		}
	}
	c.ready = make(chan struct{})
	g.mu.Lock()
	if g.ctx.Err() != nil {
		g.mu.Unlock()
		http.Error(w, `{"message": "Going away"}`, http.StatusServiceUnavailable)
		return
	}
	g.conns[c.ID] = c
	g.wg.Add(2) // watch and readLoop
	g.mu.Unlock()
	// The read loop sees the flag once the oversize frame has been read
	// and closes the socket before the message is routed.
	sw := &sniffWriter{ResponseWriter: w, limit: g.cfg.Limits.MaxFrame, onBig: func() { c.frameTooBig.Store(true) }}
	ws, err := websocket.Accept(sw, r, &websocket.AcceptOptions{
		// API Gateway does not check Origin and does not negotiate
		// permessage-deflate.
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		close(c.ready) // before closeOnce: a concurrent closeConn waits for it
		c.closeOnce.Do(func() {
			g.mu.Lock()
			delete(g.conns, c.ID)
			g.mu.Unlock()
			close(c.done)
			if g.cfg.OnDisconnect != nil {
				g.cfg.OnDisconnect(c, 1006, "handshake failed")
			}
		})
		g.wg.Add(-2)
		return
	}
	ws.SetReadLimit(int64(g.cfg.Limits.MaxMessage))
	c.ws = ws
	close(c.ready)
	g.stats.connect.Add(1)
	g.cfg.Log("connect", "connectionId", c.ID, "sourceIp", c.SourceIP)
	go g.watch(c)
	g.readLoop(c)
}

// watch enforces the idle and maximum-duration limits.
func (g *Gateway) watch(c *Conn) {
	defer g.wg.Done()
	hard := time.NewTimer(g.cfg.Limits.MaxDuration)
	defer hard.Stop()
	idle := time.NewTimer(g.cfg.Limits.IdleTimeout)
	defer idle.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-hard.C:
			g.closeConn(c, websocket.StatusGoingAway, "Going away")
			return
		case <-idle.C:
			since := time.Since(c.LastActiveAt())
			if since >= g.cfg.Limits.IdleTimeout {
				g.closeConn(c, websocket.StatusGoingAway, "Going away")
				return
			}
			idle.Reset(g.cfg.Limits.IdleTimeout - since)
		}
	}
}

func (g *Gateway) readLoop(c *Conn) {
	defer g.wg.Done()
	defer g.closeConn(c, websocket.StatusNormalClosure, "")
	for {
		_, data, err := c.ws.Read(g.ctx)
		if err != nil {
			status := websocket.CloseStatus(err)
			if c.frameTooBig.Load() {
				status = websocket.StatusMessageTooBig
			}
			if status == -1 && errors.Is(err, websocket.ErrMessageTooBig) {
				status = websocket.StatusMessageTooBig
			}
			reason := err.Error()
			if status == websocket.StatusMessageTooBig {
				reason = "Message too big"
			}
			g.closeConn(c, status, reason)
			return
		}
		if c.frameTooBig.Load() {
			g.closeConn(c, websocket.StatusMessageTooBig, "Frame size limit exceeded")
			return
		}
		c.lastActive.Store(time.Now().UnixNano())
		g.stats.message.Add(1)
		g.handleMessage(c, string(data))
	}
}

// closeConn closes the socket once and fires $disconnect.
func (g *Gateway) closeConn(c *Conn, status websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		g.mu.Lock()
		delete(g.conns, c.ID)
		g.mu.Unlock()
		close(c.done)
		<-c.ready
		if c.ws != nil {
			if status == -1 || status == websocket.StatusNoStatusRcvd || status == websocket.StatusAbnormalClosure {
				_ = c.ws.CloseNow()
			} else {
				closeWithTimeout(c.ws, status, reason)
			}
		}
		g.stats.disconnect.Add(1)
		g.cfg.Log("disconnect", "connectionId", c.ID, "status", int(status), "reason", reason)
		if g.cfg.OnDisconnect != nil {
			g.cfg.OnDisconnect(c, int(status), reason)
		}
	})
}

// closeWithTimeout sends a close frame but does not wait long for the
// peer's answer: a vanished client must not hold Close up.
func closeWithTimeout(ws *websocket.Conn, status websocket.StatusCode, reason string) {
	done := make(chan struct{})
	go func() {
		_ = ws.Close(status, reason)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		_ = ws.CloseNow()
		<-done
	}
}

// errorFrame is the body API Gateway sends for gateway-generated errors,
// byte for byte as observed on AWS:
// {"message": "Forbidden", "connectionId":"…", "requestId":"…"}.
func errorFrame(msg, connID, reqID string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return `{"message": ` + q(msg) + `, "connectionId":` + q(connID) + `, "requestId":` + q(reqID) + `}`
}

func (g *Gateway) send(c *Conn, s string) error {
	ctx, cancel := context.WithTimeout(g.ctx, g.cfg.Limits.WriteTimeout)
	defer cancel()
	select {
	case <-c.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	if c.ws == nil {
		return errors.New("handshake failed")
	}
	typ := websocket.MessageText
	if !utf8.ValidString(s) {
		typ = websocket.MessageBinary
	}
	return c.ws.Write(ctx, typ, []byte(s))
}

// selectRoute evaluates the route selection expression on a message:
// only "$request.body.<path>" selects; a body that is not JSON, or a
// value that names no route, falls back to $default.
func (g *Gateway) selectRoute(body string) string {
	expr := g.cfg.RouteSelection
	if strings.HasPrefix(expr, "$request.body.") {
		v, err := vtl.ParseJSON(body)
		if err == nil {
			sel, err := vtl.JSONPath(v, "$."+strings.TrimPrefix(expr, "$request.body."))
			if s, ok := sel.(string); err == nil && ok {
				if _, ok := g.cfg.Routes[s]; ok {
					return s
				}
			}
		}
	} else if _, ok := g.cfg.Routes[expr]; ok && expr != "" {
		return expr // a static selection expression
	}
	return "$default"
}

func (g *Gateway) context(c *Conn, req *Request) *vtl.Map {
	now := time.Now()
	identity := vtl.NewMap("sourceIp", c.SourceIP, "userAgent", c.UserAgent, "userArn", nil,
		"accountId", nil, "caller", nil, "user", nil, "cognitoIdentityId", nil, "apiKey", nil)
	return vtl.NewMap(
		"connectionId", c.ID,
		"connectedAt", c.ConnectedAt.UnixMilli(),
		"requestId", req.RequestID,
		"extendedRequestId", req.RequestID,
		"messageId", req.MessageID,
		"routeKey", req.RouteKey,
		"eventType", "MESSAGE",
		"messageDirection", "IN",
		"stage", g.cfg.Stage,
		"apiId", g.cfg.APIID,
		"domainName", fmt.Sprintf("%s.execute-api.%s.amazonaws.com", g.cfg.APIID, g.cfg.Region),
		"requestTimeEpoch", now.UnixMilli(),
		"requestTime", now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"identity", identity,
		"authorizer", vtl.NewMap(),
	)
}

func (g *Gateway) handleMessage(c *Conn, body string) {
	req := &Request{Conn: c, RequestID: NewID(), MessageID: NewID(), Body: body}
	req.RouteKey = g.selectRoute(body)
	route := g.cfg.Routes[req.RouteKey]
	g.cfg.Log("message", "connectionId", c.ID, "requestId", req.RequestID, "route", req.RouteKey, "bytes", len(body))
	if route == nil {
		g.stats.clientErr.Add(1)
		_ = g.send(c, errorFrame("Forbidden", c.ID, req.RequestID))
		return
	}
	req.Context = g.context(c, req)
	if route.Model != nil {
		if err := route.Model.Validate([]byte(body)); err != nil {
			g.stats.clientErr.Add(1)
			g.cfg.Log("bad-request", "connectionId", c.ID, "requestId", req.RequestID, "error", err.Error())
			_ = g.send(c, errorFrame("Bad request body", c.ID, req.RequestID))
			return
		}
	}
	rendered := body
	if route.RequestTemplate != nil {
		out, err := route.RequestTemplate.Render(vtl.Vars(body, req.Context))
		if err != nil {
			g.stats.execErr.Add(1)
			g.cfg.Log("template-error", "connectionId", c.ID, "requestId", req.RequestID, "error", err.Error())
			_ = g.send(c, errorFrame("Internal server error", c.ID, req.RequestID))
			return
		}
		rendered = out
	}
	status, respBody := route.Integration(g.ctx, req, rendered)
	if status < 200 || status > 299 {
		g.stats.integrationErr.Add(1)
	}
	if !route.TwoWay {
		return
	}
	tmpl := route.AckTemplate
	if status < 200 || status > 299 {
		tmpl = route.ErrorTemplate
	}
	frame := respBody
	if tmpl != nil {
		out, err := tmpl.Render(vtl.Vars(respBody, req.Context))
		if err != nil {
			g.stats.execErr.Add(1)
			g.cfg.Log("template-error", "connectionId", c.ID, "requestId", req.RequestID, "error", err.Error())
			_ = g.send(c, errorFrame("Internal server error", c.ID, req.RequestID))
			return
		}
		frame = out
	}
	if frame != "" {
		_ = g.send(c, frame)
	}
}

func (g *Gateway) lookup(id string) *Conn {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.conns[id]
}

func mgmtError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", typ)
	w.Header().Set("x-amzn-RequestId", NewID())
	w.WriteHeader(status)
	var m any
	if msg != "" {
		m = msg
	}
	b, _ := json.Marshal(map[string]any{"message": m})
	_, _ = w.Write(b)
}

// serveManagement is the @connections API: POST sends a frame, GET
// describes the connection, DELETE disconnects it.
func (g *Gateway) serveManagement(w http.ResponseWriter, r *http.Request, escapedID string) {
	id, err := url.PathUnescape(escapedID)
	if err != nil || id == "" || strings.Contains(id, "/") {
		mgmtError(w, http.StatusBadRequest, "BadRequestException", "Invalid connectionId: "+escapedID)
		return
	}
	c := g.lookup(id)
	switch r.Method {
	case http.MethodPost:
		data, err := io.ReadAll(io.LimitReader(r.Body, int64(g.cfg.Limits.MaxMessage)+1))
		if err != nil {
			mgmtError(w, http.StatusBadRequest, "BadRequestException", err.Error())
			return
		}
		if len(data) > g.cfg.Limits.MaxMessage {
			g.stats.postTooLarge.Add(1)
			g.cfg.Log("reply-too-large", "connectionId", id, "bytes", len(data))
			mgmtError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Request entity too large")
			return
		}
		if c != nil && g.cfg.BeforePost != nil && g.cfg.BeforePost(c) {
			g.cfg.Log("fault", "kind", "drop-client-before-reply", "connectionId", id)
			// The connection is gone for API Gateway at once; the close
			// handshake with the client may take seconds and must not hold
			// up the 410 the function is waiting for.
			g.mu.Lock()
			delete(g.conns, c.ID)
			g.mu.Unlock()
			g.wg.Add(1)
			go func(c *Conn) {
				defer g.wg.Done()
				g.closeConn(c, websocket.StatusGoingAway, "Going away")
			}(c)
			c = nil
		}
		if c == nil {
			g.stats.postGone.Add(1)
			g.cfg.Log("reply-gone", "connectionId", id)
			mgmtError(w, http.StatusGone, "GoneException", "")
			return
		}
		// Counted before the write so that a client that has read the
		// frame never sees a count without it; undone if the write fails.
		g.stats.postOK.Add(1)
		if err := g.send(c, string(data)); err != nil {
			g.stats.postOK.Add(-1)
			if errors.Is(err, context.DeadlineExceeded) {
				g.stats.postThrottled.Add(1)
				mgmtError(w, http.StatusTooManyRequests, "LimitExceededException", "Rate exceeded")
				return
			}
			g.stats.postGone.Add(1)
			g.cfg.Log("reply-gone", "connectionId", id, "error", err.Error())
			mgmtError(w, http.StatusGone, "GoneException", "")
			return
		}
		g.cfg.Log("reply", "connectionId", id, "bytes", len(data))
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		if c == nil {
			mgmtError(w, http.StatusGone, "GoneException", "")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(map[string]any{
			"connectedAt":  c.ConnectedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
			"lastActiveAt": c.LastActiveAt().UTC().Format("2006-01-02T15:04:05.000Z"),
			"identity":     map[string]string{"sourceIp": c.SourceIP, "userAgent": c.UserAgent},
		})
		_, _ = w.Write(b)
	case http.MethodDelete:
		if c == nil {
			mgmtError(w, http.StatusGone, "GoneException", "")
			return
		}
		g.cfg.Log("delete-connection", "connectionId", id)
		g.closeConn(c, websocket.StatusNormalClosure, "")
		w.WriteHeader(http.StatusNoContent)
	default:
		mgmtError(w, http.StatusMethodNotAllowed, "MethodNotAllowedException", "")
	}
}
