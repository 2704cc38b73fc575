// Package dynamo emulates the one DynamoDB table a broadcast project uses as
// its connection registry. API Gateway's $connect and $disconnect
// integrations write it (Put/Delete here); the function reads it through
// AWS_ENDPOINT_URL_DYNAMODB with the AWS JSON 1.0 protocol, of which
// Scan (with Limit, ExclusiveStartKey and LastEvaluatedKey pagination,
// pages capped at 1 MB as DynamoDB caps them, and ProjectionExpression),
// DeleteItem, GetItem and PutItem are served. Responses carry the
// X-Amz-Crc32 header the AWS SDKs verify.
//
// Expressions that would change results (FilterExpression,
// ConditionExpression, KeyConditionExpression, ...) are refused with a
// ValidationException rather than silently ignored.
package dynamo

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Item is a DynamoDB item in its wire form: attribute name to an
// AttributeValue object such as {"S":"abc"}.
type Item map[string]json.RawMessage

// Table is a table with a single string hash key.
type Table struct {
	Name    string
	KeyAttr string
	// PageBytes caps a Scan page; 0 means DynamoDB's 1 MB.
	PageBytes int

	mu    sync.Mutex
	order []string // keys in insertion order: scans are stable across pages
	items map[string]Item
}

// NewTable creates an empty table.
func NewTable(name, keyAttr string) *Table {
	return &Table{Name: name, KeyAttr: keyAttr, items: map[string]Item{}}
}

// S is a string AttributeValue.
func S(s string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"S": s})
	return b
}

// N is a number AttributeValue.
func N(n int64) json.RawMessage {
	return json.RawMessage(`{"N":"` + strconv.FormatInt(n, 10) + `"}`)
}

// Put stores item, which must carry the key attribute as a string.
func (t *Table) Put(item Item) error {
	k, err := t.keyOf(item)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.items[k]; !ok {
		t.order = append(t.order, k)
	}
	t.items[k] = item
	return nil
}

// Delete removes the item with key k and returns it.
func (t *Table) Delete(k string) Item {
	t.mu.Lock()
	defer t.mu.Unlock()
	it, ok := t.items[k]
	if !ok {
		return nil
	}
	delete(t.items, k)
	for i, o := range t.order {
		if o == k {
			t.order = append(t.order[:i], t.order[i+1:]...)
			break
		}
	}
	return it
}

// Keys returns every key in insertion order.
func (t *Table) Keys() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.order...)
}

func (t *Table) keyOf(item Item) (string, error) {
	raw, ok := item[t.KeyAttr]
	if !ok {
		return "", fmt.Errorf("One or more parameter values were invalid: Missing the key %s in the item", t.KeyAttr)
	}
	var av struct{ S *string }
	if err := json.Unmarshal(raw, &av); err != nil || av.S == nil {
		return "", fmt.Errorf("One or more parameter values were invalid: Type mismatch for key %s expected: S", t.KeyAttr)
	}
	return *av.S, nil
}

type apiError struct {
	status int
	typ    string
	msg    string
}

func validation(format string, a ...any) *apiError {
	return &apiError{400, "com.amazon.coral.validate#ValidationException", fmt.Sprintf(format, a...)}
}

// ServeHTTP serves the JSON 1.0 protocol (POST /, X-Amz-Target:
// DynamoDB_20120810.<Operation>). Requests are not signature-checked.
func (t *Table) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op := strings.TrimPrefix(target, "DynamoDB_20120810.")
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		writeErr(w, validation("%v", err))
		return
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil {
		writeErr(w, &apiError{400, "com.amazon.coral.service#SerializationException", "Start of structure or map found where not expected"})
		return
	}
	var name string
	_ = json.Unmarshal(req["TableName"], &name)
	if op == target || op == "" {
		writeErr(w, &apiError{400, "com.amazon.coral.service#UnknownOperationException", ""})
		return
	}
	if name != t.Name {
		writeErr(w, &apiError{400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "Requested resource not found"})
		return
	}
	for _, k := range []string{"FilterExpression", "ConditionExpression", "KeyConditionExpression", "ScanFilter", "Expected", "UpdateExpression", "Segment", "TotalSegments", "IndexName"} {
		if _, ok := req[k]; ok {
			writeErr(w, validation("%s is not supported by the wsqgen emulator", k))
			return
		}
	}
	var resp any
	var aerr *apiError
	switch op {
	case "Scan":
		resp, aerr = t.scan(req)
	case "DeleteItem":
		resp, aerr = t.deleteItem(req)
	case "GetItem":
		resp, aerr = t.getItem(req)
	case "PutItem":
		resp, aerr = t.putItem(req)
	default:
		aerr = &apiError{400, "com.amazon.coral.service#UnknownOperationException", "operation " + op + " is not served by the wsqgen emulator"}
	}
	if aerr != nil {
		writeErr(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeErr(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, map[string]string{"__type": e.typ, "message": e.msg})
}

func (t *Table) keyFromRequest(raw json.RawMessage) (string, *apiError) {
	var key Item
	if err := json.Unmarshal(raw, &key); err != nil || len(key) != 1 {
		return "", validation("The provided key element does not match the schema")
	}
	k, err := t.keyOf(key)
	if err != nil {
		return "", validation("The provided key element does not match the schema")
	}
	return k, nil
}

func (t *Table) scan(req map[string]json.RawMessage) (any, *apiError) {
	limit := 0
	if raw, ok := req["Limit"]; ok {
		if err := json.Unmarshal(raw, &limit); err != nil || limit < 1 {
			return nil, validation("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
		}
	}
	var proj []string
	if raw, ok := req["ProjectionExpression"]; ok {
		var pe string
		_ = json.Unmarshal(raw, &pe)
		names := map[string]string{}
		_ = json.Unmarshal(req["ExpressionAttributeNames"], &names)
		for _, p := range strings.Split(pe, ",") {
			p = strings.TrimSpace(p)
			if n, ok := names[p]; ok {
				p = n
			}
			proj = append(proj, p)
		}
	}
	start := ""
	if raw, ok := req["ExclusiveStartKey"]; ok {
		k, e := t.keyFromRequest(raw)
		if e != nil {
			return nil, e
		}
		start = k
	}
	pageBytes := t.PageBytes
	if pageBytes <= 0 {
		pageBytes = 1 << 20
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	i := 0
	if start != "" {
		i = len(t.order)
		for j, k := range t.order {
			if k == start {
				i = j + 1
				break
			}
		}
	}
	items := []Item{}
	size := 0
	var last string
	stopped := false
	for ; i < len(t.order); i++ {
		if limit > 0 && len(items) == limit {
			stopped = true
			break
		}
		k := t.order[i]
		it := t.items[k]
		sz := itemSize(it)
		if size+sz > pageBytes && len(items) > 0 {
			stopped = true
			break
		}
		size += sz
		items = append(items, project(it, proj))
		last = k
	}
	// DynamoDB also returns LastEvaluatedKey when the limit is reached on
	// the last item; clients must handle one empty page.
	if limit > 0 && len(items) == limit {
		stopped = true
	}
	out := map[string]any{"Count": len(items), "ScannedCount": len(items), "Items": items}
	if stopped && last != "" {
		out["LastEvaluatedKey"] = Item{t.KeyAttr: S(last)}
	}
	return out, nil
}

func itemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + len(v)
	}
	return n
}

func project(it Item, proj []string) Item {
	if len(proj) == 0 {
		return it
	}
	out := Item{}
	for _, p := range proj {
		if v, ok := it[p]; ok {
			out[p] = v
		}
	}
	return out
}

func returnOld(req map[string]json.RawMessage) bool {
	var rv string
	_ = json.Unmarshal(req["ReturnValues"], &rv)
	return rv == "ALL_OLD"
}

func (t *Table) deleteItem(req map[string]json.RawMessage) (any, *apiError) {
	k, e := t.keyFromRequest(req["Key"])
	if e != nil {
		return nil, e
	}
	old := t.Delete(k)
	if returnOld(req) && old != nil {
		return map[string]any{"Attributes": old}, nil
	}
	return map[string]any{}, nil
}

func (t *Table) getItem(req map[string]json.RawMessage) (any, *apiError) {
	k, e := t.keyFromRequest(req["Key"])
	if e != nil {
		return nil, e
	}
	t.mu.Lock()
	it, ok := t.items[k]
	t.mu.Unlock()
	if !ok {
		return map[string]any{}, nil
	}
	return map[string]any{"Item": it}, nil
}

func (t *Table) putItem(req map[string]json.RawMessage) (any, *apiError) {
	var it Item
	if err := json.Unmarshal(req["Item"], &it); err != nil {
		return nil, validation("invalid Item")
	}
	k, err := t.keyOf(it)
	if err != nil {
		return nil, validation("%v", err)
	}
	t.mu.Lock()
	old := t.items[k]
	t.mu.Unlock()
	if err := t.Put(it); err != nil {
		return nil, validation("%v", err)
	}
	if returnOld(req) && old != nil {
		return map[string]any{"Attributes": old}, nil
	}
	return map[string]any{}, nil
}
