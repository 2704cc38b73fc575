package generator

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenGoCode holds the generated Go to our own standard: every golden
// scenario's module is gofmt-clean, vets cleanly, builds for Lambda and
// passes its own tests, with the go.sum it ships (-mod=readonly).
func TestGoldenGoCode(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to check generated code: %v", err)
	}
	for _, name := range scenarioNames() {
		t.Run(name, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join(goldenDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
				t.Fatalf("golden scenario has no go.mod: %v", err)
			}
			arch := map[string]string{"arm64": "arm64", "x86_64": "amd64"}[scenarios()[name].Arch]
			steps := []struct {
				env  []string
				args []string
			}{
				{nil, []string{"vet", "./..."}},
				{[]string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + arch}, []string{"build", "-tags", "lambda.norpc", "-trimpath", "-o", os.DevNull, "./lambda"}},
				{nil, []string{"test", "-count=1", "./..."}},
			}
			for _, st := range steps {
				cmd := exec.Command(goBin, st.args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
				cmd.Env = append(cmd.Env, st.env...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("go %s in %s: %v\n%s", strings.Join(st.args, " "), dir, err, out)
				}
			}
			out, err := exec.Command(filepath.Join(filepath.Dir(goBin), "gofmt"), "-l", dir).CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Errorf("gofmt -l %s: %v\n%s", dir, err, out)
			}
		})
	}
}
