package sqs

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is an SQS error response.
type Error struct {
	Status  int    // HTTP status
	Code    string // e.g. "MissingParameter"
	Message string
	Type    string // "Sender" or "Receiver"
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func senderErr(code, format string, a ...any) *Error {
	return &Error{Status: 400, Code: code, Message: fmt.Sprintf(format, a...), Type: "Sender"}
}

// Attribute is a message attribute as SQS stores it.
type Attribute struct {
	Name        string
	DataType    string // "String", "Number", "Binary", optionally ".custom"
	StringValue string
	BinaryValue []byte
}

// SendRequest is a decoded, validated SendMessage call.
type SendRequest struct {
	Body         string
	GroupID      string
	DedupID      string
	DelaySeconds int
	Attributes   []Attribute // sorted by name
	TraceHeader  string      // MessageSystemAttribute AWSTraceHeader
}

// DecodeForm splits an application/x-www-form-urlencoded body into
// parameters in order, the way a servlet-style query parser does: pairs
// split on '&', name and value on the first '=', '+' is a space, %XX is a
// byte. Empty pairs are skipped. A malformed escape is an error.
func DecodeForm(body string) ([][2]string, *Error) {
	var out [][2]string
	for _, pair := range strings.Split(body, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		dk, ok1 := formUnescape(k)
		dv, ok2 := formUnescape(v)
		if !ok1 || !ok2 {
			return nil, &Error{Status: 404, Code: "MalformedQueryString", Type: "Sender",
				Message: fmt.Sprintf("The query string contains a syntax error near %q.", pair)}
		}
		out = append(out, [2]string{dk, dv})
	}
	return out, nil
}

func formUnescape(s string) (string, bool) {
	if !strings.ContainsAny(s, "+%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			h, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(h))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// QueueKind is what parameter validation needs to know about the queue.
type QueueKind struct {
	FIFO           bool
	ContentDedup   bool
	MaxMessageSize int // bytes; 0 means 262144
}

// DefaultMaxMessageSize is the MaximumMessageSize queue attribute default.
const DefaultMaxMessageSize = 262144

// ParseSendMessage decodes and validates a form-encoded SendMessage body
// exactly as the SQS query API sees it, so encoding bugs and parameter
// injection in a mapping template surface as they would on AWS.
func ParseSendMessage(form string, q QueueKind) (*SendRequest, *Error) {
	params, e := DecodeForm(form)
	if e != nil {
		return nil, e
	}
	seen := map[string]bool{}
	get := map[string]string{}
	attrs := map[int]map[string]string{}
	sysAttrs := map[int]map[string]string{}
	for _, kv := range params {
		k, v := kv[0], kv[1]
		if seen[k] {
			// SQS does not document which copy of a repeated parameter wins;
			// refusing the call keeps an injected duplicate from passing
			// silently. A correct template never repeats a parameter.
			return nil, senderErr("InvalidQueryParameter", "The parameter %s is specified more than once.", k)
		}
		seen[k] = true
		switch k {
		case "Action", "Version", "QueueUrl", "MessageBody", "DelaySeconds", "MessageGroupId", "MessageDeduplicationId":
			get[k] = v
			continue
		}
		if n, field, ok := indexed(k, "MessageAttribute."); ok && validAttrField(field) {
			if attrs[n] == nil {
				attrs[n] = map[string]string{}
			}
			attrs[n][field] = v
			continue
		}
		if n, field, ok := indexed(k, "MessageSystemAttribute."); ok && validAttrField(field) {
			if sysAttrs[n] == nil {
				sysAttrs[n] = map[string]string{}
			}
			sysAttrs[n][field] = v
			continue
		}
		// Unknown parameters are refused for the same reason as duplicates:
		// an injected "&x=y" must not disappear without a trace.
		return nil, senderErr("InvalidQueryParameter", "The parameter %s is not recognized for SendMessage.", k)
	}

	action, ok := get["Action"]
	if !ok || action == "" {
		return nil, senderErr("MissingAction", "The request must contain the parameter Action.")
	}
	if action != "SendMessage" {
		return nil, senderErr("InvalidAction", "The action %s is not valid for this endpoint.", action)
	}

	req := &SendRequest{}
	body, ok := get["MessageBody"]
	if !ok || body == "" {
		return nil, senderErr("MissingParameter", "The request must contain the parameter MessageBody.")
	}
	if err := validBodyChars(body); err != nil {
		return nil, err
	}
	req.Body = body

	if d, ok := get["DelaySeconds"]; ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 900 {
			return nil, senderErr("InvalidParameterValue", "Value %s for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", d)
		}
		if q.FIFO {
			return nil, senderErr("InvalidParameterValue", "Value %s for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", d)
		}
		req.DelaySeconds = n
	}

	if g, ok := get["MessageGroupId"]; ok {
		if !validID(g) {
			return nil, senderErr("InvalidParameterValue", "Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", g)
		}
		req.GroupID = g
	} else if q.FIFO {
		return nil, senderErr("MissingParameter", "The request must contain the parameter MessageGroupId.")
	}

	if d, ok := get["MessageDeduplicationId"]; ok {
		if !q.FIFO {
			return nil, senderErr("InvalidParameterValue", "The request include parameter that is not valid for this queue type")
		}
		if !validID(d) {
			return nil, senderErr("InvalidParameterValue", "Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", d)
		}
		req.DedupID = d
	} else if q.FIFO && !q.ContentDedup {
		return nil, senderErr("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}

	as, e := buildAttributes(attrs)
	if e != nil {
		return nil, e
	}
	req.Attributes = as

	for _, n := range sortedIndexes(sysAttrs) {
		f := sysAttrs[n]
		if f["Name"] != "AWSTraceHeader" {
			return nil, senderErr("InvalidParameterValue", "Message system attribute name '%s' is invalid.", f["Name"])
		}
		if f["Value.DataType"] != "String" || f["Value.StringValue"] == "" {
			return nil, senderErr("InvalidParameterValue", "Message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.")
		}
		req.TraceHeader = f["Value.StringValue"]
	}

	max := q.MaxMessageSize
	if max <= 0 {
		max = DefaultMaxMessageSize
	}
	if size := messageSize(req); size > max {
		return nil, senderErr("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", max)
	}
	return req, nil
}

// indexed splits "Prefix.N.Field" into N and Field.
func indexed(k, prefix string) (int, string, bool) {
	if !strings.HasPrefix(k, prefix) {
		return 0, "", false
	}
	rest := k[len(prefix):]
	num, field, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strconv.Itoa(n) != num {
		return 0, "", false
	}
	return n, field, true
}

func validAttrField(f string) bool {
	switch f {
	case "Name", "Value.DataType", "Value.StringValue", "Value.BinaryValue":
		return true
	}
	return false
}

func sortedIndexes(m map[int]map[string]string) []int {
	ns := make([]int, 0, len(m))
	for n := range m {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	return ns
}

// MaxAttributes is SQS's limit on message attributes per message.
const MaxAttributes = 10

func buildAttributes(attrs map[int]map[string]string) ([]Attribute, *Error) {
	if len(attrs) > MaxAttributes {
		return nil, senderErr("InvalidParameterValue", "Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), MaxAttributes)
	}
	var out []Attribute
	names := map[string]bool{}
	for _, n := range sortedIndexes(attrs) {
		f := attrs[n]
		name, ok := f["Name"]
		if !ok || name == "" {
			return nil, senderErr("InvalidParameterValue", "The request must contain non-empty message attribute name.")
		}
		if err := validAttrName(name); err != nil {
			return nil, err
		}
		if names[name] {
			return nil, senderErr("InvalidParameterValue", "Message (user) attribute name '%s' is already specified.", name)
		}
		names[name] = true
		dt := f["Value.DataType"]
		if dt == "" {
			return nil, senderErr("InvalidParameterValue", "The message attribute '%s' must contain non-empty message attribute type.", name)
		}
		base, _, _ := strings.Cut(dt, ".")
		a := Attribute{Name: name, DataType: dt}
		switch base {
		case "String", "Number":
			sv, ok := f["Value.StringValue"]
			if !ok || sv == "" {
				return nil, senderErr("InvalidParameterValue", "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, base)
			}
			if _, has := f["Value.BinaryValue"]; has {
				return nil, senderErr("InvalidParameterValue", "The message attribute '%s' with type '%s' must use field 'String'.", name, base)
			}
			if err := validBodyChars(sv); err != nil {
				return nil, senderErr("InvalidParameterValue", "Message (user) attribute '%s' value contains invalid characters.", name)
			}
			if base == "Number" {
				if _, ok := new(big.Float).SetString(sv); !ok {
					return nil, senderErr("InvalidParameterValue", "Can't cast the value of message (user) attribute '%s' to a number.", name)
				}
			}
			a.StringValue = sv
		case "Binary":
			bv, ok := f["Value.BinaryValue"]
			if !ok || bv == "" {
				return nil, senderErr("InvalidParameterValue", "The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			raw, err := base64.StdEncoding.DecodeString(bv)
			if err != nil {
				return nil, senderErr("InvalidParameterValue", "The message attribute '%s' has an invalid base64 binary value.", name)
			}
			a.BinaryValue = raw
		default:
			return nil, senderErr("InvalidParameterValue", "The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func validAttrName(n string) *Error {
	bad := len(n) > 256 || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".") || strings.Contains(n, "..")
	low := strings.ToLower(n)
	if strings.HasPrefix(low, "aws.") || strings.HasPrefix(low, "amazon.") {
		bad = true
	}
	for i := 0; i < len(n) && !bad; i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			bad = true
		}
	}
	if bad {
		return senderErr("InvalidParameterValue", "Message (user) attribute name '%s' is invalid. Names can contain alphanumerics, '_', '-' and '.', and can't start with AWS. or Amazon.", n)
	}
	return nil
}

// validID checks MessageGroupId/MessageDeduplicationId: 1-128 characters
// of printable ASCII without space (0x21-0x7E).
func validID(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// validBodyChars applies SQS's allowed character set: #x9 | #xA | #xD |
// #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF, in valid UTF-8.
func validBodyChars(s string) *Error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return senderErr("InvalidMessageContents", "Invalid binary character was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
		}
		ok := r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if !ok {
			return senderErr("InvalidMessageContents", "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r)
		}
		i += size
	}
	return nil
}

// messageSize counts the body and every attribute's name, type and value,
// as SQS does against MaximumMessageSize.
func messageSize(r *SendRequest) int {
	n := len(r.Body)
	for _, a := range r.Attributes {
		n += len(a.Name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}
