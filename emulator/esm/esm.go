// Package esm emulates a Lambda event source mapping for SQS: pollers that
// receive batches from a queue, invoke the function with an SQS event in
// Lambda's JSON shape, and delete or leave messages according to the
// result.
//
// Rules, from the Lambda developer guide ("Handling errors for an SQS
// event source", "Implementing partial batch responses"):
//   - a function error, crash or timeout fails the whole batch: nothing is
//     deleted and every message becomes visible again when its visibility
//     timeout ends (no extra backoff is modelled);
//   - without ReportBatchItemFailures a successful invocation deletes the
//     whole batch, whatever the function returned;
//   - with it, an empty or null response, an empty object, or an empty or
//     null batchItemFailures list is complete success; listed itemIdentifiers
//     stay in the queue; an empty, missing or unknown itemIdentifier, or a
//     response that is not a JSON object, fails the whole batch.
//
// Batching: up to BatchSize messages; on a standard queue the mapping waits
// up to BatchWindow for a fuller batch (Lambda ignores the window for FIFO).
// FIFO batches come from the queue in group order, and a group stays
// locked while its messages are in flight, so a failed message blocks its
// group until it is deleted or dead-lettered. The 6 MB payload split and
// FilterCriteria are not modelled.
package esm

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsqgen/wsqgen/emulator/lambdart"
	"github.com/wsqgen/wsqgen/emulator/sqs"
)

// Invoker runs the function.
type Invoker func(ctx context.Context, payload []byte) lambdart.Result

// Config configures a mapping.
type Config struct {
	Queue                   *sqs.Queue
	Invoke                  Invoker
	BatchSize               int
	BatchWindow             time.Duration
	ReportBatchItemFailures bool
	// Concurrency is the number of batches in flight at once; 0 means 1.
	Concurrency int
	Region      string
	// Intercept, when set, sees each batch before the function does and
	// may replace the invocation (fault injection). It returns the
	// records to pass on, ids to report as failed on the function's
	// behalf, and, if non-nil, a result to use instead of invoking.
	Intercept func(records []Record) (pass []Record, failed []string, replace *lambdart.Result)
	Log       func(kind string, kv ...any)
}

// Stats counts mapping activity.
type Stats struct {
	Batches         int64 `json:"batches"`
	Records         int64 `json:"records"`
	FunctionErrors  int64 `json:"functionErrors"`
	Timeouts        int64 `json:"timeouts"`
	PartialFailures int64 `json:"partialFailures"`
	InvalidResponse int64 `json:"invalidResponses"`
	Deleted         int64 `json:"deleted"`
}

// Mapping is a running event source mapping.
type Mapping struct {
	cfg    Config
	cancel context.CancelFunc
	wg     sync.WaitGroup
	stats  struct{ batches, records, fnErr, timeouts, partial, invalid, deleted atomic.Int64 }
}

// Start starts the pollers.
func Start(cfg Config) *Mapping {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 10
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	if cfg.Queue.Config().FIFO {
		cfg.BatchWindow = 0
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Mapping{cfg: cfg, cancel: cancel}
	for i := 0; i < cfg.Concurrency; i++ {
		m.wg.Add(1)
		go m.poll(ctx)
	}
	return m
}

// Close stops polling and waits for running invocations.
func (m *Mapping) Close() {
	m.cancel()
	m.wg.Wait()
}

// Stats returns the counters.
func (m *Mapping) Stats() Stats {
	s := &m.stats
	return Stats{s.batches.Load(), s.records.Load(), s.fnErr.Load(), s.timeouts.Load(), s.partial.Load(), s.invalid.Load(), s.deleted.Load()}
}

// wait sleeps until the queue changes, a message becomes visible, d
// passes (if > 0) or ctx ends.
func (m *Mapping) wait(ctx context.Context, d time.Duration) {
	q := m.cfg.Queue
	changed := q.Changed()
	sleep := time.Hour
	if at, ok := q.NextVisible(); ok {
		sleep = time.Until(at)
	}
	if d > 0 && d < sleep {
		sleep = d
	}
	if sleep < time.Millisecond {
		sleep = time.Millisecond
	}
	t := time.NewTimer(sleep)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-changed:
	case <-t.C:
	}
}

func (m *Mapping) poll(ctx context.Context) {
	defer m.wg.Done()
	q := m.cfg.Queue
	for ctx.Err() == nil {
		batch := q.Receive(m.cfg.BatchSize)
		if len(batch) == 0 {
			m.wait(ctx, 0)
			continue
		}
		if w := m.cfg.BatchWindow; w > 0 && len(batch) < m.cfg.BatchSize {
			deadline := time.Now().Add(w)
			for len(batch) < m.cfg.BatchSize && ctx.Err() == nil {
				left := time.Until(deadline)
				if left <= 0 {
					break
				}
				m.wait(ctx, left)
				batch = append(batch, q.Receive(m.cfg.BatchSize-len(batch))...)
			}
		}
		m.process(ctx, batch)
	}
}

// Record is one entry of the SQS event, as events.SQSMessage marshals it.
type Record struct {
	MessageID              string                      `json:"messageId"`
	ReceiptHandle          string                      `json:"receiptHandle"`
	Body                   string                      `json:"body"`
	Md5OfBody              string                      `json:"md5OfBody"`
	Md5OfMessageAttributes *string                     `json:"md5OfMessageAttributes"`
	Attributes             map[string]string           `json:"attributes"`
	MessageAttributes      map[string]MessageAttribute `json:"messageAttributes"`
	EventSourceARN         string                      `json:"eventSourceARN"`
	EventSource            string                      `json:"eventSource"`
	AWSRegion              string                      `json:"awsRegion"`
}

// MessageAttribute is an attribute in the Lambda event's shape.
type MessageAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// NewRecord converts a received message into an event record.
func NewRecord(r sqs.Received, arn, region string, fifo bool) Record {
	rec := Record{
		MessageID:         r.ID,
		ReceiptHandle:     r.ReceiptHandle,
		Body:              r.Body,
		Md5OfBody:         r.MD5OfBody,
		EventSourceARN:    arn,
		EventSource:       "aws:sqs",
		AWSRegion:         region,
		MessageAttributes: map[string]MessageAttribute{},
		Attributes: map[string]string{
			"ApproximateReceiveCount":          strconv.Itoa(r.ReceiveCount),
			"SentTimestamp":                    strconv.FormatInt(r.SentAt.UnixMilli(), 10),
			"SenderId":                         "AROAEMULATOR:apigateway",
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(r.FirstReceiveAt.UnixMilli(), 10),
		},
	}
	if r.MD5OfAttrs != "" {
		s := r.MD5OfAttrs
		rec.Md5OfMessageAttributes = &s
	}
	if fifo {
		rec.Attributes["SequenceNumber"] = r.SequenceNumber
		rec.Attributes["MessageGroupId"] = r.GroupID
		rec.Attributes["MessageDeduplicationId"] = r.DedupID
	} else if r.GroupID != "" {
		rec.Attributes["MessageGroupId"] = r.GroupID
	}
	if r.TraceHeader != "" {
		rec.Attributes["AWSTraceHeader"] = r.TraceHeader
	}
	for _, a := range r.Attributes {
		ma := MessageAttribute{DataType: a.DataType, StringListValues: []string{}, BinaryListValues: [][]byte{}}
		if a.BinaryValue != nil {
			ma.BinaryValue = a.BinaryValue
		} else {
			s := a.StringValue
			ma.StringValue = &s
		}
		rec.MessageAttributes[a.Name] = ma
	}
	return rec
}

func (m *Mapping) process(ctx context.Context, batch []sqs.Received) {
	q := m.cfg.Queue
	fifo := q.Config().FIFO
	records := make([]Record, len(batch))
	ids := make([]any, 0, len(batch))
	for i, r := range batch {
		records[i] = NewRecord(r, q.ARN(), m.cfg.Region, fifo)
		ids = append(ids, r.ID)
	}
	m.stats.batches.Add(1)
	m.stats.records.Add(int64(len(batch)))
	m.cfg.Log("batch", "size", len(batch), "messageIds", ids)

	pass := records
	var injected []string
	var res lambdart.Result
	var replaced *lambdart.Result
	if m.cfg.Intercept != nil {
		pass, injected, replaced = m.cfg.Intercept(records)
	}
	switch {
	case replaced != nil:
		res = *replaced
	case len(pass) == 0:
		res = lambdart.Result{Payload: []byte(`{}`)}
	default:
		payload, _ := json.Marshal(map[string]any{"Records": pass})
		res = m.cfg.Invoke(ctx, payload)
	}
	if ctx.Err() != nil && res.Err != nil {
		return // shutting down: leave the batch to its visibility timeout
	}
	if res.Err != nil {
		if res.TimedOut {
			m.stats.timeouts.Add(1)
		} else {
			m.stats.fnErr.Add(1)
		}
		m.cfg.Log("retry", "reason", res.Err.Error(), "requestId", res.RequestID, "messageIds", ids)
		return
	}
	failed := map[string]bool{}
	for _, id := range injected {
		failed[id] = true
	}
	if m.cfg.ReportBatchItemFailures {
		listed, ok := ParseBatchResponse(res.Payload, batch)
		if !ok {
			m.stats.invalid.Add(1)
			m.cfg.Log("retry", "reason", "invalid partial batch response: whole batch failed", "response", string(res.Payload), "messageIds", ids)
			return
		}
		for _, id := range listed {
			failed[id] = true
		}
	}
	if len(failed) > 0 {
		m.stats.partial.Add(1)
		var fl []any
		for id := range failed {
			fl = append(fl, id)
		}
		m.cfg.Log("retry", "reason", "batch item failures", "messageIds", fl)
	}
	for _, r := range batch {
		if failed[r.ID] {
			continue
		}
		if err := q.Delete(r.ReceiptHandle); err == nil {
			m.stats.deleted.Add(1)
		} else {
			m.cfg.Log("delete-failed", "messageId", r.ID, "error", err.Error())
		}
	}
}

// ParseBatchResponse applies Lambda's partial batch response rules. It
// returns the ids to keep and false when the whole batch must be treated
// as failed.
func ParseBatchResponse(payload []byte, batch []sqs.Received) ([]string, bool) {
	trimmed := string(payload)
	if len(payload) == 0 || trimmed == "null" {
		return nil, true
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(payload, &resp); err != nil {
		return nil, false
	}
	raw, ok := resp["batchItemFailures"]
	if !ok || string(raw) == "null" {
		return nil, true
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false
	}
	known := map[string]bool{}
	for _, r := range batch {
		known[r.ID] = true
	}
	var out []string
	for _, it := range items {
		var id *string
		if err := json.Unmarshal(it["itemIdentifier"], &id); err != nil || id == nil || *id == "" || !known[*id] {
			return nil, false
		}
		out = append(out, *id)
	}
	return out, true
}
