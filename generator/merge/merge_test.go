package merge

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var testLabels = Labels{Ours: "ours", Base: "base", Theirs: "theirs"}

// conflict builds the expected text of one LF conflict block.
func conflict(ours, base, theirs string) string {
	return "<<<<<<< ours\n" + ours + "||||||| base\n" + base + "=======\n" + theirs + ">>>>>>> theirs\n"
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name               string
		base, ours, theirs string
		want               string
		conflicts          int
	}{
		{name: "all empty"},
		{name: "all equal", base: "a\nb\n", ours: "a\nb\n", theirs: "a\nb\n", want: "a\nb\n"},
		{
			name: "theirs only",
			base: "a\nb\nc\n", ours: "a\nb\nc\n", theirs: "a\nB\nc\n",
			want: "a\nB\nc\n",
		},
		{
			name: "ours only",
			base: "a\nb\nc\n", ours: "a\nB\nc\n", theirs: "a\nb\nc\n",
			want: "a\nB\nc\n",
		},
		{
			name: "separated edits",
			base: "a\nb\nc\nd\ne\n", ours: "A\nb\nc\nd\ne\n", theirs: "a\nb\nc\nd\nE\n",
			want: "A\nb\nc\nd\nE\n",
		},
		{
			name: "edits separated by one line",
			base: "a\nb\nc\n", ours: "A\nb\nc\n", theirs: "a\nb\nC\n",
			want: "A\nb\nC\n",
		},
		{
			name: "adjacent edits conflict",
			base: "a\nb\nc\nd\n", ours: "a\nB\nc\nd\n", theirs: "a\nb\nC\nd\n",
			want:      "a\n" + conflict("B\nc\n", "b\nc\n", "b\nC\n") + "d\n",
			conflicts: 1,
		},
		{
			name: "same edit both sides",
			base: "a\nb\nc\n", ours: "a\nX\nc\n", theirs: "a\nX\nc\n",
			want: "a\nX\nc\n",
		},
		{
			name: "different edits same line",
			base: "a\nb\nc\n", ours: "a\nX\nc\n", theirs: "a\nY\nc\n",
			want:      "a\n" + conflict("X\n", "b\n", "Y\n") + "c\n",
			conflicts: 1,
		},
		{
			name: "two conflicts",
			base: "a\nb\nc\nd\ne\n", ours: "A1\nb\nc\nd\nE1\n", theirs: "A2\nb\nc\nd\nE2\n",
			want:      conflict("A1\n", "a\n", "A2\n") + "b\nc\nd\n" + conflict("E1\n", "e\n", "E2\n"),
			conflicts: 2,
		},
		{
			name: "insert at start both sides same",
			base: "a\n", ours: "x\na\n", theirs: "x\na\n",
			want: "x\na\n",
		},
		{
			name: "insert at start ours, end theirs",
			base: "a\nb\n", ours: "x\na\nb\n", theirs: "a\nb\ny\n",
			want: "x\na\nb\ny\n",
		},
		{
			name: "insert at start both sides differ",
			base: "a\n", ours: "x\na\n", theirs: "y\na\n",
			want:      conflict("x\n", "", "y\n") + "a\n",
			conflicts: 1,
		},
		{
			name: "insert at end both sides differ",
			base: "a\n", ours: "a\nx\n", theirs: "a\ny\n",
			want:      "a\n" + conflict("x\n", "", "y\n"),
			conflicts: 1,
		},
		{
			name: "inserts at different places",
			base: "a\nb\nc\n", ours: "a\nX\nb\nc\n", theirs: "a\nb\nY\nc\n",
			want: "a\nX\nb\nY\nc\n",
		},
		{
			name: "both delete same lines",
			base: "a\nb\nc\nd\n", ours: "a\nd\n", theirs: "a\nd\n",
			want: "a\nd\n",
		},
		{
			name: "delete ours, edit elsewhere theirs",
			base: "a\nb\nc\nd\ne\n", ours: "a\nc\nd\ne\n", theirs: "a\nb\nc\nd\nE\n",
			want: "a\nc\nd\nE\n",
		},
		{
			name: "ours deletes while theirs edits",
			base: "a\nb\nc\n", ours: "a\nc\n", theirs: "a\nB\nc\n",
			want:      "a\n" + conflict("", "b\n", "B\n") + "c\n",
			conflicts: 1,
		},
		{
			name: "theirs deletes while ours edits",
			base: "a\nb\nc\n", ours: "a\nB\nc\n", theirs: "a\nc\n",
			want:      "a\n" + conflict("B\n", "b\n", "") + "c\n",
			conflicts: 1,
		},
		{
			name: "ours deletes everything, theirs edits",
			base: "a\nb\n", ours: "", theirs: "a\nB\n",
			want:      conflict("", "a\nb\n", "a\nB\n"),
			conflicts: 1,
		},
		{
			name: "empty base, same content added",
			base: "", ours: "a\n", theirs: "a\n",
			want: "a\n",
		},
		{
			name: "empty base, different content added",
			base: "", ours: "a\n", theirs: "b\n",
			want:      conflict("a\n", "", "b\n"),
			conflicts: 1,
		},
		{
			name: "empty ours, base unchanged by theirs",
			base: "a\n", ours: "", theirs: "a\n",
			want: "",
		},
		{
			name: "empty theirs, ours unchanged",
			base: "a\n", ours: "a\n", theirs: "",
			want: "",
		},
		{
			name: "no newline at EOF kept",
			base: "a\nb", ours: "A\nb", theirs: "a\nb",
			want: "A\nb",
		},
		{
			name: "no newline at EOF, other side edits",
			base: "a\nb\nc", ours: "A\nb\nc", theirs: "a\nb\nC",
			want: "A\nb\nC",
		},
		{
			name: "newline added at EOF by theirs",
			base: "a\nb\nc", ours: "A\nb\nc", theirs: "a\nb\nc\n",
			want: "A\nb\nc\n",
		},
		{
			name: "newline added at EOF by theirs, ours appends",
			base: "a\nb", ours: "a\nb\nc", theirs: "a\nb\n",
			want:      "a\n" + conflict("b\nc\n", "b\n", "b\n"),
			conflicts: 1,
		},
		{
			name: "conflict on last line without newline",
			base: "a\nb", ours: "a\nX", theirs: "a\nY",
			want:      "a\n" + conflict("X\n", "b\n", "Y\n"),
			conflicts: 1,
		},
		{
			name: "CRLF clean merge is byte exact",
			base: "a\r\nb\r\nc\r\nd\r\n", ours: "A\r\nb\r\nc\r\nd\r\n", theirs: "a\r\nb\r\nc\r\nD\r\n",
			want: "A\r\nb\r\nc\r\nD\r\n",
		},
		{
			name: "CRLF conflict uses CRLF markers",
			base: "a\r\nb\r\n", ours: "a\r\nX\r\n", theirs: "a\r\nY\r\n",
			want:      "a\r\n<<<<<<< ours\r\nX\r\n||||||| base\r\nb\r\n=======\r\nY\r\n>>>>>>> theirs\r\n",
			conflicts: 1,
		},
		{
			name: "line ending change is a change",
			base: "a\nb\n", ours: "a\r\nb\r\n", theirs: "a\nb\n",
			want: "a\r\nb\r\n",
		},
		{
			name: "line ending change against an edit conflicts",
			base: "a\nb\n", ours: "a\r\nb\r\n", theirs: "a\nB\n",
			want:      conflict("a\r\nb\r\n", "a\nb\n", "a\nB\n"),
			conflicts: 1,
		},
		{
			name: "repeated lines",
			base: "}\n}\n}\n", ours: "}\nx\n}\n}\n", theirs: "}\n}\n}\n",
			want: "}\nx\n}\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge([]byte(tt.base), []byte(tt.ours), []byte(tt.theirs), testLabels)
			if diff := cmp.Diff(tt.want, string(got.Text)); diff != "" {
				t.Errorf("text mismatch (-want +got):\n%s", diff)
			}
			if got.Conflicts != tt.conflicts {
				t.Errorf("conflicts = %d, want %d", got.Conflicts, tt.conflicts)
			}
			if n := countOpen(got.Text); n != got.Conflicts {
				t.Errorf("Markers found %d opening markers, Conflicts = %d", n, got.Conflicts)
			}
		})
	}
}

func TestMergeLabels(t *testing.T) {
	tests := []struct {
		name   string
		labels Labels
		want   string
	}{
		{
			name: "empty labels give bare markers",
			want: "<<<<<<<\nX\n|||||||\nb\n=======\nY\n>>>>>>>\n",
		},
		{
			name:   "labels flattened to one line",
			labels: Labels{Ours: "your\nedit", Base: "wsqgen 0.1.0\r", Theirs: "wsqgen 0.2.0"},
			want:   "<<<<<<< your edit\nX\n||||||| wsqgen 0.1.0 \nb\n=======\nY\n>>>>>>> wsqgen 0.2.0\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge([]byte("b\n"), []byte("X\n"), []byte("Y\n"), tt.labels)
			if diff := cmp.Diff(tt.want, string(got.Text)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarkers(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []int
	}{
		{name: "empty"},
		{name: "no markers", text: "a\nb\n"},
		{
			name: "full block",
			text: "a\n" + conflict("X\n", "b\n", "Y\n") + "c\n",
			want: []int{2, 4, 6, 8},
		},
		{
			name: "bare markers, CRLF, no final newline",
			text: "<<<<<<<\r\nX\r\n=======\r\nY\r\n>>>>>>>",
			want: []int{1, 3, 5},
		},
		{
			name: "setext heading is not a marker",
			text: "Title\n=======\n\ntext\n",
		},
		{
			name: "separator inside an open block counts",
			text: "<<<<<<< ours\nX\n=======\nY\n",
			want: []int{1, 3},
		},
		{
			name: "stray closing marker counts",
			text: "X\n>>>>>>> theirs\nc\n",
			want: []int{2},
		},
		{
			name: "longer runs and glued text are not markers",
			text: "<<<<<<<<\n<<<<<<<x\n=======x\n======= \n>>>>>>>>\n||||||\n",
		},
		{
			name: "separator after the block closed is not a marker",
			text: conflict("X\n", "b\n", "Y\n") + "=======\n",
			want: []int{1, 3, 5, 7},
		},
		{
			name: "two blocks",
			text: conflict("", "", "") + conflict("", "", ""),
			want: []int{1, 2, 3, 4, 5, 6, 7, 8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Markers([]byte(tt.text))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitLines(t *testing.T) {
	for _, s := range []string{"", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "\r"} {
		lines := splitLines([]byte(s))
		if got := strings.Join(lines, ""); got != s {
			t.Errorf("splitLines(%q) joined = %q", s, got)
		}
		for k, l := range lines {
			if k < len(lines)-1 && !strings.HasSuffix(l, "\n") {
				t.Errorf("splitLines(%q): line %d %q has no newline", s, k, l)
			}
			if strings.Contains(strings.TrimSuffix(l, "\n"), "\n") {
				t.Errorf("splitLines(%q): line %d %q holds a newline", s, k, l)
			}
		}
	}
}

// countOpen counts opening conflict markers in text.
func countOpen(text []byte) int {
	n := 0
	for _, l := range splitLines(text) {
		if markerKind(l) == markerOurs {
			n++
		}
	}
	return n
}

// bigFile returns n distinct-ish lines that look like code, with repeated
// lines ("}", blank) as real files have.
func bigFile(n int) []string {
	lines := make([]string, n)
	for k := range lines {
		switch k % 5 {
		case 3:
			lines[k] = "}\n"
		case 4:
			lines[k] = "\n"
		default:
			lines[k] = fmt.Sprintf("\tvalue%d := compute(%d) // line %d\n", k, k*7, k)
		}
	}
	return lines
}

func BenchmarkMerge(b *testing.B) {
	base := bigFile(5000)
	ours := append([]string(nil), base...)
	theirs := append([]string(nil), base...)
	for _, k := range []int{10, 1200, 2500, 4000} {
		ours[k] = "\t// user edit\n"
	}
	ours = append(ours[:3000], append([]string{"\tuser()\n", "\tmore()\n"}, ours[3000:]...)...)
	for _, k := range []int{500, 2000, 4500} {
		theirs[k] = "\t// template change\n"
	}
	theirs = append(theirs[:100], theirs[110:]...)
	bb, ob, tb := []byte(strings.Join(base, "")), []byte(strings.Join(ours, "")), []byte(strings.Join(theirs, ""))
	if r := Merge(bb, ob, tb, testLabels); r.Conflicts != 0 {
		b.Fatalf("benchmark input conflicts: %d", r.Conflicts)
	}
	b.SetBytes(int64(len(bb) + len(ob) + len(tb)))
	b.ReportAllocs()
	for b.Loop() {
		Merge(bb, ob, tb, testLabels)
	}
}

// BenchmarkMergeRewritten is the worst case for the diff: the templates
// rewrote every line except the "}" and blank lines, which still match all
// over the file.
func BenchmarkMergeRewritten(b *testing.B) {
	base := bigFile(5000)
	theirs := make([]string, len(base))
	for k, l := range base {
		theirs[k] = l
		if strings.TrimSpace(l) != "}" && l != "\n" {
			theirs[k] = "x" + l
		}
	}
	ours := append([]string(nil), base...)
	ours[2500] = "\t// user edit\n"
	bb, ob, tb := []byte(strings.Join(base, "")), []byte(strings.Join(ours, "")), []byte(strings.Join(theirs, ""))
	b.ReportAllocs()
	for b.Loop() {
		Merge(bb, ob, tb, testLabels)
	}
}
