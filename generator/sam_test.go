package generator

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// cfnLint returns the path of the Python cfn-lint 1.x. The SAM output must
// be checked, so a missing or wrong cfn-lint fails the test instead of
// skipping it (npm's package of the same name is another, stale tool).
func cfnLint(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not installed; it checks the generated SAM templates: pip install cfn-lint (the Python tool, 1.x): %v", err)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint --version: %v\n%s", err, out)
	}
	if v := strings.TrimSpace(string(out)); !strings.HasPrefix(v, "cfn-lint 1.") {
		t.Fatalf("%s is %q; the SAM checks need the Python cfn-lint 1.x (pip install cfn-lint)", bin, v)
	}
	return bin
}

// runCfnLint lints one template with every rule, informational ones
// included, and returns cfn-lint's findings and exit status.
func runCfnLint(t *testing.T, bin, template string) (string, error) {
	t.Helper()
	// Arguments after the template: --include-checks takes a list.
	cmd := exec.Command(bin, template, "--format", "parseable", "--include-checks", "I")
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION="+NewView(Defaults("x"), "").DefaultRegion)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// samLintSets are the answer combinations whose SAM template is linted:
// every golden scenario's answers with --iac sam.
func samLintSets() map[string]Answers {
	out := map[string]Answers{}
	for name, a := range scenarios() {
		a.IaC = "sam"
		out[name] = a
	}
	return out
}

// TestSAMTemplateLint renders the SAM template for each answer combination
// and requires cfn-lint to find nothing at all: no error, no warning, no
// informational finding. A rule may only be suppressed in the template's
// Metadata, with a one-line reason.
func TestSAMTemplateLint(t *testing.T) {
	bin := cfnLint(t)
	sets := samLintSets()
	var names []string
	for n := range sets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		a := sets[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			set, err := Render(a, goldenVersion)
			if err != nil {
				t.Fatal(err)
			}
			f, ok := set.Lookup("template.yaml")
			if !ok {
				t.Fatal("no template.yaml generated for --iac sam")
			}
			if _, ok := set.Lookup("samconfig.toml"); !ok {
				t.Error("no samconfig.toml generated for --iac sam")
			}
			for _, p := range []string{"terraform/queue.tf", "terraform/versions.tf"} {
				if _, ok := set.Lookup(p); ok {
					t.Errorf("%s generated for --iac sam", p)
				}
			}
			p := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := runCfnLint(t, bin, p); err != nil || strings.TrimSpace(out) != "" {
				t.Errorf("cfn-lint %s: %v\n%s", p, err, out)
			}
		})
	}
}

// The lint test proves something only if cfn-lint does fail on a broken
// template: a misspelled property, and a Sub naming a parameter that does
// not exist (the classic unescaped "${" in an inlined template).
func TestSAMTemplateLintCatchesMistakes(t *testing.T) {
	bin := cfnLint(t)
	a := Defaults("myapp")
	a.IaC = "sam"
	set, err := Render(a, goldenVersion)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := set.Lookup("template.yaml")
	for _, c := range []struct{ what, old, new, rule string }{
		{"misspelled property", "VisibilityTimeout:", "VisibilityTimout:", "E3002"},
		{"unknown Sub variable", `!Sub "${Name}-queue`, `!Sub "${Nmae}-queue`, "E1019"},
	} {
		t.Run(c.what, func(t *testing.T) {
			text := string(f.Data)
			if !strings.Contains(text, c.old) {
				t.Fatalf("%q not in template.yaml", c.old)
			}
			p := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(p, []byte(strings.Replace(text, c.old, c.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := runCfnLint(t, bin, p)
			if err == nil {
				t.Fatalf("cfn-lint accepted a template with a %s:\n%s", c.what, out)
			}
			if !strings.Contains(out, c.rule) {
				t.Errorf("cfn-lint failed, but without %s:\n%s", c.rule, out)
			}
		})
	}
}
