package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The CDK app is a Go module of its own that needs the aws-cdk-go module
// (large: about 450 MB unpacked) and node (the jsii runtime). Building it is
// the slow part, so only the cdk-* golden scenarios (one per reply mode) are
// built, synthesized, linted and compared with Terraform; the app of every
// other answer combination is vetted. All builds share the Go build cache,
// so the CDK packages compile once per run.

// cdkSynthSets are the answer combinations whose CDK app is synthesized:
// the golden scenarios that use CDK.
func cdkSynthSets() map[string]Answers {
	out := map[string]Answers{}
	for _, name := range scenarioNames() {
		if a := scenarios()[name]; a.IaC == "cdk" {
			out[name] = a
		}
	}
	return out
}

// cdkSynthesized tells whether the answers, with --iac cdk, are among
// cdkSynthSets, so the parity test can compare their synthesized template.
func cdkSynthesized(a Answers) bool {
	a.IaC = "cdk"
	for _, s := range cdkSynthSets() {
		if s == a {
			return true
		}
	}
	return false
}

// goEnv is the environment of the go commands run on generated code: the
// go.sum it ships, no workspace.
func goEnv() []string {
	return append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
}

// writeProject renders the answers into dir.
func writeProject(t *testing.T, a Answers, dir string) {
	t.Helper()
	set, err := Render(a, goldenVersion)
	if err != nil {
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

// cdkSynthesis is one synthesized CDK app: the template, and the logs of
// the run for failure messages.
type cdkSynthesis struct {
	template []byte
	err      error
}

// The synthesized templates are kept for the whole test binary: the lint
// test and the parity test read the same ones.
var cdkSyntheses = struct {
	sync.Mutex
	m map[Answers]*cdkSynthesis
}{m: map[Answers]*cdkSynthesis{}}

// functionZipStandIn is what the tests put at build/function.zip: the
// asset's content only has to be recognisable in the cloud assembly.
var functionZipStandIn = []byte("stand-in for build/function.zip\n")

// synthCDK renders the answers, builds the CDK app and runs it as the CDK
// CLI would (from cdk/, with cdk.json's context in CDK_CONTEXT_JSON), into
// a temporary cloud assembly, offline and without AWS credentials. It
// returns the synthesized template.
func synthCDK(t *testing.T, a Answers) []byte {
	t.Helper()
	cdkSyntheses.Lock()
	defer cdkSyntheses.Unlock()
	s, ok := cdkSyntheses.m[a]
	if !ok {
		s = &cdkSynthesis{}
		s.template, s.err = runCDKSynth(t, a)
		cdkSyntheses.m[a] = s
	}
	if s.err != nil {
		t.Fatalf("cdk synth: %v", s.err)
	}
	return s.template
}

func runCDKSynth(t *testing.T, a Answers) ([]byte, error) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is needed to synthesize the CDK app (the jsii runtime runs in it): %v", err)
	}
	root := t.TempDir()
	writeProject(t, a, root)
	if err := os.MkdirAll(filepath.Join(root, "build"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(root, "build", "function.zip"), functionZipStandIn, 0o644); err != nil {
		return nil, err
	}
	cdkDir := filepath.Join(root, "cdk")

	var cdkJSON struct {
		App     string         `json:"app"`
		Context map[string]any `json:"context"`
	}
	data, err := os.ReadFile(filepath.Join(cdkDir, "cdk.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &cdkJSON); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	if !strings.HasSuffix(cdkJSON.App, "go run .") {
		return nil, fmt.Errorf("cdk.json runs %q; this test builds and runs the package in cdk/ instead", cdkJSON.App)
	}
	context, err := json.Marshal(cdkJSON.Context)
	if err != nil {
		return nil, err
	}

	app := filepath.Join(root, "cdk-app")
	build := exec.Command("go", "build", "-o", app, ".")
	build.Dir = cdkDir
	build.Env = goEnv()
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build in %s: %v\n%s", cdkDir, err, out)
	}
	defer os.Remove(app) // about 80 MB

	outdir := filepath.Join(root, "cdk.out")
	run := exec.Command(app)
	run.Dir = cdkDir
	run.Env = append(os.Environ(),
		"CDK_OUTDIR="+outdir,
		"CDK_CONTEXT_JSON="+string(context),
		// No credentials, no instance metadata: synthesis must not need them.
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"AWS_EC2_METADATA_DISABLED=true",
		// The machine's node 20 is past the end of jsii's support; it still
		// runs the app. Users are told to use a maintained node release.
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
	)
	out, err := run.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("synthesizing in %s: %v\n%s", cdkDir, err, out)
	}
	// Deprecated APIs and construct warnings fail the test: they are how
	// a newer aws-cdk-go announces a breaking change.
	if bytes.Contains(out, []byte("[WARNING]")) || bytes.Contains(out, []byte("[Warning")) {
		return nil, fmt.Errorf("synthesis warns:\n%s", out)
	}

	stack := a.Name
	template, err := os.ReadFile(filepath.Join(outdir, stack+".template.json"))
	if err != nil {
		return nil, fmt.Errorf("no template for stack %s: %v (synth output:\n%s)", stack, err, out)
	}
	metadata, err := os.ReadFile(filepath.Join(outdir, stack+".metadata.json"))
	if err != nil {
		return nil, err
	}
	for _, level := range []string{"aws:cdk:warning", "aws:cdk:error"} {
		if bytes.Contains(metadata, []byte(`"`+level+`"`)) {
			return nil, fmt.Errorf("the stack has %s annotations:\n%s", level, metadata)
		}
	}
	// The function's code is build/function.zip, staged as it is.
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties struct{ Code struct{ S3Key string } }
		}
	}
	if err := json.Unmarshal(template, &tmpl); err != nil {
		return nil, err
	}
	fn, ok := tmpl.Resources["ProcessorFunction"]
	if !ok || fn.Type != "AWS::Lambda::Function" {
		return nil, fmt.Errorf("no AWS::Lambda::Function ProcessorFunction in the template")
	}
	staged, err := os.ReadFile(filepath.Join(outdir, "asset."+fn.Properties.Code.S3Key))
	if err != nil {
		return nil, fmt.Errorf("the function code asset: %v", err)
	}
	if !bytes.Equal(staged, functionZipStandIn) {
		return nil, fmt.Errorf("the function code asset is not build/function.zip")
	}
	return template, nil
}

// cdkSummary extracts the parity summary of the synthesized template.
func cdkSummary(t *testing.T, a Answers) (*infraSummary, error) {
	t.Helper()
	s, err := cloudFormationSummary(synthCDK(t, a))
	if err != nil {
		return nil, err
	}
	// synthCDK checked that the uploaded asset is the function package.
	for name, f := range s.Functions {
		if f.Package == "{asset}" {
			f.Package = NewView(a, goldenVersion).FunctionZipPath
		}
		s.Functions[name] = f
	}
	return s, nil
}

func sortedNames(m map[string]Answers) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestCDKSynthLint synthesizes the CDK app of each cdk-* golden scenario
// and requires cfn-lint to find nothing in the templates: no error, no
// warning, no informational finding.
func TestCDKSynthLint(t *testing.T) {
	bin := cfnLint(t)
	sets := cdkSynthSets()
	if len(sets) < 3 {
		t.Fatalf("%d golden CDK scenarios; want one per reply mode", len(sets))
	}
	replies := map[string]bool{}
	root := t.TempDir()
	var names, paths []string
	for _, name := range sortedNames(sets) {
		a := sets[name]
		replies[a.Reply] = true
		p := filepath.Join(root, name+".template.json")
		if err := os.WriteFile(p, synthCDK(t, a), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		paths = append(paths, p)
	}
	for _, r := range Replies {
		if !replies[r] {
			t.Errorf("no synthesized CDK scenario with --reply %s", r)
		}
	}
	out, err := runCfnLint(t, bin, paths...)
	for i, name := range names {
		var findings []string
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, paths[i]+":") {
				findings = append(findings, strings.TrimPrefix(line, root+"/"))
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

// TestCDKAppGoCode holds the CDK app to the standard of the generated
// function: for the synthesized scenarios it vets and passes its own tests
// (which synthesize in-process); the app of every other golden scenario's
// answers with --iac cdk is vetted.
func TestCDKAppGoCode(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is needed to test the CDK app: %v", err)
	}
	seen := map[Answers]bool{}
	for _, name := range scenarioNames() {
		a := scenarios()[name]
		a.IaC = "cdk"
		if seen[a] {
			continue
		}
		seen[a] = true
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			writeProject(t, a, root)
			steps := [][]string{{"vet", "./..."}}
			if cdkSynthesized(a) {
				steps = append(steps, []string{"test", "-count=1", "./..."})
			}
			for _, args := range steps {
				cmd := exec.Command("go", args...)
				cmd.Dir = filepath.Join(root, "cdk")
				cmd.Env = append(goEnv(), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("go %s in cdk/: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
		})
	}
}

// The root module of a CDK project must not reach into cdk/: it is a
// module of its own, so `go vet ./...` at the root skips it and the root
// go.sum stays the one of the other tools.
func TestCDKModuleIsSeparate(t *testing.T) {
	a := Defaults("myapp")
	cdk, err := Render(func() Answers { b := a; b.IaC = "cdk"; return b }(), goldenVersion)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := Render(a, goldenVersion)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"go.mod", "go.sum"} {
		c, _ := cdk.Lookup(p)
		f, _ := tf.Lookup(p)
		if !bytes.Equal(c.Data, f.Data) {
			t.Errorf("%s differs between --iac cdk and --iac terraform", p)
		}
	}
	mod, ok := cdk.Lookup("cdk/go.mod")
	if !ok || !strings.HasPrefix(string(mod.Data), "module "+a.Module+"/cdk\n") {
		t.Fatalf("cdk/go.mod: %q", mod.Data)
	}
	for _, p := range []string{"cdk/go.sum", "cdk/cdk.json", "cdk/main.go", "cdk/stack.go", "cdk/stack_test.go"} {
		if _, ok := cdk.Lookup(p); !ok {
			t.Errorf("%s not generated", p)
		}
	}
	for _, f := range tf.Files {
		if strings.HasPrefix(f.Path, "cdk/") {
			t.Errorf("%s generated for --iac terraform", f.Path)
		}
	}
}
