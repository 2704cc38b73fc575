package esm

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsqgen/wsqgen/emulator/lambdart"
	"github.com/wsqgen/wsqgen/emulator/sqs"
)

type event struct {
	Records []Record
}

// run sends bodies, lets one batch be processed by respond, and returns
// the bodies still in the queue.
func run(t *testing.T, report bool, bodies []string, respond func(ev event) lambdart.Result) []string {
	t.Helper()
	q := sqs.New(sqs.Config{Name: "q", VisibilityTimeout: time.Hour})
	for _, b := range bodies {
		q.Send(&sqs.SendRequest{Body: b})
	}
	done := make(chan struct{})
	var once sync.Once
	m := Start(Config{Queue: q, BatchSize: 10, ReportBatchItemFailures: report, Invoke: func(_ context.Context, p []byte) lambdart.Result {
		var ev event
		if err := json.Unmarshal(p, &ev); err != nil {
			t.Errorf("event: %v", err)
		}
		r := respond(ev)
		once.Do(func() { close(done) })
		return r
	}})
	<-done
	m.Close()
	var left []string
	for _, s := range q.Snapshot().Messages {
		left = append(left, s.Body)
	}
	return left
}

func ok(payload string) lambdart.Result { return lambdart.Result{Payload: []byte(payload)} }

func TestPartialBatchRules(t *testing.T) {
	bodies := []string{"a", "b", "c"}
	idOf := func(ev event, body string) string {
		for _, r := range ev.Records {
			if r.Body == body {
				return r.MessageID
			}
		}
		return "?"
	}
	cases := []struct {
		name    string
		report  bool
		respond func(ev event) lambdart.Result
		left    string
	}{
		{"empty response", true, func(event) lambdart.Result { return ok("") }, ""},
		{"null response", true, func(event) lambdart.Result { return ok("null") }, ""},
		{"empty object", true, func(event) lambdart.Result { return ok("{}") }, ""},
		{"empty list", true, func(event) lambdart.Result { return ok(`{"batchItemFailures":[]}`) }, ""},
		{"null list", true, func(event) lambdart.Result { return ok(`{"batchItemFailures":null}`) }, ""},
		{"one listed", true, func(ev event) lambdart.Result {
			return ok(`{"batchItemFailures":[{"itemIdentifier":"` + idOf(ev, "b") + `"}]}`)
		}, "b"},
		{"unknown id fails all", true, func(event) lambdart.Result {
			return ok(`{"batchItemFailures":[{"itemIdentifier":"not-in-batch"}]}`)
		}, "a,b,c"},
		{"empty id fails all", true, func(event) lambdart.Result { return ok(`{"batchItemFailures":[{"itemIdentifier":""}]}`) }, "a,b,c"},
		{"null id fails all", true, func(event) lambdart.Result { return ok(`{"batchItemFailures":[{"itemIdentifier":null}]}`) }, "a,b,c"},
		{"wrong key fails all", true, func(ev event) lambdart.Result {
			return ok(`{"batchItemFailures":[{"itemId":"` + idOf(ev, "a") + `"}]}`)
		}, "a,b,c"},
		{"invalid json fails all", true, func(event) lambdart.Result { return ok(`{"batchItemFailures":`) }, "a,b,c"},
		{"non-object fails all", true, func(event) lambdart.Result { return ok(`"done"`) }, "a,b,c"},
		{"function error", true, func(event) lambdart.Result {
			return lambdart.Result{Err: &lambdart.FunctionError{Type: "Boom"}}
		}, "a,b,c"},
		{"timeout", true, func(event) lambdart.Result {
			return lambdart.Result{TimedOut: true, Err: &lambdart.FunctionError{Type: "Sandbox.Timedout"}}
		}, "a,b,c"},
		{"list ignored without ReportBatchItemFailures", false, func(ev event) lambdart.Result {
			return ok(`{"batchItemFailures":[{"itemIdentifier":"` + idOf(ev, "b") + `"}]}`)
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := strings.Join(run(t, c.report, bodies, c.respond), ","); got != c.left {
				t.Fatalf("left in queue %q, want %q", got, c.left)
			}
		})
	}
}

func TestEventShape(t *testing.T) {
	q := sqs.New(sqs.Config{Name: "q.fifo", FIFO: true, Region: "eu-west-1", Account: "123456789012", VisibilityTimeout: time.Minute})
	q.Send(&sqs.SendRequest{Body: "hi", GroupID: "g", DedupID: "d", Attributes: []sqs.Attribute{{Name: "connectionId", DataType: "String", StringValue: "abc="}}})
	got := make(chan []byte, 1)
	m := Start(Config{Queue: q, Region: "eu-west-1", Invoke: func(_ context.Context, p []byte) lambdart.Result {
		got <- p
		return ok("")
	}})
	p := <-got
	m.Close()
	var ev map[string][]map[string]any
	if err := json.Unmarshal(p, &ev); err != nil {
		t.Fatal(err)
	}
	r := ev["Records"][0]
	attrs := r["attributes"].(map[string]any)
	ma := r["messageAttributes"].(map[string]any)["connectionId"].(map[string]any)
	checks := map[string]any{
		"eventSource": r["eventSource"], "eventSourceARN": r["eventSourceARN"], "awsRegion": r["awsRegion"],
		"group": attrs["MessageGroupId"], "dedup": attrs["MessageDeduplicationId"], "count": attrs["ApproximateReceiveCount"],
		"stringValue": ma["stringValue"], "dataType": ma["dataType"], "body": r["body"],
	}
	want := map[string]any{
		"eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q.fifo", "awsRegion": "eu-west-1",
		"group": "g", "dedup": "d", "count": "1", "stringValue": "abc=", "dataType": "String", "body": "hi",
	}
	for k, v := range want {
		if checks[k] != v {
			t.Errorf("%s = %v, want %v", k, checks[k], v)
		}
	}
	for _, k := range []string{"messageId", "receiptHandle", "md5OfBody", "md5OfMessageAttributes"} {
		if s, _ := r[k].(string); s == "" {
			t.Errorf("%s missing", k)
		}
	}
	if _, ok := attrs["SentTimestamp"]; !ok {
		t.Error("SentTimestamp missing")
	}
	if q.Len() != 0 {
		t.Error("successful batch not deleted")
	}
}

func TestFIFOBatchesKeepGroupOrderAcrossFailures(t *testing.T) {
	q := sqs.New(sqs.Config{Name: "q.fifo", FIFO: true, VisibilityTimeout: 100 * time.Millisecond})
	for i, b := range []string{"a1", "a2", "a3", "b1", "b2"} {
		q.Send(&sqs.SendRequest{Body: b, GroupID: b[:1], DedupID: string(rune('0' + i))})
	}
	var mu sync.Mutex
	var seen []string
	failedOnce := false
	done := make(chan struct{})
	m := Start(Config{Queue: q, BatchSize: 2, Concurrency: 3, ReportBatchItemFailures: true, Invoke: func(_ context.Context, p []byte) lambdart.Result {
		var ev event
		_ = json.Unmarshal(p, &ev)
		mu.Lock()
		defer mu.Unlock()
		var failures []string
		for i, r := range ev.Records {
			if r.Body == "a2" && !failedOnce {
				failedOnce = true
				// FIFO handlers report the failure and everything after it.
				for _, rest := range ev.Records[i:] {
					failures = append(failures, `{"itemIdentifier":"`+rest.MessageID+`"}`)
				}
				break
			}
			seen = append(seen, r.Body)
		}
		if len(seen) == 5 {
			close(done)
		}
		return ok(`{"batchItemFailures":[` + strings.Join(failures, ",") + `]}`)
	}})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("only processed %v", seen)
	}
	m.Close()
	var a, b []string
	for _, s := range seen {
		if s[0] == 'a' {
			a = append(a, s)
		} else {
			b = append(b, s)
		}
	}
	if strings.Join(a, ",") != "a1,a2,a3" || strings.Join(b, ",") != "b1,b2" {
		t.Fatalf("group order broken: %v", seen)
	}
}

func TestBatchWindowGathersStandardBatches(t *testing.T) {
	q := sqs.New(sqs.Config{Name: "s", VisibilityTimeout: time.Minute})
	sizes := make(chan int, 10)
	m := Start(Config{Queue: q, BatchSize: 5, BatchWindow: 300 * time.Millisecond, Invoke: func(_ context.Context, p []byte) lambdart.Result {
		var ev event
		_ = json.Unmarshal(p, &ev)
		sizes <- len(ev.Records)
		return ok("")
	}})
	defer m.Close()
	for i := 0; i < 3; i++ {
		q.Send(&sqs.SendRequest{Body: "m"})
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case n := <-sizes:
		if n != 3 {
			t.Fatalf("window batch had %d records, want 3", n)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no batch")
	}
}
