// Written once by wsqgen v0.0.0-golden. This file is yours: wsqgen upgrade never changes it.

package main

import "context"

// Process is where this service's business logic goes. wsqgen writes this
// file once and never overwrites it: it is yours to change.
//
// It receives one WebSocket frame per call, with who sent it (see Message).
// Calls for different connections or FIFO message groups run concurrently;
// on a FIFO queue, calls for one message group run one at a time, in order.
// SQS delivers at least once, so the same Message.ID can arrive again after
// a failure or timeout: make side effects idempotent, keyed by Message.ID or
// Message.RequestID.
//
// Return the reply to send. It is encoded with encoding/json as the "result"
// field of {"requestId": ..., "messageId": ..., "result": ...}, so return a
// struct, map, string or json.RawMessage. Return nil to send no reply. The
// encoded reply must stay under 128 KB.
//
// Errors decide what happens to the message:
//   - nil: done; the message is deleted from the queue.
//   - Permanent(err): the message can never succeed (bad input); it is
//     logged and deleted, not retried.
//   - any other error: transient (a dependency is down, throttled, slow);
//     the message returns to the queue and is retried, and after the
//     queue's maxReceiveCount it moves to the dead-letter queue. On FIFO the
//     group's later messages wait behind it.
//
// Honour ctx: it ends shortly before the function's timeout, and work still
// running then is retried. Never put Body into errors or logs; logs are not
// a place for users' data.
func Process(ctx context.Context, msg Message) (any, error) {
	// The default echoes the frame back unchanged.
	return msg.Body, nil
}
