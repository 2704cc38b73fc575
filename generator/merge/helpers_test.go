package merge

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// gen produces random files and random edits of them.
type gen struct {
	r     *rand.Rand
	fresh int // counter for lines that occur nowhere else
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// line returns a line from a small alphabet, so that files repeat lines the
// way code does ("}", blank lines), which is where diffs get ambiguous.
func (g *gen) line() string {
	words := []string{"a", "b", "c", "}", "", "x", "return nil"}
	eol := "\n"
	if g.r.IntN(10) == 0 {
		eol = "\r\n"
	}
	return words[g.r.IntN(len(words))] + eol
}

// unique returns a line that occurs in no other generated file.
func (g *gen) unique(prefix string) string {
	g.fresh++
	return fmt.Sprintf("%s%d\n", prefix, g.fresh)
}

func (g *gen) file(n int, line func() string) []string {
	lines := make([]string, n)
	for k := range lines {
		lines[k] = line()
	}
	if n > 0 && g.r.IntN(5) == 0 { // sometimes no newline at end of file
		lines[n-1] = strings.TrimRight(lines[n-1], "\r\n") + "z"
	}
	return lines
}

// edit applies up to maxEdits random deletions, insertions and replacements.
func (g *gen) edit(lines []string, maxEdits int, line func() string) []string {
	out := append([]string(nil), lines...)
	for e := g.r.IntN(maxEdits + 1); e > 0; e-- {
		at := g.r.IntN(len(out) + 1)
		del := 0
		if at < len(out) && g.r.IntN(3) > 0 {
			del = 1 + g.r.IntN(min(3, len(out)-at))
		}
		var ins []string
		if del == 0 || g.r.IntN(2) == 0 {
			for k := 1 + g.r.IntN(3); k > 0; k-- {
				ins = append(ins, line())
			}
		}
		out = append(out[:at], append(ins, out[at+del:]...)...)
	}
	return out
}

func join(lines []string) []byte { return []byte(strings.Join(lines, "")) }

// resolve returns text with every conflict block replaced by one of its
// sections: 0 ours, 1 base, 2 theirs. It is only meaningful when the inputs
// of the merge held no marker-like lines.
func resolve(t testing.TB, text []byte, side int) []byte {
	t.Helper()
	var out strings.Builder
	section := -1 // -1 outside a block
	for _, l := range splitLines(text) {
		switch markerKind(l) {
		case markerOurs:
			section = 0
			continue
		case markerBase:
			section = 1
			continue
		case markerSep:
			if section >= 0 {
				section = 2
				continue
			}
		case markerTheirs:
			section = -1
			continue
		}
		if section < 0 || section == side {
			out.WriteString(l)
		}
	}
	return []byte(out.String())
}

// hasMarkerLines reports whether any input line looks like a marker, in
// which case marker-based checks do not apply.
func hasMarkerLines(files ...[]byte) bool {
	for _, f := range files {
		for _, l := range splitLines(f) {
			if markerKind(l) != "" {
				return true
			}
		}
	}
	return false
}

// checkInvariants asserts what must hold for any merge, whatever the input.
func checkInvariants(t testing.TB, base, ours, theirs []byte) {
	t.Helper()
	show := func() string { return fmt.Sprintf("base=%q\nours=%q\ntheirs=%q", base, ours, theirs) }

	// An unchanged side gives back the other side, byte for byte.
	if r := Merge(base, base, theirs, testLabels); string(r.Text) != string(theirs) || r.Conflicts != 0 {
		t.Fatalf("merge(base, base, theirs) = %q (%d conflicts), want theirs\n%s", r.Text, r.Conflicts, show())
	}
	if r := Merge(base, ours, base, testLabels); string(r.Text) != string(ours) || r.Conflicts != 0 {
		t.Fatalf("merge(base, ours, base) = %q (%d conflicts), want ours\n%s", r.Text, r.Conflicts, show())
	}
	// The same change on both sides merges cleanly.
	if r := Merge(base, ours, ours, testLabels); string(r.Text) != string(ours) || r.Conflicts != 0 {
		t.Fatalf("merge(base, ours, ours) = %q (%d conflicts), want ours\n%s", r.Text, r.Conflicts, show())
	}

	r := Merge(base, ours, theirs, testLabels)
	if again := Merge(base, ours, theirs, testLabels); string(again.Text) != string(r.Text) || again.Conflicts != r.Conflicts {
		t.Fatalf("merge is not deterministic\n%s", show())
	}

	// No added line is lost, clean or not: every line of a side that is not
	// in base appears in the result.
	// A last line without newline gains one inside a conflict block, so a
	// result line also stands for itself without its terminator.
	inResult := make(map[string]bool)
	for _, l := range splitLines(r.Text) {
		inResult[l] = true
		inResult[strings.TrimSuffix(l, "\n")] = true
		inResult[strings.TrimSuffix(l, "\r\n")] = true
	}
	inBase := make(map[string]bool)
	for _, l := range splitLines(base) {
		inBase[l] = true
	}
	for side, f := range map[string][]byte{"ours": ours, "theirs": theirs} {
		for _, l := range splitLines(f) {
			if !inBase[l] && !inResult[l] {
				t.Fatalf("line %q added by %s is missing from result %q\n%s", l, side, r.Text, show())
			}
		}
	}

	if r.Conflicts == 0 {
		// A clean result is made of lines from the inputs only.
		all := make(map[string]bool)
		for _, f := range [][]byte{base, ours, theirs} {
			for _, l := range splitLines(f) {
				all[l] = true
			}
		}
		for _, l := range splitLines(r.Text) {
			if !all[l] {
				t.Fatalf("clean result has line %q from no input\n%s", l, show())
			}
		}
	}

	if hasMarkerLines(base, ours, theirs) {
		return
	}
	if n := countOpen(r.Text); n != r.Conflicts {
		t.Fatalf("result has %d opening markers, Conflicts = %d\n%s", n, r.Conflicts, show())
	}
	if got := len(Markers(r.Text)); got != 4*r.Conflicts {
		t.Fatalf("Markers found %d lines, want %d\n%s", got, 4*r.Conflicts, show())
	}
	// Swapping the sides swaps the sections and nothing else.
	s := Merge(base, theirs, ours, testLabels)
	if s.Conflicts != r.Conflicts {
		t.Fatalf("swapped sides: %d conflicts, want %d\n%s", s.Conflicts, r.Conflicts, show())
	}
	if string(resolve(t, r.Text, 0)) != string(resolve(t, s.Text, 2)) ||
		string(resolve(t, r.Text, 2)) != string(resolve(t, s.Text, 0)) ||
		string(resolve(t, r.Text, 1)) != string(resolve(t, s.Text, 1)) {
		t.Fatalf("swapped sides do not mirror:\n%q\n%q\n%s", r.Text, s.Text, show())
	}
}

// checkDiff asserts that m is a valid matching of a into b and, for small
// inputs, that it is a longest one.
func checkDiff(t testing.TB, a, b, m []int) {
	t.Helper()
	if len(m) != len(a) {
		t.Fatalf("matching has length %d, want %d", len(m), len(a))
	}
	last, n := -1, 0
	for i, j := range m {
		if j < 0 {
			continue
		}
		if j <= last || j >= len(b) || a[i] != b[j] {
			t.Fatalf("invalid matching %v of %v into %v at %d", m, a, b, i)
		}
		last = j
		n++
	}
	if len(a)*len(b) <= 1<<16 {
		if want := lcsLen(a, b); n != want {
			t.Fatalf("matching of %v into %v has %d pairs, LCS has %d", a, b, n, want)
		}
	}
}

// lcsLen is the textbook dynamic programme, as an oracle for diff.
func lcsLen(a, b []int) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
