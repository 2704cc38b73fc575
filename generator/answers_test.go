package generator

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Answers)
		want []string // every problem, in order
	}{
		{"defaults", func(*Answers) {}, nil},
		{"fifo batch too large", func(a *Answers) { a.BatchSize = 50 }, []string{
			"--batch-size (answers key batch_size) 50 is not allowed with --queue fifo (FIFO allows 1–10): use --queue standard or a batch size of 1–10",
		}},
		{"standard large batch needs window", func(a *Answers) {
			a.Queue, a.GroupBy, a.Dedup, a.BatchSize = "standard", "", "", 100
		}, []string{
			"--batch-window (answers key batch_window) 0 seconds is not allowed with --batch-size 100 (a batch size over 10 needs a window): use --batch-window 1–300 or a batch size of 1–10",
		}},
		{"standard with window is fine", func(a *Answers) {
			a.Queue, a.GroupBy, a.Dedup, a.BatchSize, a.BatchWindow = "standard", "", "", 10000, 300
		}, nil},
		{"standard batch too large", func(a *Answers) {
			a.Queue, a.GroupBy, a.Dedup, a.BatchSize, a.BatchWindow = "standard", "", "", 10001, 1
		}, []string{
			"--batch-size (answers key batch_size) 10001 is out of range (standard queues allow 1–10000): use a batch size of 1–10000",
		}},
		{"fifo with window", func(a *Answers) { a.BatchWindow = 5 }, []string{
			"--batch-window (answers key batch_window) 5 seconds is not allowed with --queue fifo (FIFO event sources have no batching window): use --batch-window 0 or --queue standard",
		}},
		{"fifo-only answers on standard", func(a *Answers) { a.Queue, a.GroupBy, a.Dedup = "standard", "field", "content" }, []string{
			`--group-by (answers key group_by) "field" is only allowed with --queue fifo: drop --group-by or use --queue fifo (standard queues have no message groups)`,
			`--dedup (answers key dedup) "content" is only allowed with --queue fifo: drop --dedup or use --queue fifo (standard queues do not deduplicate)`,
		}},
		{"every enum wrong at once", func(a *Answers) {
			a.Queue, a.IaC, a.Reply, a.Auth, a.Arch = "lifo", "pulumi", "all", "jwt", "mips"
		}, []string{
			`--queue (answers key queue) "lifo" is not allowed: use one of fifo, standard`,
			`--iac (answers key iac) "pulumi" is not allowed: use one of terraform, opentofu, sam, cdk`,
			`--reply (answers key reply) "all" is not allowed: use one of sender, broadcast, none`,
			`--auth (answers key auth) "jwt" is not allowed: use one of none, iam`,
			`--arch (answers key arch) "mips" is not allowed: use one of arm64, x86_64`,
		}},
		{"bad name and module", func(a *Answers) { a.Name, a.Module = "My_App", "not a module" }, []string{
			`project name (answers key name) "My_App" is not a valid project name: use 2–32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (it prefixes every AWS resource name)`,
			`--module (answers key module) "not a module" is not a valid Go module path (malformed module path "not a module": invalid char ' '): use a path such as example.com/My_App`,
		}},
		{"zero batch", func(a *Answers) { a.BatchSize = 0 }, []string{
			"--batch-size (answers key batch_size) 0 is not allowed with --queue fifo (FIFO allows 1–10): use --queue standard or a batch size of 1–10",
		}},
		{"timeout and memory out of range", func(a *Answers) { a.Timeout, a.Memory = 901, 64 }, []string{
			"--timeout (answers key timeout) 901 seconds is out of range: use 1–900 seconds",
			"--memory (answers key memory) 64 MB is out of range: use 128–10240 MB",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Defaults("myapp")
			tt.edit(&a)
			err := a.Validate()
			var got []string
			var ps Problems
			if errors.As(err, &ps) {
				for _, p := range ps {
					got = append(got, p.Error())
				}
			} else if err != nil {
				t.Fatalf("Validate returned %T, want Problems", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVisibilityTimeout(t *testing.T) {
	for _, tt := range []struct{ timeout, window, want int }{
		{30, 0, 180}, {1, 0, 30}, {5, 0, 30}, {10, 5, 65}, {900, 300, 5700},
	} {
		a := Answers{Timeout: tt.timeout, BatchWindow: tt.window}
		if got := a.VisibilityTimeout(); got != tt.want {
			t.Errorf("timeout %d window %d: got %d, want %d", tt.timeout, tt.window, got, tt.want)
		}
		if got := a.VisibilityTimeout(); got < 6*tt.timeout+tt.window {
			t.Errorf("timeout %d window %d: %d is below 6 × timeout + window", tt.timeout, tt.window, got)
		}
	}
}

func TestComplete(t *testing.T) {
	a := Defaults("")
	a.Name, a.Queue = "chat", "standard"
	a.Complete(map[string]bool{"name": true, "queue": true})
	want := Defaults("chat")
	want.Queue, want.GroupBy, want.Dedup = "standard", "", ""
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A FIFO-only answer the user gave explicitly stays, so Validate can
	// say it does not fit a standard queue.
	b := Defaults("chat")
	b.Queue, b.GroupBy = "standard", "field"
	b.Complete(map[string]bool{"queue": true, "group_by": true})
	if b.GroupBy != "field" {
		t.Errorf("explicit group_by was dropped: %q", b.GroupBy)
	}
}

func TestApplyAnswersFile(t *testing.T) {
	a := Defaults("")
	keys, err := ApplyAnswersFile(&a, "a.yaml", []byte("schema_version: 1\nname: chat\nqueue: standard\nbatch_size: 100\nbatch_window: 5\nack: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ack", "batch_size", "batch_window", "name", "queue", "schema_version"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if a.Name != "chat" || a.Queue != "standard" || a.BatchSize != 100 || a.BatchWindow != 5 || !a.Ack {
		t.Errorf("answers not applied: %+v", a)
	}

	_, err = ApplyAnswersFile(&a, "a.yaml", []byte("queue: fifo\nbatchsize: 5\nmemory: lots\n"))
	if err == nil {
		t.Fatal("want errors for an unknown key and a wrongly typed value")
	}
	for _, want := range []string{"key batchsize (line 2): unknown key", "key memory (line 3)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestAnswersFileRoundTrip(t *testing.T) {
	for _, name := range scenarioNames() {
		want := scenarios()[name]
		data, err := MarshalAnswersFile(want)
		if err != nil {
			t.Fatal(err)
		}
		got := Defaults("")
		keys, err := ApplyAnswersFile(&got, name, data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, data)
		}
		given := map[string]bool{}
		for _, k := range keys {
			given[k] = true
		}
		got.Complete(given)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", name, diff)
		}
	}
}

func TestFlags(t *testing.T) {
	a := Defaults("chat")
	a.Queue, a.GroupBy, a.Dedup, a.BatchSize, a.BatchWindow, a.Ack = "standard", "", "", 100, 5, true
	got := strings.Join(a.Flags("queue", "reply"), " ")
	want := "--queue standard --batch-size 100 --batch-window 5 --reply sender --ack"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
