// Package sqs emulates the parts of Amazon SQS that an API Gateway
// WebSocket integration and a Lambda event source mapping touch: the
// query-protocol SendMessage call (form decoding and validation) and the
// queue itself (standard and FIFO).
//
// SendMessage (ParseSendMessage) decodes the application/x-www-form-urlencoded
// body that API Gateway sends after rendering the request template:
// '&' separates parameters, the first '=' separates name and value, '+' is
// a space and %XX a byte. It validates as SQS documents:
//   - Action must be SendMessage (MissingAction / InvalidAction);
//   - MessageBody is required and limited to SQS's character set
//     (MissingParameter / InvalidMessageContents);
//   - FIFO: MessageGroupId is required (400 MissingParameter), and a
//     MessageDeduplicationId unless content-based deduplication is on; both
//     are 1-128 characters of 0x21-0x7E; DelaySeconds is refused;
//   - standard: MessageDeduplicationId is refused, MessageGroupId allowed
//     (fair queues);
//   - MessageAttribute.N.{Name,Value.DataType,Value.StringValue,
//     Value.BinaryValue}: at most 10, non-empty names and values, valid
//     names, unique names, Number values must parse;
//   - body plus attributes at most MaximumMessageSize (256 KiB default).
//
// SQS does not document what it does with a repeated parameter or one it
// does not know. The emulator refuses both with 400 InvalidQueryParameter,
// because the one thing that matters for a generated template is that an
// injected "&MessageDeduplicationId=..." or "&MessageAttribute.1.Name=..."
// can never pass unnoticed; a correct template produces neither.
//
// Responses are the JSON SQS returns to API Gateway
// ({"SendMessageResponse":{"ResponseMetadata":{...},"SendMessageResult":{...}}}
// and {"Error":{"Code","Message","Type"},"RequestId"}), with MD5OfMessageBody
// and MD5OfMessageAttributes computed as SQS does.
//
// The Queue models: at-least-once delivery in send order (standard queues
// never duplicate or reorder here), FIFO ordering per message group with
// group locking (a group with a message in flight delivers nothing more
// until that message is deleted or becomes visible), the five-minute
// deduplication window by id or body SHA-256 that survives deletion, the
// visibility timeout, ApproximateReceiveCount, per-message DelaySeconds
// (standard), and redrive to a dead-letter queue once a message has been
// received MaxReceiveCount times (on its next receive, as SQS does). A
// standard queue's dead-lettered copy keeps its original SentTimestamp; a
// FIFO one gets a new one. Retention periods, long polling, high-throughput
// FIFO and throttling are not modelled.
package sqs
