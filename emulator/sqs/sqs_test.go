package sqs

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsqgen/wsqgen/emulator/vtl"
)

func mustParse(t *testing.T, form string, k QueueKind) *SendRequest {
	t.Helper()
	r, err := ParseSendMessage(form, k)
	if err != nil {
		t.Fatalf("ParseSendMessage(%q): %v", form, err)
	}
	return r
}

func wantCode(t *testing.T, form string, k QueueKind, code string) {
	t.Helper()
	_, err := ParseSendMessage(form, k)
	if err == nil || err.Code != code {
		t.Errorf("ParseSendMessage(%q) = %v, want %s", form, err, code)
	}
}

var std = QueueKind{}
var fifo = QueueKind{FIFO: true}

func TestParseStandard(t *testing.T) {
	r := mustParse(t, "Action=SendMessage&MessageBody=a+b%26c%2Bd&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v", std)
	if r.Body != "a b&c+d" {
		t.Errorf("body %q", r.Body)
	}
	if len(r.Attributes) != 1 || r.Attributes[0].Name != "k" || r.Attributes[0].StringValue != "v" {
		t.Errorf("attributes %+v", r.Attributes)
	}
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageDeduplicationId=d", std, "InvalidParameterValue")
	if r := mustParse(t, "Action=SendMessage&MessageBody=x&MessageGroupId=g&DelaySeconds=5", std); r.GroupID != "g" || r.DelaySeconds != 5 {
		t.Errorf("fair-queue group / delay: %+v", r)
	}
	wantCode(t, "Action=SendMessage&MessageBody=x&DelaySeconds=901", std, "InvalidParameterValue")
}

func TestParseFIFORules(t *testing.T) {
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageDeduplicationId=d", fifo, "MissingParameter")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageGroupId=g", fifo, "InvalidParameterValue")
	mustParse(t, "Action=SendMessage&MessageBody=x&MessageGroupId=g", QueueKind{FIFO: true, ContentDedup: true})
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageGroupId=a+b&MessageDeduplicationId=d", fifo, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageGroupId=&MessageDeduplicationId=d", fifo, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageGroupId="+strings.Repeat("g", 129)+"&MessageDeduplicationId=d", fifo, "InvalidParameterValue")
	mustParse(t, "Action=SendMessage&MessageBody=x&MessageGroupId="+strings.Repeat("g", 128)+"&MessageDeduplicationId=%21%7E", fifo)
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageGroupId=g&MessageDeduplicationId=d&DelaySeconds=1", fifo, "InvalidParameterValue")
}

func TestParseProtocolErrors(t *testing.T) {
	wantCode(t, "MessageBody=x", std, "MissingAction")
	wantCode(t, "Action=ReceiveMessage&MessageBody=x", std, "InvalidAction")
	wantCode(t, "Action=SendMessage", std, "MissingParameter")
	wantCode(t, "Action=SendMessage&MessageBody=", std, "MissingParameter")
	wantCode(t, "Action=SendMessage&MessageBody=%zz", std, "MalformedQueryString")
	wantCode(t, "Action=SendMessage&MessageBody=a%00b", std, "InvalidMessageContents")
	wantCode(t, "Action=SendMessage&MessageBody=%FF", std, "InvalidMessageContents")
	wantCode(t, "Action=SendMessage&MessageBody=a&MessageBody=b", std, "InvalidQueryParameter")
	wantCode(t, "Action=SendMessage&MessageBody=a& b", std, "InvalidQueryParameter")
	wantCode(t, "Action=SendMessage&MessageBody="+strings.Repeat("x", DefaultMaxMessageSize+1), std, "InvalidParameterValue")
	mustParse(t, "Action=SendMessage&MessageBody="+strings.Repeat("x", DefaultMaxMessageSize), std)
	mustParse(t, "Action=SendMessage&&MessageBody=%F0%9F%98%80&Version=2012-11-05", std)
}

func attrs(n int, f func(i int) string) string {
	var b strings.Builder
	b.WriteString("Action=SendMessage&MessageBody=x")
	for i := 1; i <= n; i++ {
		b.WriteString(f(i))
	}
	return b.String()
}

func TestParseAttributeRules(t *testing.T) {
	ok := func(i int) string {
		return "&MessageAttribute." + itoa(i) + ".Name=a" + itoa(i) + "&MessageAttribute." + itoa(i) + ".Value.DataType=String&MessageAttribute." + itoa(i) + ".Value.StringValue=v"
	}
	mustParse(t, attrs(10, ok), std)
	wantCode(t, attrs(11, ok), std, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=", std, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=a&MessageAttribute.1.Value.StringValue=v", std, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v", std, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=AWS.x&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v", std, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v&MessageAttribute.2.Name=a&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=w", std, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Number&MessageAttribute.1.Value.StringValue=abc", std, "InvalidParameterValue")
	mustParse(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Number.int&MessageAttribute.1.Value.StringValue=-1.5e3", std)
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Blob&MessageAttribute.1.Value.StringValue=a", std, "InvalidParameterValue")
	wantCode(t, "Action=SendMessage&MessageBody=x&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=a&MessageAttribute.1.Value.Foo=b", std, "InvalidQueryParameter")
}

func itoa(i int) string { return strconv.Itoa(i) }

// The generated project's template, exactly as the brief specifies it.
const encodedTemplate = `Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageGroupId=$util.urlEncode($context.connectionId)&MessageDeduplicationId=$util.urlEncode($context.requestId)&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.connectionId)&MessageAttribute.2.Name=requestId&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.requestId)`

// The same template with every $util.urlEncode removed: the classic bug.
const rawTemplate = `Action=SendMessage&MessageBody=$input.body&MessageGroupId=$context.connectionId&MessageDeduplicationId=$context.requestId&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$context.connectionId&MessageAttribute.2.Name=requestId&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=$context.requestId`

const connID, reqID = "L0SM9cOFvHcCIhw=", "L0SNNG3-vHcFeHw="

var hostileBodies = []string{
	`& = + % # ' " \`,
	"line1\nline2\r\nline3",
	"emoji 😀🎉 and é",
	`{"msg":"a+b=c&d","pct":"100%","x":"%41"}`,
	`x&MessageDeduplicationId=x&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=victim`,
	`&MessageGroupId=other&DelaySeconds=900`,
}

func renderForm(t *testing.T, tmpl, body string) string {
	t.Helper()
	p, err := vtl.Parse(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Render(vtl.Vars(body, vtl.NewMap("connectionId", connID, "requestId", reqID)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEncodedTemplateDeliversBodyByteIdentical(t *testing.T) {
	for _, body := range hostileBodies {
		r, err := ParseSendMessage(renderForm(t, encodedTemplate, body), fifo)
		if err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		if r.Body != body {
			t.Errorf("body changed:\n got %q\nwant %q", r.Body, body)
		}
		if r.GroupID != connID || r.DedupID != reqID || r.DelaySeconds != 0 {
			t.Errorf("body %q changed system parameters: %+v", body, r)
		}
		if len(r.Attributes) != 2 || r.Attributes[0].Name != "connectionId" || r.Attributes[0].StringValue != connID ||
			r.Attributes[1].Name != "requestId" || r.Attributes[1].StringValue != reqID {
			t.Errorf("body %q changed attributes: %+v", body, r.Attributes)
		}
	}
}

func TestUnencodedTemplateIsCaught(t *testing.T) {
	for _, body := range hostileBodies {
		if !strings.ContainsAny(body, "&+%") {
			continue // raw newlines and UTF-8 survive form decoding
		}
		r, err := ParseSendMessage(renderForm(t, rawTemplate, body), fifo)
		if err == nil && r.Body == body && r.DedupID == reqID && r.GroupID == connID {
			t.Errorf("body %q passed through an unencoded template unharmed; the emulator would miss the bug", body)
		}
	}
	// A plain body survives even without encoding: the bug only shows
	// with hostile input, which is why the tests use it.
	r, err := ParseSendMessage(renderForm(t, rawTemplate, "hello"), fifo)
	if err != nil || r.Body != "hello" {
		t.Fatalf("plain body: %v %+v", err, r)
	}
	// '+' is the quiet corruption: accepted, but the body is altered.
	r, err = ParseSendMessage(renderForm(t, rawTemplate, "1+1"), fifo)
	if err != nil || r.Body != "1 1" {
		t.Fatalf("'+' should decode to a space without encoding: %v %+v", err, r)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newFIFO(clk *fakeClock, maxRecv int) (*Queue, *Queue) {
	dlq := New(Config{Name: "q-dlq.fifo", FIFO: true, Now: clk.Now})
	q := New(Config{Name: "q.fifo", FIFO: true, VisibilityTimeout: 30 * time.Second, MaxReceiveCount: maxRecv, DLQ: dlq, Now: clk.Now})
	return q, dlq
}

func send(q *Queue, body, group, dedup string) SendResult {
	return q.Send(&SendRequest{Body: body, GroupID: group, DedupID: dedup})
}

func bodies(rs []Received) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Body)
	}
	return strings.Join(s, ",")
}

func TestFIFOOrderAndGroupLock(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1700000000, 0)}
	q, _ := newFIFO(clk, 0)
	send(q, "a1", "A", "1")
	send(q, "b1", "B", "2")
	send(q, "a2", "A", "3")
	send(q, "b2", "B", "4")
	first := q.Receive(1)
	if bodies(first) != "a1" {
		t.Fatalf("first receive %q", bodies(first))
	}
	// Group A is locked while a1 is in flight; B flows.
	if got := bodies(q.Receive(10)); got != "b1,b2" {
		t.Fatalf("second receive %q, want b1,b2", got)
	}
	if got := q.Receive(10); len(got) != 0 {
		t.Fatalf("locked groups delivered %q", bodies(got))
	}
	if err := q.Delete(first[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if got := bodies(q.Receive(10)); got != "a2" {
		t.Fatalf("after delete %q, want a2", got)
	}
	// Visibility timeout: b1/b2 were never deleted; they come back in order.
	clk.Add(31 * time.Second)
	got := q.Receive(10)
	if bodies(got) != "b1,a2,b2" {
		t.Fatalf("after visibility timeout %q", bodies(got))
	}
	for _, r := range got {
		if r.Body == "b1" && r.ReceiveCount != 2 {
			t.Errorf("b1 receive count %d, want 2", r.ReceiveCount)
		}
	}
	if err := q.Delete(first[0].ReceiptHandle); err == nil {
		t.Error("deleting with a used receipt handle succeeded")
	}
}

func TestFIFODedupWindow(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1700000000, 0)}
	q, _ := newFIFO(clk, 0)
	r1 := send(q, "x", "g", "d1")
	r2 := send(q, "y", "g", "d1")
	if !r2.Duplicate || r2.MessageID != r1.MessageID || r2.SequenceNumber != r1.SequenceNumber {
		t.Fatalf("duplicate not recognised: %+v vs %+v", r2, r1)
	}
	if q.Len() != 1 {
		t.Fatalf("duplicate enqueued: %d messages", q.Len())
	}
	// Deleting does not forget the id.
	rs := q.Receive(1)
	if err := q.Delete(rs[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	clk.Add(4*time.Minute + 59*time.Second)
	if !send(q, "z", "g", "d1").Duplicate {
		t.Fatal("dedup id forgotten inside the window")
	}
	clk.Add(2 * time.Second)
	if r := send(q, "z", "g", "d1"); r.Duplicate || r.MessageID == r1.MessageID {
		t.Fatal("dedup id still active after five minutes")
	}
}

// Expired deduplication ids are forgotten in send order without scanning
// the live ones, and an id reused after its window gets a fresh window.
func TestFIFODedupExpiryOrder(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1700000000, 0)}
	q, _ := newFIFO(clk, 0)
	for i := 0; i < 100; i++ {
		send(q, "m", "g", fmt.Sprint("early-", i))
	}
	clk.Add(3 * time.Minute)
	for i := 0; i < 100; i++ {
		send(q, "m", "g", fmt.Sprint("late-", i))
	}
	clk.Add(2*time.Minute + time.Second) // the early ids expired, the late ones not
	if r := send(q, "again", "g", "early-0"); r.Duplicate {
		t.Fatal("an expired id was still deduplicated")
	}
	if !send(q, "again", "g", "late-99").Duplicate {
		t.Fatal("a live id was forgotten")
	}
	q.mu.Lock()
	n := len(q.dedup)
	q.mu.Unlock()
	if n != 101 { // 100 late ids and early-0 reused
		t.Fatalf("%d deduplication ids kept, want 101", n)
	}
	clk.Add(4 * time.Minute) // the late ids expire; early-0's new window is still open
	if !send(q, "third", "g", "early-0").Duplicate {
		t.Fatal("a reused id lost its new window")
	}
	if send(q, "x", "g", "late-0").Duplicate {
		t.Fatal("late-0 should have expired")
	}
}

func TestContentDedup(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1700000000, 0)}
	q := New(Config{Name: "c.fifo", FIFO: true, ContentDedup: true, Now: clk.Now})
	a := q.Send(&SendRequest{Body: "same", GroupID: "g1"})
	b := q.Send(&SendRequest{Body: "same", GroupID: "g2"})
	c := q.Send(&SendRequest{Body: "other", GroupID: "g1"})
	if !b.Duplicate || a.MessageID != b.MessageID || c.Duplicate {
		t.Fatalf("content dedup: %+v %+v %+v", a, b, c)
	}
	// An explicit id takes precedence over the body hash.
	if q.Send(&SendRequest{Body: "same", GroupID: "g1", DedupID: "explicit"}).Duplicate {
		t.Fatal("explicit dedup id ignored")
	}
}

func TestRedriveToDLQ(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1700000000, 0)}
	q, dlq := newFIFO(clk, 3)
	send(q, "poison", "A", "1")
	send(q, "next", "A", "2")
	sent := q.Snapshot().Messages[0].SentTimestamp
	for i := 1; i <= 3; i++ {
		got := q.Receive(1)
		if bodies(got) != "poison" || got[0].ReceiveCount != i {
			t.Fatalf("receive %d: %q count %d", i, bodies(got), got[0].ReceiveCount)
		}
		clk.Add(31 * time.Second)
	}
	// The fourth receive moves it to the DLQ and unblocks the group.
	if got := bodies(q.Receive(10)); got != "next" {
		t.Fatalf("after redrive got %q, want next", got)
	}
	d := dlq.Snapshot()
	if len(d.Messages) != 1 || d.Messages[0].Body != "poison" || d.Messages[0].ReceiveCount != 3 {
		t.Fatalf("dlq %+v", d)
	}
	if d.Messages[0].SentTimestamp == sent {
		t.Error("FIFO dead-letter copy kept the original SentTimestamp")
	}
	if q.Snapshot().Stats.DeadLettered != 1 {
		t.Error("dead-letter count not recorded")
	}
}

func TestStandardDLQKeepsTimestampAndDelay(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1700000000, 0)}
	dlq := New(Config{Name: "d", Now: clk.Now})
	q := New(Config{Name: "s", VisibilityTimeout: time.Second, MaxReceiveCount: 1, DLQ: dlq, Now: clk.Now})
	q.Send(&SendRequest{Body: "m"})
	sent := clk.Now().UnixMilli()
	q.Receive(1)
	clk.Add(2 * time.Second)
	if got := q.Receive(1); len(got) != 0 {
		t.Fatal("message over maxReceiveCount was delivered")
	}
	if d := dlq.Snapshot(); len(d.Messages) != 1 || d.Messages[0].SentTimestamp != sent {
		t.Fatalf("standard DLQ copy: %+v", d.Messages)
	}
	q.Send(&SendRequest{Body: "later", DelaySeconds: 10})
	if len(q.Receive(1)) != 0 {
		t.Fatal("delayed message delivered early")
	}
	if at, ok := q.NextVisible(); !ok || !at.Equal(clk.Now().Add(10*time.Second)) {
		t.Fatalf("NextVisible = %v %v", at, ok)
	}
	clk.Add(10 * time.Second)
	if bodies(q.Receive(1)) != "later" {
		t.Fatal("delayed message not delivered after its delay")
	}
}

func TestResponsesAndMD5(t *testing.T) {
	q := New(Config{Name: "s"})
	r := q.Send(&SendRequest{Body: "hello"})
	if r.MD5OfBody != "5d41402abc4b2a76b9719d911017c592" {
		t.Fatalf("MD5OfMessageBody %s", r.MD5OfBody)
	}
	js := SendResponseJSON(r, "rid")
	want := `{"SendMessageResponse":{"ResponseMetadata":{"RequestId":"rid"},"SendMessageResult":{"MD5OfMessageAttributes":null,"MD5OfMessageBody":"5d41402abc4b2a76b9719d911017c592","MD5OfMessageSystemAttributes":null,"MessageId":"` + r.MessageID + `","SequenceNumber":null}}}`
	if js != want {
		t.Fatalf("got %s", js)
	}
	e := ErrorJSON(&Error{Code: "MissingParameter", Message: "m \"q\"", Type: "Sender"}, "rid")
	if e != `{"Error":{"Code":"MissingParameter","Message":"m \"q\"","Type":"Sender"},"RequestId":"rid"}` {
		t.Fatalf("error json %s", e)
	}
	a := []Attribute{{Name: "a", DataType: "String", StringValue: "1"}, {Name: "b", DataType: "Binary", BinaryValue: []byte{1}}}
	if AttributesMD5(a) == AttributesMD5(a[:1]) || len(AttributesMD5(a)) != 32 || AttributesMD5(nil) != "" {
		t.Fatal("attribute MD5 not sensitive to attributes")
	}
}
