// Command fn is the test function for the emulator's end-to-end tests: a
// Lambda handler for SQS events, speaking the Runtime API and the
// @connections and DynamoDB APIs over plain net/http, as a generated
// project's function does through the AWS SDK.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

type record struct {
	MessageID         string            `json:"messageId"`
	Body              string            `json:"body"`
	Attributes        map[string]string `json:"attributes"`
	MessageAttributes map[string]struct {
		StringValue string `json:"stringValue"`
	} `json:"messageAttributes"`
}

var callback = os.Getenv("CALLBACK_ENDPOINT")

// post sends data to a connection; it returns the HTTP status.
func post(conn string, data []byte) int {
	resp, err := http.Post(callback+"/@connections/"+url.PathEscape(conn), "application/octet-stream", bytes.NewReader(data))
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func dynamo(op string, req map[string]any) map[string]json.RawMessage {
	b, _ := json.Marshal(req)
	r, _ := http.NewRequest("POST", os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")+"/", bytes.NewReader(b))
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out map[string]json.RawMessage
	json.NewDecoder(resp.Body).Decode(&out)
	return out
}

// everyone scans the registry page by page (Limit 2 to exercise
// pagination).
func everyone() []string {
	var ids []string
	var start json.RawMessage
	for {
		req := map[string]any{"TableName": os.Getenv("CONNECTIONS_TABLE"), "Limit": 2}
		if start != nil {
			req["ExclusiveStartKey"] = start
		}
		out := dynamo("Scan", req)
		var items []map[string]map[string]string
		json.Unmarshal(out["Items"], &items)
		for _, it := range items {
			ids = append(ids, it["connectionId"]["S"])
		}
		start = out["LastEvaluatedKey"]
		if start == nil {
			return ids
		}
	}
}

func handle(payload []byte) []byte {
	var ev struct{ Records []record }
	json.Unmarshal(payload, &ev)
	var failures []map[string]string
	for _, r := range ev.Records {
		if strings.Contains(r.Body, "fail-in-fn") {
			failures = append(failures, map[string]string{"itemIdentifier": r.MessageID})
			continue
		}
		conn := r.MessageAttributes["connectionId"].StringValue
		reply, _ := json.Marshal(map[string]string{
			"type":         "reply",
			"requestId":    r.MessageAttributes["requestId"].StringValue,
			"connectionId": conn,
			"body":         r.Body,
			"group":        r.Attributes["MessageGroupId"],
			"receiveCount": r.Attributes["ApproximateReceiveCount"],
		})
		if strings.Contains(r.Body, "broadcast") {
			for _, id := range everyone() {
				if post(id, reply) == http.StatusGone {
					dynamo("DeleteItem", map[string]any{"TableName": os.Getenv("CONNECTIONS_TABLE"),
						"Key": map[string]any{"connectionId": map[string]string{"S": id}}})
				}
			}
			continue
		}
		switch code := post(conn, reply); code {
		case http.StatusOK, http.StatusGone: // gone is final: never retry it
		default:
			fmt.Fprintf(os.Stderr, "post to %s: %d\n", conn, code)
			failures = append(failures, map[string]string{"itemIdentifier": r.MessageID})
		}
	}
	if failures == nil {
		failures = []map[string]string{}
	}
	out, _ := json.Marshal(map[string]any{"batchItemFailures": failures})
	return out
}

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	fmt.Println("function started")
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		payload, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		r, err := http.Post(api+id+"/response", "application/json", bytes.NewReader(handle(payload)))
		if err == nil {
			r.Body.Close()
		}
	}
}
