package dispute

import (
	"fmt"

	"github.com/refereevm/referee/merkle"
)

// MaxCopyBytes caps the length of a memory.copy that one proof can carry:
// the proof holds the source and destination chunks, so it grows with the
// length (about 2 × n + 3.5 KiB); 64 KiB, one Wasm page, keeps it under
// 140 KiB. memory.fill has no cap: its proof is two chunks whatever n.
const MaxCopyBytes = 65536

// fillRoot returns the memory root after filling [d, d+n) (n > 0, more
// than one chunk) with val, from the proofs of the first chunk a and the
// last chunk b, both verified against the same root.
func fillRoot(a, b *chunk, val byte, d, n uint64) [32]byte {
	fillChunk(a, val, d, n)
	fillChunk(b, val, d, n)
	var full [32]byte
	for i := range full {
		full[i] = val
	}
	return fillTree(merkle.Memory, merkle.MemoryDepth, uint64(a.addr>>5), a.data, a.sib, uint64(b.addr>>5), b.data, b.sib, full)
}

// fillTree returns the root of a tree (domain d, depth depth) after
// setting leaves l … r (l < r) to fill, except leaves l and r, which
// become leafL and leafR; sibL and sibR are the proofs of leaves l and r
// against the same root. Every subtree strictly between the two paths lies
// inside the range, so its new root is that of a uniform subtree; the
// siblings outside the range come from the proofs. Where the paths meet
// they climb as one with l's siblings.
func fillTree(d *merkle.Domain, depth int, l uint64, leafL [32]byte, sibL [][32]byte, r uint64, leafR [32]byte, sibR [][32]byte, fill [32]byte) [32]byte {
	u := d.LeafHash(fill)
	lh, rh := d.LeafHash(leafL), d.LeafHash(leafR)
	var cur [32]byte
	merged := false
	for h := 0; h < depth; h++ {
		li, ri := l>>h, r>>h
		switch {
		case merged:
			if li&1 == 0 {
				cur = d.NodeHash(cur, sibL[h])
			} else {
				cur = d.NodeHash(sibL[h], cur)
			}
		case li^1 == ri:
			cur = d.NodeHash(lh, rh)
			merged = true
		default:
			if li&1 == 1 {
				lh = d.NodeHash(sibL[h], lh)
			} else {
				lh = d.NodeHash(lh, u)
			}
			if ri&1 == 0 {
				rh = d.NodeHash(rh, sibR[h])
			} else {
				rh = d.NodeHash(u, rh)
			}
		}
		u = d.NodeHash(u, u)
	}
	return cur
}

func fillChunk(c *chunk, val byte, d, n uint64) {
	for i := 0; i < 32; i++ {
		if a := uint64(c.addr) + uint64(i); a >= d && a < d+n {
			c.data[i] = val
		}
	}
}

// treeRange is a contiguous run of leaves opened with a range proof.
type treeRange struct {
	d     *merkle.Domain
	depth int
	first uint64     // index of leaves[0]
	data  [][32]byte // leaf data
	left  [][32]byte // [h]: the sibling left of the run at height h, if any
	right [][32]byte // [h]: the sibling right of the run at height h, if any
}

// readRange reads the range proof of leaves l … r (l <= r) of a tree of
// the given domain and depth: their data (32 bytes each, or 8 for value
// leaves), then for each height from the bottom the sibling left of the
// run (if the run's first node there is a right child) and the sibling
// right of it (if its last node is a left child); and checks it against
// root.
func (v *vm) readRange(d *merkle.Domain, depth int, l, r uint64, values bool, root [32]byte, what string) (*treeRange, error) {
	rd := &v.r
	start := rd.off
	if r < l || depth > merkle.MaxDepth || r>>depth != 0 {
		return nil, fmt.Errorf("%w: %s: range %d … %d outside a tree of depth %d", ErrBadProof, what, l, r, depth)
	}
	tr := &treeRange{d: d, depth: depth, first: l, left: make([][32]byte, depth), right: make([][32]byte, depth)}
	for i := l; i <= r; i++ {
		var w [32]byte
		var err error
		if values {
			var x uint64
			x, err = rd.u64(fmt.Sprintf("%s leaf %d", what, i))
			w = valueLeaf(x)
		} else {
			w, err = rd.word(fmt.Sprintf("%s leaf %d", what, i))
		}
		if err != nil {
			return nil, err
		}
		tr.data = append(tr.data, w)
	}
	for h := 0; h < depth; h++ {
		var err error
		if (l>>h)&1 == 1 {
			if tr.left[h], err = rd.word(fmt.Sprintf("%s left sibling at height %d", what, h)); err != nil {
				return nil, err
			}
		}
		if (r>>h)&1 == 0 {
			if tr.right[h], err = rd.word(fmt.Sprintf("%s right sibling at height %d", what, h)); err != nil {
				return nil, err
			}
		}
	}
	if tr.root() != root {
		return nil, fmt.Errorf("%w: %s range at byte %d: does not fold to the committed root", ErrBadProof, what, start)
	}
	return tr, nil
}

// root folds the run of leaves with its boundary siblings.
func (tr *treeRange) root() [32]byte {
	level := make([][32]byte, len(tr.data))
	for i, d := range tr.data {
		level[i] = tr.d.LeafHash(d)
	}
	lo := tr.first
	for h := 0; h < tr.depth; h++ {
		if lo&1 == 1 {
			level = append([][32]byte{tr.left[h]}, level...)
			lo--
		}
		if len(level)%2 == 1 {
			level = append(level, tr.right[h])
		}
		next := make([][32]byte, len(level)/2)
		for i := range next {
			next[i] = tr.d.NodeHash(level[2*i], level[2*i+1])
		}
		level = next
		lo >>= 1
	}
	return level[0]
}

// readMemRange reads the range proof of the chunks holding [addr, addr+n).
func (v *vm) readMemRange(mi *memInfo, addr, n uint64, what string) (*treeRange, error) {
	return v.readRange(merkle.Memory, merkle.MemoryDepth, addr>>5, (addr+n-1)>>5, false, mi.root, what)
}

// readBytes returns n bytes at addr from a memory run.
func (tr *treeRange) readBytes(addr, n uint64) []byte {
	out := make([]byte, n)
	for i := range out {
		a := addr + uint64(i)
		out[i] = tr.data[(a>>5)-tr.first][a&31]
	}
	return out
}

// writeBytes stores b at addr in a memory run.
func (tr *treeRange) writeBytes(addr uint64, b []byte) {
	for i, x := range b {
		a := addr + uint64(i)
		tr.data[(a>>5)-tr.first][a&31] = x
	}
}
