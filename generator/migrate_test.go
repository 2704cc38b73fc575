package generator

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The migration mechanism, exercised with a made-up schema 0 in which the
// batch size was called "batch" and the reply mode was a boolean "echo".
// Real migrations are added the same way and tested like this.
func TestMigrateAnswers(t *testing.T) {
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = map[int]func(map[string]any) error{
		0: func(doc map[string]any) error {
			doc["batch_size"] = doc["batch"]
			delete(doc, "batch")
			if echo, _ := doc["echo"].(bool); echo {
				doc["reply"] = "sender"
			} else {
				doc["reply"] = "none"
			}
			delete(doc, "echo")
			return nil
		},
	}
	old := `{"wsqgen_version":"v0.1.0","schema_version":0,"answers":{"name":"myapp","module":"example.com/myapp","queue":"fifo","group_by":"connection","dedup":"request","batch":7,"batch_window":0,"iac":"terraform","echo":false,"ack":false,"auth":"none","arch":"arm64","timeout":30,"memory":256},"files":{}}`
	rec, err := ParseRecord([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults("myapp")
	want.BatchSize, want.Reply = 7, "none"
	if diff := cmp.Diff(want, rec.Answers); diff != "" {
		t.Errorf("migrated answers (-want +got):\n%s", diff)
	}
	if rec.SchemaVersion != SchemaVersion {
		t.Errorf("schema version %d after migration, want %d", rec.SchemaVersion, SchemaVersion)
	}

	// Without a migration step the record is refused, not half-read.
	migrations = map[int]func(map[string]any) error{}
	if _, err := ParseRecord([]byte(old)); err == nil || !strings.Contains(err.Error(), "no migration from answers schema 0 to 1") {
		t.Errorf("want a missing-migration error, got %v", err)
	}
	// A record from a newer wsqgen is refused with advice.
	newer := strings.Replace(old, `"schema_version":0`, `"schema_version":99`, 1)
	if _, err := ParseRecord([]byte(newer)); err == nil || !strings.Contains(err.Error(), "install a newer wsqgen") {
		t.Errorf("want a newer-schema error, got %v", err)
	}
	// Unknown answers after migration are an error, not silently dropped.
	saved2 := migrations
	migrations = map[int]func(map[string]any) error{0: func(map[string]any) error { return nil }}
	if _, err := ParseRecord([]byte(old)); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("want an unknown-field error, got %v", err)
	}
	migrations = saved2
}
