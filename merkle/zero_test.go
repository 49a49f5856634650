package merkle

import (
	"strings"
	"testing"
)

// TestZeroTable recomputes every domain's zero-subtree table from scratch
// with the test's own keccak.
func TestZeroTable(t *testing.T) {
	for _, d := range []*Domain{Generic, Memory, NewDomain("code")} {
		t.Run(d.Kind(), func(t *testing.T) {
			want := keccak([]byte("referee/"+d.Kind()+"-leaf/v1"), make([]byte, 32))
			for h := 0; h <= MaxDepth; h++ {
				if h > 0 {
					want = keccak([]byte("referee/"+d.Kind()+"-node/v1"), want[:], want[:])
				}
				if got := d.Zero(h); got != want {
					t.Fatalf("Zero(%d) = %x, want %x", h, got, want)
				}
			}
		})
	}
	if ZeroHash(5) != Generic.Zero(5) {
		t.Fatal("ZeroHash is not Generic.Zero")
	}
}

func TestEmptyRoots(t *testing.T) {
	for _, depth := range []int{0, 1, 7, 27, MaxDepth} {
		if got := NewTree(nil, depth).Root(); got != Root(ZeroHash(depth)) {
			t.Errorf("empty tree depth %d: root %s, want ZeroHash", depth, got)
		}
	}
	if got := NewMemoryTree().Root(); got != Root(Memory.Zero(MemoryDepth)) {
		t.Errorf("empty memory root %s, want Memory.Zero(27)", got)
	}
}

func TestZeroOutOfRange(t *testing.T) {
	for _, h := range []int{-1, MaxDepth + 1} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.HasPrefix(r, "BUG:") {
					t.Errorf("Zero(%d): recovered %q, want a BUG: panic", h, r)
				}
			}()
			Memory.Zero(h)
		}()
	}
}
