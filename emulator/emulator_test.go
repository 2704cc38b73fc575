package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The request template the generated FIFO project deploys.
const fifoTemplate = `Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageGroupId=$util.urlEncode($context.connectionId)&MessageDeduplicationId=$util.urlEncode($context.requestId)&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.connectionId)&MessageAttribute.2.Name=requestId&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.requestId)
`

// A standard-queue variant (no group or deduplication id).
const stdTemplate = `Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.connectionId)&MessageAttribute.2.Name=requestId&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.requestId)`

var fnPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "emulator")
	if err != nil {
		panic(err)
	}
	fnPath = filepath.Join(dir, "bootstrap")
	if out, err := exec.Command("go", "build", "-o", fnPath, "./testdata/fn").CombinedOutput(); err != nil {
		panic("building test function: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func start(t *testing.T, cfg Config) (*Emulator, *syncBuf) {
	t.Helper()
	logs := &syncBuf{}
	if cfg.Log == nil {
		cfg.Log = logs
	}
	e, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Close()
		if t.Failed() {
			t.Logf("emulator log:\n%s", logs.String())
		}
	})
	return e, logs
}

func dial(t *testing.T, e *Emulator) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func send(t *testing.T, c *websocket.Conn, s string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

type reply struct {
	Type, RequestID, ConnectionID, Body, Group, ReceiveCount string
}

func readReply(t *testing.T, c *websocket.Conn) reply {
	t.Helper()
	s := read(t, c)
	var r reply
	if err := json.Unmarshal([]byte(s), &r); err != nil || r.Type != "reply" {
		t.Fatalf("not a reply frame: %s", s)
	}
	return r
}

func TestRoundTripHostileBodiesFIFO(t *testing.T) {
	e, _ := start(t, Config{RequestTemplate: fifoTemplate, FIFO: true, VisibilityTimeout: 5 * time.Second,
		FunctionTimeout: 5 * time.Second, MaxReceiveCount: 5, ReportBatchItemFailures: true, Function: FunctionSpec{Path: fnPath}})
	c := dial(t, e)
	bodies := []string{
		`{"action":"send","text":"hello"}`,
		`& = + % # ' " \`,
		"line1\nline2\r\n\ttabbed",
		`emoji 😀🎉 é ü 中文`,
		`x&MessageDeduplicationId=x&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=victim`,
		`%41%2B+&MessageGroupId=other`,
	}
	for _, b := range bodies {
		send(t, c, b)
	}
	var connID string
	seenReq := map[string]bool{}
	for i, want := range bodies {
		r := readReply(t, c)
		if r.Body != want {
			t.Errorf("reply %d body changed:\n got %q\nwant %q", i, r.Body, want)
		}
		if connID == "" {
			connID = r.ConnectionID
		}
		if r.ConnectionID != connID || r.Group != connID || !strings.HasSuffix(connID, "=") || len(connID) != 16 {
			t.Errorf("connection id/group %q/%q", r.ConnectionID, r.Group)
		}
		if r.RequestID == "" || seenReq[r.RequestID] {
			t.Errorf("request id %q missing or repeated", r.RequestID)
		}
		seenReq[r.RequestID] = true
	}
	waitFor(t, func() bool { return len(e.Inspect().Queue.Messages) == 0 })
	st := e.Inspect()
	if st.Queue.Stats.Sent != len(bodies) || st.Queue.Stats.Duplicates != 0 || st.Queue.Stats.Deleted != len(bodies) {
		t.Errorf("queue stats %+v, %d left", st.Queue.Stats, len(st.Queue.Messages))
	}
}

// The same loop with the template's $util.urlEncode calls removed: the
// emulator must surface the bug, as AWS would.
func TestUnencodedTemplateBugIsVisible(t *testing.T) {
	raw := `Action=SendMessage&MessageBody=$input.body&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$context.connectionId&MessageAttribute.2.Name=requestId&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=$context.requestId`
	e, logs := start(t, Config{RequestTemplate: raw, Function: FunctionSpec{Path: fnPath}, ReportBatchItemFailures: true})
	c := dial(t, e)
	send(t, c, "1+1=2")
	if r := readReply(t, c); r.Body != "1 1=2" {
		t.Fatalf("'+' should arrive as a space without urlEncode, got %q", r.Body)
	}
	send(t, c, "a&MessageAttribute.1.Name=x")
	waitFor(t, func() bool { return e.Inspect().Gateway.IntegrationError == 1 })
	if !strings.Contains(logs.String(), "enqueue-failed") {
		t.Fatalf("injection was refused without a log line:\n%s", logs.String())
	}
}

func TestBadRequestBodyAndAck(t *testing.T) {
	model := `{"type":"object","required":["action","text"],"properties":{"action":{"type":"string"},"text":{"type":"string","maxLength":5}}}`
	ack := `{"type":"ack","requestId":"$context.requestId","messageId":"$input.path('$.SendMessageResponse.SendMessageResult.MessageId')"}`
	errT := `{"type":"error","requestId":"$context.requestId","code":"$input.path('$.Error.Code')"}`
	e, _ := start(t, Config{RequestTemplate: fifoTemplate, FIFO: true, RequestModel: []byte(model), Ack: true,
		AckTemplate: ack, ErrorTemplate: errT, Faults: Faults{RejectSend: BodyContains("rej")}})
	c := dial(t, e)

	send(t, c, `{"action":"x","text":"too long"}`)
	var bad map[string]string
	raw := read(t, c)
	if err := json.Unmarshal([]byte(raw), &bad); err != nil || bad["message"] != "Bad request body" || bad["connectionId"] == "" || bad["requestId"] == "" {
		t.Fatalf("bad request frame %s", raw)
	}
	if !strings.HasPrefix(raw, `{"message": "Bad request body", "connectionId":"`) {
		t.Errorf("frame not in API Gateway's byte shape: %s", raw)
	}
	send(t, c, `not json`)
	if !strings.Contains(read(t, c), "Bad request body") {
		t.Fatal("non-JSON body passed the model")
	}

	send(t, c, `{"action":"x","text":"ok"}`)
	var a map[string]string
	if err := json.Unmarshal([]byte(read(t, c)), &a); err != nil || a["type"] != "ack" || len(a["messageId"]) != 36 || a["requestId"] == "" {
		t.Fatalf("ack %v", a)
	}
	if msgs := e.Inspect().Queue.Messages; len(msgs) != 1 || msgs[0].MessageID != a["messageId"] || msgs[0].DedupID != a["requestId"] {
		t.Fatalf("ack does not match the queue: %+v", msgs)
	}

	send(t, c, `{"action":"x","text":"rej"}`)
	var ef map[string]string
	if err := json.Unmarshal([]byte(read(t, c)), &ef); err != nil || ef["type"] != "error" || ef["code"] != "InternalFailure" {
		t.Fatalf("error frame %v", ef)
	}
	if st := e.Inspect(); st.Gateway.ClientError != 2 || st.Gateway.IntegrationError != 1 || len(st.Queue.Messages) != 1 {
		t.Fatalf("stats %+v", st.Gateway)
	}
}

func TestFailingMessageGoesToDLQWhileOthersFlow(t *testing.T) {
	e, logs := start(t, Config{RequestTemplate: fifoTemplate, FIFO: true, VisibilityTimeout: 400 * time.Millisecond,
		FunctionTimeout: 400 * time.Millisecond, MaxReceiveCount: 3, ReportBatchItemFailures: true, BatchSize: 1,
		Function: FunctionSpec{Path: fnPath, Concurrency: 2}})
	poisoned := dial(t, e)
	healthy := dial(t, e)
	send(t, poisoned, "please fail-in-fn")
	send(t, poisoned, "after the poison")
	for i := 0; i < 5; i++ {
		send(t, healthy, fmt.Sprintf("ok %d", i))
	}
	for i := 0; i < 5; i++ {
		if r := readReply(t, healthy); r.Body != fmt.Sprintf("ok %d", i) {
			t.Fatalf("healthy group out of order: %q", r.Body)
		}
	}
	// The poison blocks its own group until it is dead-lettered; then the
	// next message of the group flows.
	if r := readReply(t, poisoned); r.Body != "after the poison" {
		t.Fatalf("got %q", r.Body)
	}
	st := e.Inspect()
	if st.DLQ == nil || len(st.DLQ.Messages) != 1 || st.DLQ.Messages[0].Body != "please fail-in-fn" || st.DLQ.Messages[0].ReceiveCount != 3 {
		t.Fatalf("dlq %+v", st.DLQ)
	}
	sent := st.Queue.Stats.Sent
	replied := int(st.Gateway.PostOK)
	if sent != replied+len(st.DLQ.Messages) {
		t.Fatalf("lost messages: sent %d, replied %d, dead-lettered %d", sent, replied, len(st.DLQ.Messages))
	}
	if !strings.Contains(logs.String(), "dlq") || !strings.Contains(logs.String(), "retry") {
		t.Error("log lacks retry/dlq lines")
	}
}

func TestFaultSwitches(t *testing.T) {
	e, _ := start(t, Config{RequestTemplate: stdTemplate, VisibilityTimeout: 300 * time.Millisecond, FunctionTimeout: 200 * time.Millisecond,
		MaxReceiveCount: 2, ReportBatchItemFailures: true, BatchSize: 1, Function: FunctionSpec{Path: fnPath},
		Faults: Faults{FailBatch: BodyContains("boom"), TimeoutBatch: BodyContains("slow"), FailItem: BodyContains("item"),
			DropBeforeReply: func(string) bool { return false }}})
	c := dial(t, e)
	for _, b := range []string{"boom", "slow", "item", "fine"} {
		send(t, c, b)
	}
	if r := readReply(t, c); r.Body != "fine" {
		t.Fatalf("got %q", r.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := e.Inspect()
		if st.DLQ != nil && len(st.DLQ.Messages) == 3 {
			if st.ESM.FunctionErrors < 2 || st.ESM.Timeouts < 2 || st.ESM.PartialFailures < 2 {
				t.Fatalf("esm stats %+v", st.ESM)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead letters: %+v", st.DLQ)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestReplyToClosedConnectionIsGoneNotRetried(t *testing.T) {
	var mu sync.Mutex
	drop := map[string]bool{}
	e, _ := start(t, Config{RequestTemplate: stdTemplate, ReportBatchItemFailures: true, Function: FunctionSpec{Path: fnPath},
		Faults: Faults{DropBeforeReply: func(id string) bool { mu.Lock(); defer mu.Unlock(); return drop[id] }}})
	c := dial(t, e)
	send(t, c, "first")
	r := readReply(t, c)
	mu.Lock()
	drop[r.ConnectionID] = true
	mu.Unlock()
	send(t, c, "second")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("client not dropped: %v", err)
	}
	waitFor(t, func() bool {
		st := e.Inspect()
		return st.Gateway.PostGone == 1 && st.Gateway.DisconnectCount == 1 && len(st.Queue.Messages) == 0
	})
	time.Sleep(200 * time.Millisecond) // room for a wrong retry to show
	if st := e.Inspect(); st.Queue.Stats.Received != 2 || st.Gateway.DisconnectCount != 1 {
		t.Fatalf("gone reply was retried or not disconnected: %+v %+v", st.Queue.Stats, st.Gateway)
	}
}

func TestOversizeMessagesAndFrames(t *testing.T) {
	e, _ := start(t, Config{RequestTemplate: stdTemplate, Limits: Limits{MaxMessage: 2048, MaxFrame: 512}})
	// A message within the message limit but sent as one oversize frame.
	c := dial(t, e)
	send(t, c, strings.Repeat("f", 600))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("oversize frame: %v", err)
	}
	// The same bytes split into small frames are accepted.
	c2 := dial(t, e)
	w, err := c2.Writer(ctx, websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _ = w.Write(bytes.Repeat([]byte("s"), 200))
	}
	_ = w.Close()
	// A message over the message limit.
	c3 := dial(t, e)
	_ = c3.Write(ctx, websocket.MessageText, bytes.Repeat([]byte("m"), 3000))
	if _, _, err := c3.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("oversize message: %v", err)
	}
	waitFor(t, func() bool { return len(e.Inspect().Queue.Messages) == 1 })
	if m := e.Inspect().Queue.Messages[0]; len(m.Body) != 600 {
		t.Fatalf("fragmented message body length %d", len(m.Body))
	}
}

func mgmt(t *testing.T, method, u string, body []byte) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestConnectionsAPI(t *testing.T) {
	e, _ := start(t, Config{RequestTemplate: stdTemplate, Limits: Limits{MaxMessage: 1000}})
	c := dial(t, e)
	ids := e.Inspect().Connections
	if len(ids) != 1 {
		t.Fatalf("connections %v", ids)
	}
	id := ids[0]
	base := e.CallbackURL() + "/@connections/"
	enc := url.PathEscape(id)
	if !strings.Contains(strings.ReplaceAll(url.QueryEscape(id), "%3D", "="), "=") {
		t.Fatal("id lacks '='")
	}
	encStrict := strings.ReplaceAll(enc, "=", "%3D") // what the SDK sends

	resp, _ := mgmt(t, "POST", base+encStrict, []byte("hello"))
	if resp.StatusCode != 200 || read(t, c) != "hello" {
		t.Fatalf("post %d", resp.StatusCode)
	}
	resp, body := mgmt(t, "GET", base+encStrict, nil)
	var info struct {
		ConnectedAt, LastActiveAt string
		Identity                  struct{ SourceIP, UserAgent string }
	}
	if err := json.Unmarshal([]byte(body), &info); resp.StatusCode != 200 || err != nil || info.Identity.SourceIP != "127.0.0.1" {
		t.Fatalf("get %d %s", resp.StatusCode, body)
	}
	if _, err := time.Parse(time.RFC3339, info.ConnectedAt); err != nil {
		t.Fatalf("connectedAt %q: %v", info.ConnectedAt, err)
	}
	resp, body = mgmt(t, "POST", base+encStrict, bytes.Repeat([]byte("x"), 1001))
	if resp.StatusCode != 413 || resp.Header.Get("X-Amzn-ErrorType") != "PayloadTooLargeException" || !strings.Contains(body, `"message"`) {
		t.Fatalf("oversize post %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, _ = mgmt(t, "POST", base+url.PathEscape("AAAAAAAAAAAAAAA="), []byte("x"))
	if resp.StatusCode != 410 || resp.Header.Get("X-Amzn-ErrorType") != "GoneException" {
		t.Fatalf("unknown id %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = mgmt(t, "DELETE", base+encStrict, nil)
	if resp.StatusCode != 204 {
		t.Fatalf("delete %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) == -1 {
		t.Fatalf("socket not closed by DELETE: %v", err)
	}
	for _, m := range []string{"POST", "GET", "DELETE"} {
		if resp, _ := mgmt(t, m, base+encStrict, []byte("x")); resp.StatusCode != 410 {
			t.Errorf("%s after delete: %d", m, resp.StatusCode)
		}
	}
	if st := e.Inspect().Gateway; st.DisconnectCount != 1 || st.PostGone != 2 || st.PostTooLarge != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestBroadcastThroughRegistry(t *testing.T) {
	e, _ := start(t, Config{RequestTemplate: stdTemplate, Broadcast: true, ReportBatchItemFailures: true, Function: FunctionSpec{Path: fnPath}})
	var clients []*websocket.Conn
	for i := 0; i < 5; i++ {
		clients = append(clients, dial(t, e))
	}
	gone := dial(t, e)
	gone.Close(websocket.StatusNormalClosure, "")
	waitFor(t, func() bool { return len(e.Inspect().Registry) == 5 })
	send(t, clients[0], "broadcast hello")
	for i, c := range clients {
		if r := readReply(t, c); r.Body != "broadcast hello" {
			t.Fatalf("client %d got %q", i, r.Body)
		}
	}
	clients[4].Close(websocket.StatusNormalClosure, "")
	waitFor(t, func() bool { return len(e.Inspect().Registry) == 4 })
}

func TestPerGroupOrderUnderConcurrency(t *testing.T) {
	e, _ := start(t, Config{RequestTemplate: fifoTemplate, FIFO: true, VisibilityTimeout: 5 * time.Second, FunctionTimeout: 5 * time.Second,
		BatchSize: 3, ReportBatchItemFailures: true, Function: FunctionSpec{Path: fnPath, Concurrency: 3}})
	const clients, per = 4, 15
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		c := dial(t, e)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < per; j++ {
				if err := c.Write(context.Background(), websocket.MessageText, []byte(fmt.Sprintf("c%d-%02d", i, j))); err != nil {
					t.Error(err)
					return
				}
			}
			for j := 0; j < per; j++ {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, b, err := c.Read(ctx)
				cancel()
				var r reply
				if err != nil || json.Unmarshal(b, &r) != nil {
					t.Errorf("client %d read %d: %v", i, j, err)
					return
				}
				if want := fmt.Sprintf("c%d-%02d", i, j); r.Body != want {
					t.Errorf("client %d got %q, want %q", i, r.Body, want)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

func TestIdleTimeoutFiresDisconnect(t *testing.T) {
	e, logs := start(t, Config{RequestTemplate: stdTemplate, Broadcast: true, Limits: Limits{IdleTimeout: 300 * time.Millisecond}})
	c := dial(t, e)
	waitFor(t, func() bool { return len(e.Inspect().Registry) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("idle close: %v", err)
	}
	waitFor(t, func() bool { return len(e.Inspect().Registry) == 0 })
	if !strings.Contains(logs.String(), "disconnect") {
		t.Error("no disconnect logged")
	}
}

func TestConfigValidation(t *testing.T) {
	bad := []Config{
		{Addr: "0.0.0.0:0"},
		{Addr: ":0"},
		{Addr: "192.168.1.1:0"},
		{FIFO: true, BatchSize: 11},
		{FIFO: true, BatchWindow: time.Second},
		{BatchSize: 100},
		{Function: FunctionSpec{Path: fnPath}, FunctionTimeout: time.Minute, VisibilityTimeout: 30 * time.Second},
		{RequestTemplate: "#if($x)"},
		{RequestModel: []byte("{")},
	}
	for i, c := range bad {
		if e, err := Start(context.Background(), c); err == nil {
			e.Close()
			t.Errorf("config %d accepted", i)
		}
	}
	e, err := Start(context.Background(), Config{Addr: "localhost:0", RequestTemplate: stdTemplate})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !strings.HasPrefix(e.URL(), "ws://127.0.0.1:") {
		t.Fatalf("url %s", e.URL())
	}
	resp, err := http.Get(e.InspectURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Queue.Name != "queue" {
		t.Fatalf("inspect: %v %+v", err, st)
	}
}

func TestJSONLogAndQuiet(t *testing.T) {
	var jsonLog syncBuf
	e, _ := start(t, Config{RequestTemplate: stdTemplate, JSON: true, Log: &jsonLog})
	c := dial(t, e)
	send(t, c, "x")
	waitFor(t, func() bool { return strings.Contains(jsonLog.String(), `"event":"enqueue"`) })
	for _, line := range strings.Split(strings.TrimSpace(jsonLog.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
	}
	var quiet syncBuf
	q, _ := start(t, Config{RequestTemplate: stdTemplate, Quiet: true, Log: &quiet})
	c2 := dial(t, q)
	send(t, c2, "x")
	waitFor(t, func() bool { return len(q.Inspect().Queue.Messages) == 1 })
	if strings.Contains(quiet.String(), "enqueue ") || strings.Contains(quiet.String(), "connect ") {
		t.Fatalf("quiet log has routine events:\n%s", quiet.String())
	}
}

// TestCloseLeavesNoGoroutines runs a full loop, closes the emulator and
// checks that no goroutine of the emulator's packages survives.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	e, err := Start(context.Background(), Config{RequestTemplate: fifoTemplate, FIFO: true, Broadcast: true, MaxReceiveCount: 2,
		ReportBatchItemFailures: true, Function: FunctionSpec{Path: fnPath, Concurrency: 2}, Limits: Limits{IdleTimeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Write(ctx, websocket.MessageText, []byte("hi"))
	if _, _, err := c.Read(ctx); err != nil {
		t.Fatal(err)
	}
	open, _, _ := websocket.Dial(ctx, e.URL(), nil) // left open across Close
	e.Close()
	c.CloseNow()
	if open != nil {
		open.CloseNow()
	}
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaked := emulatorGoroutines()
		if leaked == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Close:\n%s", leaked)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func emulatorGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "wsqgen/wsqgen/emulator") && !strings.Contains(g, "emulatorGoroutines") && !strings.Contains(g, "testing.tRunner") && !strings.Contains(g, "testing.(*T).Run") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

func waitFor(t *testing.T, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
