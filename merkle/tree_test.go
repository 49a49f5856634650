package merkle

import (
	"math/rand"
	"slices"
	"testing"
)

// refRoot computes the root of a depth-d tree over the given leaves from
// scratch, with the test's own keccak: a subtree holding no set leaf is
// the zero subtree. leaves maps leaf index to data (only looked up, never
// iterated); idx is the sorted list of set indices.
func refRoot(d *Domain, depth int, leaves map[uint64][32]byte, idx []uint64) [32]byte {
	leafL, nodeL := []byte(d.LeafLabel()), []byte(d.NodeLabel())
	var rec func(height int, lo uint64, idx []uint64) [32]byte
	rec = func(height int, lo uint64, idx []uint64) [32]byte {
		if len(idx) == 0 {
			return d.Zero(height)
		}
		if height == 0 {
			v := leaves[lo]
			return keccak(leafL, v[:])
		}
		mid := lo + 1<<uint(height-1)
		split, _ := slices.BinarySearch(idx, mid)
		l := rec(height-1, lo, idx[:split])
		r := rec(height-1, mid, idx[split:])
		return keccak(nodeL, l[:], r[:])
	}
	return rec(depth, 0, idx)
}

// refold folds a proof by hand, without Fold.
func refold(d *Domain, index uint64, leaf [32]byte, sib [][32]byte) [32]byte {
	cur := keccak([]byte(d.LeafLabel()), leaf[:])
	for h, s := range sib {
		if index>>uint(h)&1 == 0 {
			cur = keccak([]byte(d.NodeLabel()), cur[:], s[:])
		} else {
			cur = keccak([]byte(d.NodeLabel()), s[:], cur[:])
		}
	}
	return cur
}

func randLeaf(r *rand.Rand) (v [32]byte) {
	switch r.Intn(4) {
	case 0: // zero leaf: must behave like an absent one
	case 1:
		v[r.Intn(32)] = byte(1 + r.Intn(255))
	default:
		r.Read(v[:])
	}
	return v
}

// TestTreeIncremental sets random leaves in trees of several depths and
// checks, after every batch, the incremental root against refRoot and
// every written leaf's proof by hand and through Verify.
func TestTreeIncremental(t *testing.T) {
	tests := []struct {
		name    string
		depth   int
		batches int
	}{
		{"depth=0", 0, 5},
		{"depth=1", 1, 10},
		{"depth=4", 4, 30},
		{"depth=16", 16, 30},
		{"depth=63", MaxDepth, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(int64(tc.depth) + 1))
			d := NewDomain("test")
			tr := NewTree(d, tc.depth)
			leaves := map[uint64][32]byte{}
			var idx []uint64
			mask := uint64(1)<<uint(tc.depth) - 1
			for b := 0; b < tc.batches; b++ {
				var batch []uint64
				for n := r.Intn(5) + 1; n > 0; n-- {
					i := r.Uint64() & mask
					if len(idx) > 0 && r.Intn(3) == 0 {
						i = idx[r.Intn(len(idx))] // overwrite
					}
					v := randLeaf(r)
					batch = append(batch, i)
					tr.Set(i, v)
					leaves[i] = v
					if j, found := slices.BinarySearch(idx, i); !found {
						idx = slices.Insert(idx, j, i)
					}
				}
				root := tr.Root()
				if want := refRoot(d, tc.depth, leaves, idx); root != Root(want) {
					t.Fatalf("batch %d: root %s, want %s", b, root, Root(want))
				}
				// Prove this batch's leaves and two older ones.
				batch = append(batch, idx[r.Intn(len(idx))], idx[r.Intn(len(idx))])
				for _, i := range batch {
					p := tr.Prove(i)
					if p.Leaf != leaves[i] || tr.Leaf(i) != leaves[i] {
						t.Fatalf("batch %d: leaf %d = %x, want %x", b, i, p.Leaf, leaves[i])
					}
					if got := refold(d, i, p.Leaf, p.Siblings); got != [32]byte(root) {
						t.Fatalf("batch %d: proof of leaf %d re-folds to %x, want %s", b, i, got, root)
					}
					if !p.Verify(root) {
						t.Fatalf("batch %d: proof of leaf %d rejected", b, i)
					}
				}
			}
			// An unwritten leaf is provable as zero.
			if tc.depth > 0 {
				i := r.Uint64() & mask
				if _, ok := leaves[i]; !ok {
					p := tr.Prove(i)
					if p.Leaf != ([32]byte{}) || !p.Verify(tr.Root()) {
						t.Fatalf("unwritten leaf %d: leaf %x, verify %v", i, p.Leaf, p.Verify(tr.Root()))
					}
				}
			}
		})
	}
}

// TestTreeZeroLeaf: writing zero leaves leaves the root empty.
func TestTreeZeroLeaf(t *testing.T) {
	tr := NewTree(nil, 10)
	tr.Set(3, [32]byte{1})
	tr.Root()
	tr.Set(3, [32]byte{})
	tr.Set(1000, [32]byte{})
	if got := tr.Root(); got != Root(ZeroHash(10)) {
		t.Fatalf("root %s after zero writes, want ZeroHash(10)", got)
	}
}

func TestTreeIndexOutOfRange(t *testing.T) {
	tr := NewTree(nil, 3)
	for name, f := range map[string]func(){
		"Set":   func() { tr.Set(8, [32]byte{}) },
		"Leaf":  func() { tr.Leaf(8) },
		"Prove": func() { tr.Prove(1 << 40) },
		"depth": func() { NewTree(nil, 64) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); len(r) < 4 || r[:4] != "BUG:" {
					t.Errorf("%s: recovered %q, want a BUG: panic", name, r)
				}
			}()
			f()
		}()
	}
}

func TestGindex(t *testing.T) {
	tests := []struct {
		name  string
		depth int
		index uint64
		want  uint64
	}{
		{"root", 0, 0, 1},
		{"left child", 1, 0, 2},
		{"right child", 1, 1, 3},
		{"depth 3 leaf 5", 3, 5, 13},
		{"memory chunk 0", MemoryDepth, 0, 1 << 27},
		{"last memory chunk", MemoryDepth, 1<<27 - 1, 1<<28 - 1},
	}
	for _, tc := range tests {
		if got := Gindex(tc.depth, tc.index); got != tc.want {
			t.Errorf("%s: Gindex(%d, %d) = %d, want %d", tc.name, tc.depth, tc.index, got, tc.want)
		}
	}
}
