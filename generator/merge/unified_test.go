package merge

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnified(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
	b := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n"
	want := `--- x
+++ y
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -9,3 +9,4 @@
 i
 j
 k
+l
`
	if diff := cmp.Diff(want, string(Unified([]byte(a), []byte(b), "x", "y"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := Unified([]byte(a), []byte(a), "x", "y"); got != nil {
		t.Errorf("equal inputs gave a diff:\n%s", got)
	}
}

// Applying our diff with patch(1)-compatible git apply must turn a into b:
// the hunk ranges and context are right, not just plausible.
func TestUnifiedAppliesWithGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("git is needed to check diffs: %v", err)
	}
	cases := []struct{ a, b string }{
		{"", "new\nfile\n"},
		{"old\n", ""},
		{"1\n2\n3\n", "1\n2\n3"},
		{strings.Repeat("x\n", 20) + "mid\n" + strings.Repeat("y\n", 20), "top\n" + strings.Repeat("x\n", 20) + strings.Repeat("y\n", 20) + "end\n"},
		{"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nc\nd\nX\ne\nf\ng\nh\nj\nk\n"},
	}
	for n, c := range cases {
		dir := t.TempDir()
		f := filepath.Join(dir, "f")
		if err := os.WriteFile(f, []byte(c.a), 0o644); err != nil {
			t.Fatal(err)
		}
		patch := Unified([]byte(c.a), []byte(c.b), "a/f", "b/f")
		if err := os.WriteFile(filepath.Join(dir, "p"), patch, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(git, "apply", "--unidiff-zero", "p")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("case %d: git apply: %v\n%s\npatch:\n%s", n, err, out, patch)
			continue
		}
		got, _ := os.ReadFile(f)
		if string(got) != c.b {
			t.Errorf("case %d: after applying, got %q, want %q", n, got, c.b)
		}
	}
}
