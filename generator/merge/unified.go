package merge

import (
	"bytes"
	"fmt"
)

// Unified returns a unified diff (3 lines of context) from a to b, with the
// same line diff as Merge, so the diffs `wsqgen upgrade --diff` shows are
// cut where the merge cuts. Equal inputs give nil.
func Unified(a, b []byte, nameA, nameB string) []byte {
	if bytes.Equal(a, b) {
		return nil
	}
	la, lb := splitLines(a), splitLines(b)
	ia, ib, _ := intern(la, lb, nil)
	match := diff(ia, ib)

	// The edit script as a sequence of ops: ' ' keep, '-' delete, '+' insert.
	type op struct {
		kind byte
		line string
		i, j int // 0-based positions in a and b before this op
	}
	var ops []op
	i, j := 0, 0
	for i < len(la) || j < len(lb) {
		switch {
		case i < len(la) && match[i] < 0:
			ops = append(ops, op{'-', la[i], i, j})
			i++
		case i < len(la) && match[i] > j:
			ops = append(ops, op{'+', lb[j], i, j})
			j++
		case i < len(la):
			ops = append(ops, op{' ', la[i], i, j})
			i, j = i+1, j+1
		default:
			ops = append(ops, op{'+', lb[j], i, j})
			j++
		}
	}

	const ctx = 3
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk runs from ctx lines before this change to ctx lines after
		// the last change that is within 2*ctx lines of the next one.
		start := max(0, k-ctx)
		for start < k && ops[start].kind != ' ' {
			start++
		}
		end := k
		for n := k; n < len(ops); n++ {
			if ops[n].kind != ' ' {
				end = n
				continue
			}
			if n-end > 2*ctx {
				break
			}
		}
		stop := min(len(ops), end+ctx+1)
		var na, nb int
		for _, o := range ops[start:stop] {
			if o.kind != '+' {
				na++
			}
			if o.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(ops[start].i, na), hunkRange(ops[start].j, nb))
		for _, o := range ops[start:stop] {
			out.WriteByte(o.kind)
			out.WriteString(o.line)
			if len(o.line) == 0 || o.line[len(o.line)-1] != '\n' {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		k = stop
	}
	return out.Bytes()
}

// hunkRange formats a hunk header range: 1-based start, and the length
// unless it is 1 (an empty range names the line before it).
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
