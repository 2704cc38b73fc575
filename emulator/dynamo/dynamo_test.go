package dynamo

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func call(t *testing.T, url, op, body string) (int, map[string]json.RawMessage) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if crc := resp.Header.Get("X-Amz-Crc32"); crc != strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10) {
		t.Errorf("crc32 header %s does not match body", crc)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %s", op, b)
	}
	return resp.StatusCode, out
}

func TestScanPaginatesAndDeleteItem(t *testing.T) {
	tab := NewTable("conns", "connectionId")
	for i := 0; i < 25; i++ {
		if err := tab.Put(Item{"connectionId": S(fmt.Sprintf("c%02d=", i)), "connectedAt": N(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(tab)
	defer srv.Close()

	var seen []string
	start := ""
	pages := 0
	for {
		body := `{"TableName":"conns","Limit":10,"ProjectionExpression":"#c","ExpressionAttributeNames":{"#c":"connectionId"}`
		if start != "" {
			body += `,"ExclusiveStartKey":` + start
		}
		code, out := call(t, srv.URL, "Scan", body+"}")
		if code != 200 {
			t.Fatalf("scan %d", code)
		}
		var items []map[string]map[string]string
		_ = json.Unmarshal(out["Items"], &items)
		for _, it := range items {
			if len(it) != 1 {
				t.Fatalf("projection not applied: %v", it)
			}
			seen = append(seen, it["connectionId"]["S"])
		}
		pages++
		lek, ok := out["LastEvaluatedKey"]
		if !ok {
			break
		}
		start = string(lek)
	}
	if len(seen) != 25 || seen[0] != "c00=" || seen[24] != "c24=" || pages != 3 {
		t.Fatalf("scan saw %d items over %d pages", len(seen), pages)
	}

	code, _ := call(t, srv.URL, "DeleteItem", `{"TableName":"conns","Key":{"connectionId":{"S":"c03="}}}`)
	if code != 200 || len(tab.Keys()) != 24 {
		t.Fatalf("delete: %d, %d left", code, len(tab.Keys()))
	}
	// Deleting a missing key succeeds, as in DynamoDB.
	if code, _ := call(t, srv.URL, "DeleteItem", `{"TableName":"conns","Key":{"connectionId":{"S":"nope"}}}`); code != 200 {
		t.Fatalf("delete missing: %d", code)
	}
}

func TestScanByteCapAndErrors(t *testing.T) {
	tab := NewTable("conns", "connectionId")
	tab.PageBytes = 100
	for i := 0; i < 10; i++ {
		_ = tab.Put(Item{"connectionId": S(fmt.Sprintf("id-%d", i))})
	}
	srv := httptest.NewServer(tab)
	defer srv.Close()
	_, out := call(t, srv.URL, "Scan", `{"TableName":"conns"}`)
	var n int
	_ = json.Unmarshal(out["Count"], &n)
	if n == 0 || n == 10 || out["LastEvaluatedKey"] == nil {
		t.Fatalf("byte cap not applied: count %d", n)
	}
	code, out := call(t, srv.URL, "Scan", `{"TableName":"other"}`)
	if code != 400 || !strings.Contains(string(out["__type"]), "ResourceNotFoundException") {
		t.Fatalf("missing table: %d %s", code, out["__type"])
	}
	code, out = call(t, srv.URL, "Scan", `{"TableName":"conns","FilterExpression":"a = b"}`)
	if code != 400 || !strings.Contains(string(out["__type"]), "ValidationException") {
		t.Fatalf("filter: %d %s", code, out["__type"])
	}
	if code, _ := call(t, srv.URL, "UpdateTable", `{"TableName":"conns"}`); code != 400 {
		t.Fatalf("unknown op: %d", code)
	}
}
