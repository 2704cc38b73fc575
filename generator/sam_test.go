package generator

import (
	"fmt"
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

// runCfnLint lints templates with every rule, informational ones
// included, in one run (cfn-lint's start-up dominates), and returns its
// findings ("file:line:col:...:rule:message" lines) and exit status.
func runCfnLint(t *testing.T, bin string, templates ...string) (string, error) {
	t.Helper()
	// Options after the templates: --include-checks takes a list.
	args := append(append([]string{}, templates...), "--format", "parseable", "--include-checks", "I")
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION="+defaultRegion)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// samLintSets are the answer combinations whose SAM template is linted:
// every golden scenario's answers with --iac sam.
func samLintSets() map[string]Answers { return scenariosWithIaC("sam") }

// writeSAMTemplate renders the answers and writes template.yaml under dir.
func writeSAMTemplate(t *testing.T, a Answers, dir string) (string, []byte) {
	t.Helper()
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
	for _, p := range set.Files {
		if strings.HasPrefix(p.Path, "terraform/") {
			t.Errorf("%s generated for --iac sam", p.Path)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(p, f.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, f.Data
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
	root := t.TempDir()
	var paths []string
	for _, name := range names {
		p, _ := writeSAMTemplate(t, sets[name], filepath.Join(root, name))
		paths = append(paths, p)
	}
	out, err := runCfnLint(t, bin, paths...)
	for i, name := range names {
		var findings []string
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, paths[i]+":") {
				findings = append(findings, strings.TrimPrefix(line, filepath.Dir(paths[i])+"/"))
			}
		}
		if len(findings) > 0 {
			t.Errorf("%s: cfn-lint finds:\n%s", name, strings.Join(findings, "\n"))
		}
	}
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("cfn-lint %s: %v\n%s", strings.Join(paths, " "), err, out)
	}
}

// The lint test proves something only if cfn-lint does fail on a broken
// template: a misspelled property, and a Sub naming a parameter that does
// not exist (the classic unescaped "${" in an inlined template).
func TestSAMTemplateLintCatchesMistakes(t *testing.T) {
	bin := cfnLint(t)
	a := Defaults("myapp")
	a.IaC = "sam"
	root := t.TempDir()
	_, data := writeSAMTemplate(t, a, root)
	cases := []struct{ what, old, new, rule string }{
		{"misspelled property", "VisibilityTimeout:", "VisibilityTimout:", "E3002"},
		{"unknown Sub variable", `!Sub "${Name}-queue`, `!Sub "${Nmae}-queue`, "E1019"},
	}
	var paths []string
	for i, c := range cases {
		text := string(data)
		if !strings.Contains(text, c.old) {
			t.Fatalf("%s: %q not in template.yaml", c.what, c.old)
		}
		p := filepath.Join(root, fmt.Sprintf("broken%d.yaml", i))
		if err := os.WriteFile(p, []byte(strings.Replace(text, c.old, c.new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := runCfnLint(t, bin, paths...)
	if err == nil {
		t.Fatalf("cfn-lint accepted broken templates:\n%s", out)
	}
	for i, c := range cases {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, paths[i]+":") && strings.Contains(line, ":"+c.rule+":") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: cfn-lint did not report %s:\n%s", c.what, c.rule, out)
		}
	}
}
