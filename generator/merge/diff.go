package merge

// diff computes a longest common subsequence of a and b with Myers' O(ND)
// algorithm in linear space. It returns, for each index of a, the index of
// the element of b it is matched with, or -1 when that element of a is
// deleted. Matched indexes increase strictly, and matched elements are equal.
//
// Elements that occur only in a or only in b can never be matched, so they
// are set aside before the search (as GNU diff and git do). This keeps the
// result a longest common subsequence and makes rewritten files, where few
// lines survive, cheap instead of the O(N²) worst case.
func diff(a, b []int) []int {
	m := make([]int, len(a))
	for k := range m {
		m[k] = -1
	}
	ka, kb := common(a, b)
	ca, cb := pick(a, ka), pick(b, kb)
	n := len(ca) + len(cb)
	d := &differ{a: ca, b: cb, match: make([]int, len(ca)), vf: make([]int, 2*n+3), vb: make([]int, 2*n+3)}
	for k := range d.match {
		d.match[k] = -1
	}
	d.compare(0, len(ca), 0, len(cb))
	for k, j := range d.match {
		if j >= 0 {
			m[ka[k]] = kb[j]
		}
	}
	return m
}

// common returns the indexes of the elements of a that occur in b, and of
// the elements of b that occur in a. Elements are small non-negative ints.
func common(a, b []int) (ka, kb []int) {
	size := 0
	for _, v := range a {
		size = max(size, v+1)
	}
	for _, v := range b {
		size = max(size, v+1)
	}
	const inA, inB = 1, 2
	seen := make([]uint8, size)
	for _, v := range a {
		seen[v] |= inA
	}
	for _, v := range b {
		seen[v] |= inB
	}
	ka, kb = make([]int, 0, len(a)), make([]int, 0, len(b))
	for k, v := range a {
		if seen[v]&inB != 0 {
			ka = append(ka, k)
		}
	}
	for k, v := range b {
		if seen[v]&inA != 0 {
			kb = append(kb, k)
		}
	}
	return ka, kb
}

func pick(s, idx []int) []int {
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = s[i]
	}
	return out
}

type differ struct {
	a, b   []int
	match  []int
	vf, vb []int // furthest reaching x per diagonal, forward and backward
}

// compare matches a[aLo:aHi] against b[bLo:bHi].
func (d *differ) compare(aLo, aHi, bLo, bHi int) {
	for {
		for aLo < aHi && bLo < bHi && d.a[aLo] == d.b[bLo] {
			d.match[aLo] = bLo
			aLo++
			bLo++
		}
		for aLo < aHi && bLo < bHi && d.a[aHi-1] == d.b[bHi-1] {
			aHi--
			bHi--
			d.match[aHi] = bHi
		}
		if aLo == aHi || bLo == bHi {
			return // only insertions or only deletions remain
		}
		x, y, u, v := d.middleSnake(aLo, aHi, bLo, bHi)
		for k := 0; k < u-x; k++ {
			d.match[x+k] = y + k
		}
		// Recurse on the smaller half, loop on the other, to bound the
		// stack depth by log(N+M).
		if (x-aLo)+(y-bLo) < (aHi-u)+(bHi-v) {
			d.compare(aLo, x, bLo, y)
			aLo, bLo = u, v
		} else {
			d.compare(u, aHi, v, bHi)
			aHi, bHi = x, y
		}
	}
}

// middleSnake finds the middle snake of an optimal edit path from (aLo, bLo)
// to (aHi, bHi), as in section 4b of Myers' paper: it runs the greedy search
// forward from the start and backward from the end, one edit at a time,
// until the two overlap. It returns the snake's start (x, y) and end (u, v)
// in absolute indexes. The caller has trimmed the common prefix and suffix
// and both ranges are non-empty, so the edit distance is at least 2 and
// both halves around the snake are strictly smaller than the whole.
func (d *differ) middleSnake(aLo, aHi, bLo, bHi int) (x, y, u, v int) {
	a, b := d.a, d.b
	n, m := aHi-aLo, bHi-bLo
	delta := n - m
	odd := delta&1 != 0
	off := n + m + 1
	vf, vb := d.vf, d.vb
	vf[off+1], vb[off+1] = 0, 0
	// Forward coordinates: x in [0,n], y in [0,m], diagonal k = x-y.
	// Backward coordinates are the same measured from the end:
	// rx = n-x, ry = m-y, diagonal rk = rx-ry = delta-k.
	for step := 0; step <= (n+m+1)/2; step++ {
		for k := -step; k <= step; k += 2 {
			var fx int
			if k == -step || (k != step && vf[off+k-1] < vf[off+k+1]) {
				fx = vf[off+k+1] // down: insertion from b
			} else {
				fx = vf[off+k-1] + 1 // right: deletion from a
			}
			fy := fx - k
			sx, sy := fx, fy
			for fx < n && fy < m && a[aLo+fx] == b[bLo+fy] {
				fx++
				fy++
			}
			vf[off+k] = fx
			if rk := delta - k; odd && rk >= -(step-1) && rk <= step-1 && fx+vb[off+rk] >= n {
				return aLo + sx, bLo + sy, aLo + fx, bLo + fy
			}
		}
		for rk := -step; rk <= step; rk += 2 {
			var rx int
			if rk == -step || (rk != step && vb[off+rk-1] < vb[off+rk+1]) {
				rx = vb[off+rk+1]
			} else {
				rx = vb[off+rk-1] + 1
			}
			ry := rx - rk
			sx, sy := rx, ry
			for rx < n && ry < m && a[aHi-1-rx] == b[bHi-1-ry] {
				rx++
				ry++
			}
			vb[off+rk] = rx
			if k := delta - rk; !odd && k >= -step && k <= step && vf[off+k]+rx >= n {
				return aHi - rx, bHi - ry, aHi - sx, bHi - sy
			}
		}
	}
	panic("merge: middle snake not found") // unreachable: the paths always meet
}
