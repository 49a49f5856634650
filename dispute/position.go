package dispute

import (
	"fmt"
	"math/bits"
)

// Limits on a game's shape. MaxSteps × MaxK stays far below 2^64, so every
// generalized index of a game fits in a uint64 (see Gindex).
const (
	MinK     = 2
	MaxK     = 1024
	MaxSteps = uint64(1) << 48
)

// Parts returns how many sub-intervals the interval [lo, hi] splits into
// under arity k: min(k, hi-lo). An interval shorter than k splits into
// single steps, so a game never posts a root twice for one step.
func Parts(lo, hi uint64, k int) int {
	n := hi - lo
	if n < uint64(k) {
		return int(n)
	}
	return k
}

// Split returns the m+1 boundaries p_0 = lo < p_1 < … < p_m = hi of
// [lo, hi] split into m = Parts(lo, hi, k) sub-intervals, with
// p_i = lo + ⌊i·(hi−lo)/m⌋. Every sub-interval has ⌊n/m⌋ or ⌈n/m⌉ steps
// (n = hi−lo), and the result depends only on (lo, hi, k), so both parties
// and the arbiter compute the same points. It returns nil if hi ≤ lo.
func Split(lo, hi uint64, k int) []uint64 {
	if hi <= lo || k < MinK {
		return nil
	}
	n := hi - lo
	m := uint64(Parts(lo, hi, k))
	p := make([]uint64, m+1)
	for i := uint64(0); i <= m; i++ {
		// i·n can exceed 64 bits for long intervals: use the 128-bit product.
		h, l := bits.Mul64(i, n)
		q, _ := bits.Div64(h, l, m)
		p[i] = lo + q
	}
	return p
}

// Depth returns the most splits a game over n steps can take with arity k
// before its interval is one step long: each split leaves at most ⌈n/k⌉
// steps. Depth(1, k) = 0.
func Depth(n uint64, k int) uint64 {
	d := uint64(0)
	for n > 1 {
		m := uint64(k)
		if n < m {
			m = n
		}
		n = (n + m - 1) / m
		d++
	}
	return d
}

// Gindex returns the generalized index of child j (0-based) of the node
// with generalized index g in a k-ary tree numbered from the root = 1,
// breadth first: the children of g are k·(g−1)+2 … k·g+1. For k = 2 this is
// the binary numbering 2g, 2g+1 used by merkle/. A node keeps its number
// when its interval splits into fewer than k parts; the missing children's
// numbers are simply unused.
func Gindex(g uint64, k int, j int) uint64 {
	return uint64(k)*(g-1) + 2 + uint64(j)
}

// Parent returns the parent of generalized index g > 1 and g's child index
// under it: the inverse of Gindex.
func Parent(g uint64, k int) (parent uint64, j int) {
	q := (g - 2) / uint64(k)
	return q + 1, int((g - 2) % uint64(k))
}

// Interval returns the step interval [lo, hi] that generalized index g
// denotes in a game over steps [0, steps] with arity k, or an error if g
// names no node of that game (a child of a one-step interval, or a child
// index beyond its parent's parts).
func Interval(g uint64, steps uint64, k int) (lo, hi uint64, err error) {
	if g == 0 {
		return 0, 0, fmt.Errorf("gindex 0: gindices start at 1")
	}
	if g == 1 {
		return 0, steps, nil
	}
	// Walk up to the root, then back down: the path is at most Depth long.
	var path []int
	for g > 1 {
		p, j := Parent(g, k)
		path = append(path, j)
		g = p
	}
	lo, hi = 0, steps
	for i := len(path) - 1; i >= 0; i-- {
		if hi-lo <= 1 {
			return 0, 0, fmt.Errorf("gindex: interval [%d, %d] is one step and has no children", lo, hi)
		}
		pts := Split(lo, hi, k)
		j := path[i]
		if j+1 >= len(pts) {
			return 0, 0, fmt.Errorf("gindex: child %d of interval [%d, %d] does not exist (%d parts)", j, lo, hi, len(pts)-1)
		}
		lo, hi = pts[j], pts[j+1]
	}
	return lo, hi, nil
}
