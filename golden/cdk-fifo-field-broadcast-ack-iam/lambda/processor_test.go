// Written once by wsqgen v0.0.0-golden. This file is yours: wsqgen upgrade never changes it.

package main

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tests for your Process. wsqgen writes this file once; change it along
// with processor.go.
func TestProcessEchoesBody(t *testing.T) {
	for _, body := range []string{"", "hello", `{"action":"x"}`, "ünïcödé\n{{ not a template }}"} {
		got, err := Process(context.Background(), Message{ID: "m1", ConnectionID: "c1", RequestID: "r1", Body: body})
		if err != nil {
			t.Fatalf("Process(%q): %v", body, err)
		}
		if diff := cmp.Diff(any(body), got); diff != "" {
			t.Errorf("Process(%q) (-want +got):\n%s", body, diff)
		}
	}
}
