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
// last chunk b, both verified against the same root. Every subtree
// strictly between the two paths lies inside the range, so its new root is
// that of a uniform subtree; the siblings outside the range come from the
// proofs.
func fillRoot(a, b *chunk, val byte, d, n uint64) [32]byte {
	fillChunk(a, val, d, n)
	fillChunk(b, val, d, n)
	var full [32]byte
	for i := range full {
		full[i] = val
	}
	md := merkle.Memory
	u := md.LeafHash(full)
	l, r := uint64(a.addr>>5), uint64(b.addr>>5)
	lh, rh := md.LeafHash(a.data), md.LeafHash(b.data)
	var cur [32]byte
	merged := false
	for h := 0; h < merkle.MemoryDepth; h++ {
		li, ri := l>>h, r>>h
		switch {
		case merged:
			if li&1 == 0 {
				cur = md.NodeHash(cur, a.sib[h])
			} else {
				cur = md.NodeHash(a.sib[h], cur)
			}
		case li^1 == ri:
			cur = md.NodeHash(lh, rh)
			merged = true
		default:
			if li&1 == 1 {
				lh = md.NodeHash(a.sib[h], lh)
			} else {
				lh = md.NodeHash(lh, u)
			}
			if ri&1 == 0 {
				rh = md.NodeHash(rh, b.sib[h])
			} else {
				rh = md.NodeHash(u, rh)
			}
		}
		u = md.NodeHash(u, u)
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

// memRange is a contiguous run of chunks opened with a range proof.
type memRange struct {
	first uint64 // chunk index of data[0]
	data  [][32]byte
	left  map[int][32]byte // sibling left of the run at height h
	right map[int][32]byte // sibling right of the run at height h
}

// readRange reads the range proof of the chunks holding [addr, addr+n)
// (n > 0): their data, then for each height from the bottom the sibling
// left of the run (if the run's first node there is a right child) and
// the sibling right of it (if its last node is a left child); and checks
// it against the memory root.
func (v *vm) readRange(mi *memInfo, addr, n uint64, what string) (*memRange, error) {
	r := &v.r
	start := r.off
	l, hi := addr>>5, (addr+n-1)>>5
	mr := &memRange{first: l, left: map[int][32]byte{}, right: map[int][32]byte{}}
	for i := l; i <= hi; i++ {
		w, err := r.word(fmt.Sprintf("%s chunk 0x%x", what, i<<5))
		if err != nil {
			return nil, err
		}
		mr.data = append(mr.data, w)
	}
	for h := 0; h < merkle.MemoryDepth; h++ {
		lo, up := l>>h, hi>>h
		if lo&1 == 1 {
			w, err := r.word(fmt.Sprintf("%s left sibling at height %d", what, h))
			if err != nil {
				return nil, err
			}
			mr.left[h] = w
		}
		if up&1 == 0 {
			w, err := r.word(fmt.Sprintf("%s right sibling at height %d", what, h))
			if err != nil {
				return nil, err
			}
			mr.right[h] = w
		}
	}
	if mr.root() != mi.root {
		return nil, fmt.Errorf("%w: %s range at byte %d: does not fold to the memory root", ErrBadProof, what, start)
	}
	return mr, nil
}

// root folds the run of chunks with its boundary siblings.
func (mr *memRange) root() [32]byte {
	md := merkle.Memory
	level := make([][32]byte, len(mr.data))
	for i, d := range mr.data {
		level[i] = md.LeafHash(d)
	}
	lo := mr.first
	for h := 0; h < merkle.MemoryDepth; h++ {
		if lo&1 == 1 {
			level = append([][32]byte{mr.left[h]}, level...)
			lo--
		}
		if len(level)%2 == 1 {
			level = append(level, mr.right[h])
		}
		next := make([][32]byte, len(level)/2)
		for i := range next {
			next[i] = md.NodeHash(level[2*i], level[2*i+1])
		}
		level = next
		lo >>= 1
	}
	return level[0]
}

// read returns n bytes at addr from the run.
func (mr *memRange) read(addr, n uint64) []byte {
	out := make([]byte, n)
	for i := range out {
		a := addr + uint64(i)
		out[i] = mr.data[(a>>5)-mr.first][a&31]
	}
	return out
}

// write stores b at addr in the run.
func (mr *memRange) write(addr uint64, b []byte) {
	for i, x := range b {
		a := addr + uint64(i)
		mr.data[(a>>5)-mr.first][a&31] = x
	}
}
