package generator_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wsqgen/wsqgen/generator"
	"github.com/wsqgen/wsqgen/generator/prevtest"
)

const version = "v1.0.0"

// project generates myapp with the previous release into a temp dir and
// returns the dir.
func project(t *testing.T, a generator.Answers) string {
	t.Helper()
	set, err := generator.RenderFS(prevtest.Templates(), a, prevtest.Version)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), a.Name)
	plan, err := generator.PlanWrite(dir, set, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Write(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func edit(t *testing.T, dir, path string, f func(string) string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(path))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(f(string(data))), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// snapshot returns every file under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// insertAfter inserts a line after the first line containing anchor.
func insertAfter(anchor, line string) func(string) string {
	return func(s string) string {
		i := strings.Index(s, anchor)
		j := i + strings.IndexByte(s[i:], '\n') + 1
		return s[:j] + line + "\n" + s[j:]
	}
}

func plan(t *testing.T, dir string, a generator.Answers) *generator.UpgradePlan {
	t.Helper()
	rec, err := generator.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	base, err := generator.LoadBase(dir)
	if err != nil {
		t.Fatal(err)
	}
	next, err := generator.Render(a, version)
	if err != nil {
		t.Fatal(err)
	}
	p, err := generator.PlanUpgrade(dir, rec, base, next)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func outcomes(p *generator.UpgradePlan) map[string]generator.Outcome {
	out := map[string]generator.Outcome{}
	for _, c := range p.Changes {
		out[c.Path] = c.Outcome
	}
	return out
}

// userEdits applies one edit of every kind the upgrade must handle.
func userEdits(t *testing.T, dir string) {
	// Non-overlapping: a line in the middle, far from the version header and
	// from the trailer the templates drop.
	edit(t, dir, "terraform/queue.tf", insertAfter(`resource "aws_sqs_queue" "main" {`, "  # my edit: reviewed by the platform team"))
	// Overlapping: the user edits the very line the templates remove.
	edit(t, dir, "terraform/variables.tf", func(s string) string {
		return strings.Replace(s, "# Legacy setting, dropped in the next release.", "# Legacy setting, I rely on it.", 1)
	})
	// Business logic in the seeded file.
	edit(t, dir, "lambda/processor.go", func(s string) string { return s + "\n// my business logic\n" })
	// A doc the templates drop, edited by the user.
	edit(t, dir, prevtest.LegacyEditedDoc, func(s string) string { return s + "my notes\n" })
	// A generated file the user deleted, and one of their own.
	if err := os.Remove(filepath.Join(dir, "terraform", "outputs.tf")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "NOTES.md"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUpgradeOutcomes(t *testing.T) {
	a := generator.Defaults("myapp")
	dir := project(t, a)
	userEdits(t, dir)
	before := snapshot(t, dir)

	p := plan(t, dir, a)
	got := outcomes(p)
	want := map[string]generator.Outcome{
		"terraform/queue.tf":     generator.Merged3,
		"terraform/variables.tf": generator.Conflict,
		"lambda/processor.go":    generator.Unchanged,
		prevtest.LegacyDoc:       generator.Removed,
		prevtest.LegacyEditedDoc: generator.Kept,
		"terraform/outputs.tf":   generator.UserDeleted,
		prevtest.AddedFile:       generator.Added,
		"Makefile":               generator.Updated, // the version header changed
		generator.RecordPath:     generator.Updated,
		generator.BasePath:       generator.Updated,
	}
	for path, w := range want {
		if got[path] != w {
			t.Errorf("%s: outcome %q, want %q", path, got[path], w)
		}
	}
	// Every other file was untouched by the user: it is replaced (its
	// version header changed) or, without a header, unchanged.
	for path, o := range got {
		if _, ok := want[path]; !ok && o != generator.Updated && o != generator.Unchanged {
			t.Errorf("%s: outcome %q, want updated or unchanged", path, o)
		}
	}
	if _, ok := got["NOTES.md"]; ok {
		t.Errorf("the user's own file NOTES.md is in the plan: %q", got["NOTES.md"])
	}
	if diff := cmp.Diff([]string{"terraform/variables.tf"}, p.Conflicted()); diff != "" {
		t.Errorf("conflicted (-want +got):\n%s", diff)
	}

	// Planning wrote nothing.
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Fatalf("planning changed the project:\n%s", diff)
	}
	if err := p.Write(); err != nil {
		t.Fatal(err)
	}

	queue := read(t, dir, "terraform/queue.tf")
	if !strings.Contains(queue, "# my edit: reviewed by the platform team") {
		t.Error("the user's edit of queue.tf was lost")
	}
	if strings.Contains(queue, "Tuned by wsqgen v0.9") {
		t.Error("the template change to queue.tf was not applied")
	}
	if !strings.Contains(queue, "Generated by wsqgen "+version) {
		t.Error("queue.tf does not carry the new version header")
	}
	vars := read(t, dir, "terraform/variables.tf")
	for _, s := range []string{"<<<<<<< yours\n", "||||||| generated by wsqgen " + prevtest.Version + "\n", "=======\n",
		">>>>>>> generated by wsqgen " + version + "\n", "# Legacy setting, I rely on it."} {
		if !strings.Contains(vars, s) {
			t.Errorf("variables.tf lacks %q:\n%s", s, vars)
		}
	}
	if !strings.HasSuffix(read(t, dir, "lambda/processor.go"), "// my business logic\n") {
		t.Error("the seeded file was changed")
	}
	if read(t, dir, "NOTES.md") != "mine\n" {
		t.Error("the user's own file was changed")
	}
	for path, exists := range map[string]bool{
		prevtest.LegacyDoc: false, prevtest.LegacyEditedDoc: true, "terraform/outputs.tf": false, prevtest.AddedFile: true,
	} {
		_, err := os.Stat(filepath.Join(dir, path))
		if (err == nil) != exists {
			t.Errorf("%s: exists = %v, want %v", path, err == nil, exists)
		}
	}
	marks, err := generator.ConflictMarkers(dir, []string{"terraform/variables.tf", "terraform/queue.tf"})
	if err != nil {
		t.Fatal(err)
	}
	if len(marks["terraform/variables.tf"]) != 4 || len(marks["terraform/queue.tf"]) != 0 {
		t.Errorf("conflict markers: %v", marks)
	}

	// The record now describes the new generation.
	rec, err := generator.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version != version {
		t.Errorf("record version %q, want %q", rec.Version, version)
	}

	// The user resolves the conflict (keeping their line); a second upgrade
	// then changes nothing.
	edit(t, dir, "terraform/variables.tf", func(s string) string {
		i := strings.Index(s, "<<<<<<< yours\n")
		j := strings.Index(s, "|||||||")
		k := strings.Index(s, ">>>>>>> ")
		k += strings.IndexByte(s[k:], '\n') + 1
		return s[:i] + s[i+len("<<<<<<< yours\n"):j] + s[k:]
	})
	resolved := snapshot(t, dir)
	p2 := plan(t, dir, a)
	if p2.Pending() {
		t.Errorf("second upgrade is not a no-op: %v", outcomes(p2))
	}
	if err := p2.Write(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(resolved, snapshot(t, dir)); diff != "" {
		t.Errorf("second upgrade changed files:\n%s", diff)
	}
}

// A failure while staging must leave the project exactly as it was.
func TestUpgradeInterruptedLeavesTree(t *testing.T) {
	a := generator.Defaults("myapp")
	dir := project(t, a)
	userEdits(t, dir)
	before := snapshot(t, dir)
	p := plan(t, dir, a)
	// A file and a directory of the same name cannot both be staged: the
	// write fails part-way through staging, as a full disk would.
	p.Changes = append(p.Changes,
		generator.Change{Path: "zz", Outcome: generator.Added, Data: []byte("x")},
		generator.Change{Path: "zz/inner", Outcome: generator.Added, Data: []byte("y")})
	if err := p.Write(); err == nil {
		t.Fatal("Write succeeded; the test needs it to fail")
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("a failed upgrade changed the project:\n%s", diff)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".wsqgen-upgrade-*"))
	if len(leftovers) > 0 {
		t.Errorf("staging directories left behind: %v", leftovers)
	}
}

// Changing an answer on an edited project: fifo → standard.
func TestUpgradeChangeQueueType(t *testing.T) {
	a := generator.Defaults("myapp")
	dir := project(t, a)
	edit(t, dir, "lambda/processor.go", func(s string) string { return s + "\n// my business logic\n" })
	edit(t, dir, "terraform/function.tf", insertAfter(`resource "aws_lambda_function"`, "  # my edit: keep this function warm"))
	b := a
	b.Queue, b.GroupBy, b.Dedup = "standard", "", ""
	p := plan(t, dir, b)
	if err := p.Write(); err != nil {
		t.Fatal(err)
	}
	rec, err := generator.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Answers.Queue != "standard" {
		t.Errorf("record queue %q", rec.Answers.Queue)
	}
	if !strings.Contains(read(t, dir, "terraform/function.tf"), "# my edit: keep this function warm") {
		t.Error("the user's edit of function.tf was lost")
	}
	if !strings.HasSuffix(read(t, dir, "lambda/processor.go"), "// my business logic\n") {
		t.Error("the seeded file was changed")
	}
	if strings.Contains(read(t, dir, "terraform/queue.tf"), "fifo_queue                  = true") {
		t.Error("queue.tf still describes a FIFO queue")
	}
	if !strings.Contains(read(t, dir, "lambda/config.go"), "queueFIFO = false") {
		t.Error("config.go was not regenerated for a standard queue")
	}
}

func TestCheck(t *testing.T) {
	a := generator.Defaults("myapp")
	render := func(a generator.Answers) (*generator.FileSet, error) { return generator.Render(a, version) }
	dir := filepath.Join(t.TempDir(), "myapp")
	set, err := generator.Render(a, version)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := generator.PlanWrite(dir, set, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := pl.Write(); err != nil {
		t.Fatal(err)
	}
	res, err := generator.Check(dir, render)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 || res.UpgradePending {
		t.Fatalf("fresh project: %+v", res)
	}

	// Editing a merged file is fine; editing an owned one is not.
	edit(t, dir, "terraform/queue.tf", func(s string) string { return s + "# mine\n" })
	edit(t, dir, "lambda/config.go", func(s string) string { return s + "// mine\n" })
	res, err = generator.Check(dir, render)
	if err != nil {
		t.Fatal(err)
	}
	want := []generator.Finding{{Path: "lambda/config.go", Reason: "generated file (owned by wsqgen) was edited: change the answers and run wsqgen upgrade instead"}}
	if diff := cmp.Diff(want, res.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}

	// A project made by an older release has an upgrade pending.
	old := project(t, a)
	res, err = generator.Check(old, render)
	if err != nil {
		t.Fatal(err)
	}
	if !res.UpgradePending || len(res.Findings) == 0 {
		t.Errorf("older project: want a pending upgrade, got %+v", res)
	}

	// A tampered record is reported.
	edit(t, dir, generator.RecordPath, func(s string) string {
		return strings.Replace(s, `"terraform/queue.tf": {`+"\n"+`      "sha256": "`, `"terraform/queue.tf": {`+"\n"+`      "sha256": "00`, 1)
	})
	res, err = generator.Check(dir, render)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		found = found || (f.Path == "terraform/queue.tf" && strings.Contains(f.Reason, "inconsistent"))
	}
	if !found {
		t.Errorf("tampered record not reported: %+v", res.Findings)
	}
}

func TestArchiveRoundTrip(t *testing.T) {
	files := []generator.File{
		{Path: "a.txt", Data: []byte("no newline")},
		{Path: "b/c.md", Data: []byte("-- fake.txt 3 --\nx\n")},
		{Path: "empty", Data: nil},
		{Path: "with space.txt", Data: []byte("x\n")},
	}
	got, err := generator.ParseArchive(generator.MarshalArchive(files))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !bytes.Equal(got[f.Path], f.Data) {
			t.Errorf("%s: got %q, want %q", f.Path, got[f.Path], f.Data)
		}
	}
	if len(got) != len(files) {
		t.Errorf("got %d files, want %d", len(got), len(files))
	}
	for _, bad := range []string{"", "wsqgen base archive v1\n-- a 5 --\nab\n", "wsqgen base archive v1\n-- a x --\n"} {
		if _, err := generator.ParseArchive([]byte(bad)); err == nil {
			t.Errorf("ParseArchive(%q) succeeded", bad)
		}
	}
}
