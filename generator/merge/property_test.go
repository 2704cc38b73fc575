package merge

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const propertyRuns = 3000

// TestPropertiesRandom checks the invariants on random files with repeated
// lines, CRLF and missing final newlines, edited at random on both sides.
func TestPropertiesRandom(t *testing.T) {
	g := newGen(1)
	for run := 0; run < propertyRuns; run++ {
		base := g.file(g.r.IntN(30), g.line)
		ours := g.edit(base, 4, g.line)
		theirs := g.edit(base, 4, g.line)
		checkInvariants(t, join(base), join(ours), join(theirs))
	}
}

// TestPropertiesFreshLines is like TestPropertiesRandom but the sides add
// lines found nowhere else, which the no-loss check can then track exactly.
func TestPropertiesFreshLines(t *testing.T) {
	g := newGen(2)
	for run := 0; run < propertyRuns; run++ {
		base := g.file(g.r.IntN(30), g.line)
		ours := g.edit(base, 4, func() string { return g.unique("ours") })
		theirs := g.edit(base, 4, func() string { return g.unique("theirs") })
		checkInvariants(t, join(base), join(ours), join(theirs))
	}
}

// TestDisjointEditsMerge edits two regions separated by at least one
// untouched line and expects exactly both edits, without conflict.
func TestDisjointEditsMerge(t *testing.T) {
	g := newGen(3)
	for run := 0; run < propertyRuns; run++ {
		n := 1 + g.r.IntN(40)
		base := make([]string, n)
		for k := range base {
			base[k] = g.unique("base")
		}
		s := g.r.IntN(n) // base[s] separates the two regions
		oursRegion := g.edit(base[:s], 4, func() string { return g.unique("ours") })
		theirsRegion := g.edit(base[s+1:], 4, func() string { return g.unique("theirs") })

		ours := append(append([]string(nil), oursRegion...), base[s:]...)
		theirs := append(append([]string(nil), base[:s+1]...), theirsRegion...)
		want := append(append(append([]string(nil), oursRegion...), base[s]), theirsRegion...)

		r := Merge(join(base), join(ours), join(theirs), testLabels)
		if diff := cmp.Diff(string(join(want)), string(r.Text)); diff != "" || r.Conflicts != 0 {
			t.Fatalf("run %d: %d conflicts, (-want +got):\n%s\nbase=%q\nours=%q\ntheirs=%q",
				run, r.Conflicts, diff, join(base), join(ours), join(theirs))
		}
	}
}

// TestOverlappingEditsConflict: when both sides replace the same base line
// with different fresh lines, the merge must conflict.
func TestOverlappingEditsConflict(t *testing.T) {
	g := newGen(4)
	for run := 0; run < propertyRuns; run++ {
		n := 1 + g.r.IntN(40)
		base := g.file(n, g.line)
		k := g.r.IntN(n)
		ours := append([]string(nil), base...)
		theirs := append([]string(nil), base...)
		ours[k] = g.unique("ours")
		theirs[k] = g.unique("theirs")
		r := Merge(join(base), join(ours), join(theirs), testLabels)
		if r.Conflicts == 0 {
			t.Fatalf("run %d: no conflict for edits of the same line %d:\n%q", run, k, r.Text)
		}
		checkInvariants(t, join(base), join(ours), join(theirs))
	}
}

func TestDiffIsLongestCommonSubsequence(t *testing.T) {
	g := newGen(5)
	for run := 0; run < 20000; run++ {
		a := make([]int, g.r.IntN(40))
		for k := range a {
			a[k] = g.r.IntN(1 + g.r.IntN(6))
		}
		var b []int
		if g.r.IntN(2) == 0 {
			b = make([]int, g.r.IntN(40))
			for k := range b {
				b[k] = g.r.IntN(6)
			}
		} else { // b is an edit of a, the common case
			for _, v := range a {
				if g.r.IntN(6) > 0 {
					b = append(b, v)
				}
				if g.r.IntN(6) == 0 {
					b = append(b, g.r.IntN(8))
				}
			}
		}
		checkDiff(t, a, b, diff(a, b))
	}
}

func TestDiffLarge(t *testing.T) {
	g := newGen(6)
	for _, n := range []int{100, 1000, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			a := make([]int, n)
			for k := range a {
				a[k] = g.r.IntN(n / 10)
			}
			b := make([]int, 0, n)
			for _, v := range a {
				if g.r.IntN(20) > 0 {
					b = append(b, v)
				} else {
					b = append(b, g.r.IntN(n))
				}
			}
			m := diff(a, b)
			checkDiff(t, a, b, m)
			if n <= 1000 {
				matched := 0
				for _, j := range m {
					if j >= 0 {
						matched++
					}
				}
				if want := lcsLen(a, b); matched != want {
					t.Fatalf("matched %d, LCS %d", matched, want)
				}
			}
		})
	}
}
