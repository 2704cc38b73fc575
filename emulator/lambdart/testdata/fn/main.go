// Command fn is a minimal Lambda function speaking the Runtime API over
// plain net/http, used by the lambdart tests. Its behaviour is chosen by
// the payload.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"
	if os.Getenv("FAIL_INIT") == "1" {
		http.Post(api+"/init/error", "application/json", strings.NewReader(`{"errorType":"InitBroken","errorMessage":"no config"}`))
		os.Exit(1)
	}
	for {
		resp, err := http.Get(api + "/invocation/next")
		if err != nil {
			os.Exit(2)
		}
		payload, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var out []byte
		switch cmd := string(payload); {
		case cmd == "error":
			http.Post(api+"/invocation/"+id+"/error", "application/json", strings.NewReader(`{"errorType":"Boom","errorMessage":"it broke"}`))
			continue
		case cmd == "crash":
			os.Exit(3)
		case cmd == "sleep":
			time.Sleep(10 * time.Second)
		case cmd == "print":
			fmt.Println("to stdout")
			fmt.Fprintln(os.Stderr, "to stderr")
			out = []byte(`"printed"`)
		case cmd == "env":
			m := map[string]string{
				"deadline": resp.Header.Get("Lambda-Runtime-Deadline-Ms"),
				"arn":      resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"),
				"pid":      fmt.Sprint(os.Getpid()),
			}
			for _, kv := range os.Environ() {
				k, v, _ := strings.Cut(kv, "=")
				m[k] = v
			}
			out, _ = json.Marshal(m)
		default:
			out = payload
		}
		r, err := http.Post(api+"/invocation/"+id+"/response", "application/json", bytes.NewReader(out))
		if err == nil {
			r.Body.Close()
		}
	}
}
