package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wsqgen/wsqgen/generator"
)

// The form runs in huh's accessible mode here, which reads plain lines, so
// the questions, their order and their validation are tested without a
// terminal.
func TestAskNew(t *testing.T) {
	tests := []struct {
		name   string
		given  map[string]bool
		preset func(*generator.Answers)
		input  string
		want   func(*generator.Answers)
		asked  []string // questions that must appear
		never  []string // questions that must not
	}{{
		name:  "fifo asks groups, re-asks a batch size over the FIFO limit",
		given: map[string]bool{"name": true},
		// queue=fifo, group=constant, dedup=content, batch 50 (refused) then 8,
		// iac=sam, reply=broadcast, advanced=no
		input: "1\n3\n2\n50\n8\n3\n2\nn\n",
		want: func(a *generator.Answers) {
			a.GroupBy, a.Dedup, a.BatchSize, a.IaC, a.Reply = "constant", "content", 8, "sam", "broadcast"
		},
		asked: []string{"Queue type", "Message group", "Deduplication", "FIFO allows 1–10", "Reply", "Change advanced settings?"},
		never: []string{"Batching window", "Function timeout"},
	}, {
		name:  "standard asks the window and validates it against the batch size",
		given: map[string]bool{"name": true},
		// queue=standard, batch 100, window 0 (refused) then 5, iac, reply=none, advanced=yes:
		// ack yes, auth iam, arch x86_64, timeout 10, memory 512, module empty
		input: "2\n100\n0\n5\n1\n3\ny\ny\n2\n2\n10\n512\n\n",
		want: func(a *generator.Answers) {
			a.Queue, a.BatchSize, a.BatchWindow, a.Reply = "standard", 100, 5, "none"
			a.Ack, a.Auth, a.Arch, a.Timeout, a.Memory = true, "iam", "x86_64", 10, 512
			a.GroupBy, a.Dedup = "", ""
		},
		asked: []string{"Batching window", "a batch size over 10 needs a window", "Function timeout"},
		never: []string{"Message group"},
	}, {
		name:   "given answers are not asked again",
		given:  map[string]bool{"name": true, "queue": true, "batch_size": true, "iac": true, "reply": true},
		preset: func(a *generator.Answers) { a.Reply = "none" },
		input:  "1\n1\nn\n",
		want:   func(a *generator.Answers) { a.Reply = "none" },
		never:  []string{"Queue type", "Batch size", "Reply"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			s := streams{In: &lineReader{lines: strings.SplitAfter(tt.input, "\n")}, Out: &out, Err: &out,
				Getenv: func(k string) string {
					if k == "ACCESSIBLE" {
						return "1"
					}
					return ""
				}}
			a := generator.Defaults("myapp")
			if tt.preset != nil {
				tt.preset(&a)
			}
			if err := askNew(s, &a, tt.given); err != nil {
				t.Fatalf("askNew: %v\n%s", err, out.String())
			}
			a.Complete(tt.given)
			want := generator.Defaults("myapp")
			tt.want(&want)
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("answers (-want +got):\n%s\nform output:\n%s", diff, out.String())
			}
			if err := a.Validate(); err != nil {
				t.Errorf("answers from the form do not validate: %v", err)
			}
			for _, q := range tt.asked {
				if !strings.Contains(out.String(), q) {
					t.Errorf("form never showed %q:\n%s", q, out.String())
				}
			}
			for _, q := range tt.never {
				if strings.Contains(out.String(), q) {
					t.Errorf("form showed %q, which does not apply:\n%s", q, out.String())
				}
			}
		})
	}
}

// lineReader hands out one line per Read, as a terminal in canonical mode
// does; huh's accessible mode reads each answer with a fresh scanner.
type lineReader struct{ lines []string }

func (r *lineReader) Read(p []byte) (int, error) {
	for len(r.lines) > 0 && r.lines[0] == "" {
		r.lines = r.lines[1:]
	}
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0])
	r.lines[0] = r.lines[0][n:]
	return n, nil
}
