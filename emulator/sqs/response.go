package sqs

import (
	"bytes"
	"encoding/json"
)

// SendResponseJSON is SQS's JSON answer to a query-protocol SendMessage,
// as API Gateway receives it and hands it to integration response
// templates as $input: key order and explicit nulls as AWS sends them.
func SendResponseJSON(r SendResult, requestID string) string {
	var b bytes.Buffer
	b.WriteString(`{"SendMessageResponse":{"ResponseMetadata":{"RequestId":`)
	writeStr(&b, requestID)
	b.WriteString(`},"SendMessageResult":{"MD5OfMessageAttributes":`)
	writeNullable(&b, r.MD5OfAttrs)
	b.WriteString(`,"MD5OfMessageBody":`)
	writeStr(&b, r.MD5OfBody)
	b.WriteString(`,"MD5OfMessageSystemAttributes":null,"MessageId":`)
	writeStr(&b, r.MessageID)
	b.WriteString(`,"SequenceNumber":`)
	writeNullable(&b, r.SequenceNumber)
	b.WriteString(`}}}`)
	return b.String()
}

// ErrorJSON is SQS's JSON error body for the query protocol.
func ErrorJSON(e *Error, requestID string) string {
	var b bytes.Buffer
	b.WriteString(`{"Error":{"Code":`)
	writeStr(&b, e.Code)
	b.WriteString(`,"Message":`)
	writeStr(&b, e.Message)
	b.WriteString(`,"Type":`)
	writeStr(&b, e.Type)
	b.WriteString(`},"RequestId":`)
	writeStr(&b, requestID)
	b.WriteString(`}`)
	return b.String()
}

func writeStr(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

func writeNullable(b *bytes.Buffer, s string) {
	if s == "" {
		b.WriteString("null")
		return
	}
	writeStr(b, s)
}
