package generator

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current templates")

// goldenVersion stands in for the wsqgen version in golden output, so that
// releasing does not change every golden file.
const goldenVersion = "v0.0.0-golden"

// goldenDir holds one folder per scenario with the full expected tree.
const goldenDir = "../golden"

// scenarios are the answer combinations pinned by golden files. Each one
// exercises a different branch of every template.
func scenarios() map[string]Answers {
	with := func(f func(*Answers)) Answers {
		a := Defaults("myapp")
		f(&a)
		a.Complete(map[string]bool{"group_by": a.GroupBy != "", "dedup": a.Dedup != ""})
		return a
	}
	return map[string]Answers{
		"default": with(func(*Answers) {}),
		"standard-batch100-window5-none": with(func(a *Answers) {
			a.Queue, a.GroupBy, a.Dedup, a.BatchSize, a.BatchWindow, a.Reply = "standard", "", "", 100, 5, "none"
		}),
		"fifo-field-broadcast-ack-iam": with(func(a *Answers) {
			a.GroupBy, a.Reply, a.Ack, a.Auth = "field", "broadcast", true, "iam"
		}),
		"x86-content-dedup": with(func(a *Answers) {
			a.Arch, a.Dedup = "x86_64", "content"
		}),
		"sam-default": with(func(a *Answers) {
			a.IaC = "sam"
		}),
		"sam-fifo-field-broadcast-ack-iam": with(func(a *Answers) {
			a.IaC, a.GroupBy, a.Reply, a.Ack, a.Auth = "sam", "field", "broadcast", true, "iam"
		}),
		"opentofu-default": with(func(a *Answers) {
			a.IaC = "opentofu"
		}),
		// The cdk-* scenarios are synthesized and linted (cdk_test.go): one
		// per reply mode.
		"cdk-default": with(func(a *Answers) {
			a.IaC = "cdk"
		}),
		"cdk-fifo-field-broadcast-ack-iam": with(func(a *Answers) {
			a.IaC, a.GroupBy, a.Reply, a.Ack, a.Auth = "cdk", "field", "broadcast", true, "iam"
		}),
		"cdk-standard-batch100-window5-none": with(func(a *Answers) {
			a.IaC, a.Queue, a.GroupBy, a.Dedup, a.BatchSize, a.BatchWindow, a.Reply = "cdk", "standard", "", "", 100, 5, "none"
		}),
	}
}

// scenariosWithIaC returns every golden scenario's answers with the IaC
// tool replaced, keyed by scenario name; scenarios that then coincide
// (they differed only in the tool) appear once.
func scenariosWithIaC(iac string) map[string]Answers {
	out := map[string]Answers{}
	seen := map[Answers]bool{}
	for _, name := range scenarioNames() {
		a := scenarios()[name]
		a.IaC = iac
		if seen[a] {
			continue
		}
		seen[a] = true
		out[name] = a
	}
	return out
}

func scenarioNames() []string {
	var names []string
	for n := range scenarios() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// readTree returns every file under dir, keyed by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, name := range scenarioNames() {
		a := scenarios()[name]
		t.Run(name, func(t *testing.T) {
			set, err := Render(a, goldenVersion)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(goldenDir, name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for _, f := range set.Files {
					p := filepath.Join(dir, filepath.FromSlash(f.Path))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readTree(t, dir)
			got := map[string][]byte{}
			for _, f := range set.Files {
				got[f.Path] = f.Data
			}
			for _, f := range set.Files {
				p, g := f.Path, f.Data
				w, ok := want[p]
				switch {
				case !ok:
					t.Errorf("%s: generated but missing from %s (run go test ./generator -update and read the diff)", p, dir)
				case !bytes.Equal(g, w):
					t.Errorf("%s differs from golden (-golden +generated):\n%s", p, cmp.Diff(string(w), string(g)))
				}
			}
			for p := range want {
				if _, ok := got[p]; !ok {
					t.Errorf("%s: in %s but no longer generated", p, dir)
				}
			}
		})
	}
}

// Rendering twice must give the same bytes: no map order, clock or
// environment may leak into the output.
func TestRenderDeterministic(t *testing.T) {
	for _, name := range scenarioNames() {
		a := scenarios()[name]
		first, err := Render(a, goldenVersion)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			again, err := Render(a, goldenVersion)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(first, again); diff != "" {
				t.Fatalf("%s: second render differs:\n%s", name, diff)
			}
		}
	}
}

func BenchmarkRender(b *testing.B) {
	a := Defaults("myapp")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(a, goldenVersion); err != nil {
			b.Fatal(err)
		}
	}
}
