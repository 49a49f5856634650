package dispute

import (
	"fmt"
	"math"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lo, hi uint64
		k      int
		want   []uint64
	}{
		{"even k=4", 0, 16, 4, []uint64{0, 4, 8, 12, 16}},
		{"uneven k=4", 0, 10, 4, []uint64{0, 2, 5, 7, 10}},
		{"k > length", 3, 6, 16, []uint64{3, 4, 5, 6}},
		{"one step", 7, 8, 4, []uint64{7, 8}},
		{"binary", 5, 10, 2, []uint64{5, 7, 10}},
		{"empty", 5, 5, 2, nil},
		{"huge", 0, math.MaxUint64, 2, []uint64{0, math.MaxUint64 / 2, math.MaxUint64}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Split(tc.lo, tc.hi, tc.k); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("Split(%d, %d, %d) = %v, want %v", tc.lo, tc.hi, tc.k, got, tc.want)
			}
		})
	}
}

// TestSplitProperties checks every interval of a range: strictly
// increasing points, parts of ⌊n/m⌋ or ⌈n/m⌉ steps.
func TestSplitProperties(t *testing.T) {
	for _, k := range []int{2, 3, 4, 7, 16, 64} {
		for n := uint64(1); n < 300; n++ {
			p := Split(10, 10+n, k)
			m := uint64(len(p) - 1)
			if m != min(uint64(k), n) || p[0] != 10 || p[m] != 10+n {
				t.Fatalf("k=%d n=%d: %v", k, n, p)
			}
			for i := uint64(0); i < m; i++ {
				if d := p[i+1] - p[i]; d != n/m && d != (n+m-1)/m {
					t.Fatalf("k=%d n=%d: part %d has %d steps: %v", k, n, i, d, p)
				}
			}
		}
	}
}

// TestDepth checks Depth against the deepest path through every split.
func TestDepth(t *testing.T) {
	var deepest func(lo, hi uint64, k int) uint64
	deepest = func(lo, hi uint64, k int) uint64 {
		if hi-lo <= 1 {
			return 0
		}
		p := Split(lo, hi, k)
		d := uint64(0)
		for i := 0; i+1 < len(p); i++ {
			d = max(d, deepest(p[i], p[i+1], k))
		}
		return d + 1
	}
	for _, k := range []int{2, 3, 4, 16} {
		for n := uint64(1); n < 200; n++ {
			if got, want := Depth(n, k), deepest(0, n, k); got != want {
				t.Fatalf("Depth(%d, %d) = %d, want %d", n, k, got, want)
			}
		}
	}
	if got := Depth(1_000_000_000, 2); got != 30 {
		t.Fatalf("Depth(1e9, 2) = %d, want 30", got)
	}
}

// TestGindexK4 is the worked example of doc.go: a game over 16 steps with
// k = 4.
func TestGindexK4(t *testing.T) {
	for _, tc := range []struct {
		g      uint64
		lo, hi uint64
	}{
		{1, 0, 16},
		{2, 0, 4}, {3, 4, 8}, {4, 8, 12}, {5, 12, 16},
		{6, 0, 1}, {9, 3, 4}, {10, 4, 5}, {13, 7, 8}, {21, 15, 16},
	} {
		lo, hi, err := Interval(tc.g, 16, 4)
		if err != nil || lo != tc.lo || hi != tc.hi {
			t.Errorf("Interval(%d) = [%d, %d] %v, want [%d, %d]", tc.g, lo, hi, err, tc.lo, tc.hi)
		}
	}
	if _, _, err := Interval(22, 16, 4); err == nil { // a child of [0, 1]
		t.Errorf("Interval(22) of a 16-step game: no error")
	}
	if _, _, err := Interval(0, 16, 4); err == nil {
		t.Errorf("Interval(0): no error")
	}
}

// TestGindexRoundTrip walks every path of small games and checks that
// Interval inverts Gindex and Parent inverts Gindex.
func TestGindexRoundTrip(t *testing.T) {
	for _, k := range []int{2, 3, 4, 5} {
		for _, n := range []uint64{1, 7, 30, 64} {
			var walk func(g, lo, hi uint64)
			walk = func(g, lo, hi uint64) {
				l, h, err := Interval(g, n, k)
				if err != nil || l != lo || h != hi {
					t.Fatalf("k=%d n=%d: Interval(%d) = [%d, %d] %v, want [%d, %d]", k, n, g, l, h, err, lo, hi)
				}
				p := Split(lo, hi, k)
				for j := 0; j+2 <= len(p) && hi-lo > 1; j++ {
					c := Gindex(g, k, j)
					if pg, pj := Parent(c, k); pg != g || pj != j {
						t.Fatalf("Parent(%d) = %d, %d, want %d, %d", c, pg, pj, g, j)
					}
					walk(c, p[j], p[j+1])
				}
			}
			walk(1, 0, n)
		}
	}
}
