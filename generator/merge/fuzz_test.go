package merge

import (
	"testing"
)

// FuzzMerge checks the invariants of checkInvariants on arbitrary bytes,
// and that both diffs are valid longest matchings.
//
//	go test -run '^$' -fuzz FuzzMerge -fuzztime 2m ./generator/merge/
func FuzzMerge(f *testing.F) {
	seeds := [][3]string{
		{"", "", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "a\nb\nC\n"},
		{"a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n"},
		{"a\nb", "a\nX", "a\nY"},
		{"a\r\nb\r\n", "a\r\nX\r\n", "a\nb\n"},
		{"}\n}\n}\n", "}\nx\n}\n}\n", "}\n}\ny\n}\n"},
		{"a\n", "", "a\nb\n"},
		{"<<<<<<< x\n=======\n>>>>>>>\n", "=======\n", "|||||||\n"},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	f.Fuzz(func(t *testing.T, base, ours, theirs []byte) {
		checkInvariants(t, base, ours, theirs)
		o, a, b := splitLines(base), splitLines(ours), splitLines(theirs)
		io, ia, ib := intern(o, a, b)
		checkDiff(t, io, ia, diff(io, ia))
		checkDiff(t, io, ib, diff(io, ib))
		Markers(ours) // must not panic
	})
}
