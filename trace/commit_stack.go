package trace

import (
	"encoding/binary"
	"slices"

	"github.com/refereevm/referee/merkle"
)

// stackCache holds the value-stack chain: vals[k] is operand k (bottom
// first) and hs[k] the chain hash after pushing it. The empty chain is 32
// zero bytes.
type stackCache struct {
	vals []uint64
	hs   [][32]byte
}

// update makes the chain hold ops and returns its hash, re-hashing only
// from the lowest changed entry up.
func (s *stackCache) update(ops []uint64) [32]byte {
	k := 0
	for k < len(ops) && k < len(s.vals) && s.vals[k] == ops[k] {
		k++
	}
	s.vals = append(s.vals[:k], ops[k:]...)
	s.hs = s.hs[:k]
	for ; k < len(ops); k++ {
		s.hs = append(s.hs, chainPush(s.hashAt(k), ops[k]))
	}
	return s.hashAt(len(ops))
}

// hashAt returns the chain hash of the bottom n entries.
func (s *stackCache) hashAt(n int) [32]byte {
	if n == 0 {
		return [32]byte{}
	}
	return s.hs[n-1]
}

// frameCache is one frame's locals tree and its link in the frame chain.
type frameCache struct {
	fn     *funcCode
	fp     int
	pc     int
	base   [32]byte
	locals []uint64
	tree   *merkle.Tree
	root   [32]byte
	link   [32]byte // frame chain hash up to and including this frame
	valid  bool
}

// update brings the locals tree up to date with slots and reports whether
// anything changed. Locals are packed localsPerLeaf to a leaf, so a run
// that changed many locals re-hashes a quarter of the leaves.
func (f *frameCache) update(fn *funcCode, fp int, slots []uint64) bool {
	if f.tree == nil || f.fn != fn || f.fp != fp {
		f.fn, f.fp = fn, fp
		f.tree = merkle.NewTree(localsDomain, localsDepth(fn.numLocals))
		f.locals = append(f.locals[:0], slots...)
		for j := 0; j*localsPerLeaf < len(slots); j++ {
			if l := localsLeaf(slots, j); l != ([32]byte{}) {
				f.tree.Set(uint64(j), l)
			}
		}
		f.root = f.tree.Root()
		return true
	}
	changed := false
	for j := 0; j*localsPerLeaf < len(slots); j++ {
		lo, hi := j*localsPerLeaf, min((j+1)*localsPerLeaf, len(slots))
		if !slices.Equal(f.locals[lo:hi], slots[lo:hi]) {
			copy(f.locals[lo:hi], slots[lo:hi])
			f.tree.Set(uint64(j), localsLeaf(slots, j))
			changed = true
		}
	}
	if changed {
		f.root = f.tree.Root()
	}
	return changed
}

// localsPerLeaf locals share one leaf of a frame's locals tree
// (docs/state-commitment.md §3).
const localsPerLeaf = 4

// localsDepth is the depth of the locals tree of a frame with n locals.
func localsDepth(n int) int { return depthFor(uint64((n + localsPerLeaf - 1) / localsPerLeaf)) }

// localsLeaf packs locals 4j … 4j+3 of slots (u64 each, big-endian; zero
// past the end).
func localsLeaf(slots []uint64, j int) [32]byte {
	var l [32]byte
	for k := 0; k < localsPerLeaf && j*localsPerLeaf+k < len(slots); k++ {
		binary.BigEndian.PutUint64(l[8*k:], slots[j*localsPerLeaf+k])
	}
	return l
}

// encodeRunning fills the running frame, sp-dependent chains and depth of
// a running machine's encoding.
func (c *Committer) encodeRunning(e []byte) {
	m := c.m
	c.operands = c.operands[:0]
	if m.pendingHost || len(m.frames) == 0 {
		c.operands = append(c.operands, m.stack[:m.sp]...)
		h := c.stack.update(c.operands)
		copy(e[stOffStack:], h[:])
		c.frames = c.frames[:0]
		return
	}
	bases := make([]int, len(m.frames))
	for i := range m.frames {
		fr := &m.frames[i]
		end := m.sp
		if i+1 < len(m.frames) {
			end = m.frames[i+1].fp
		}
		bases[i] = len(c.operands)
		if lo := fr.fp + fr.fn.numLocals; lo < end {
			c.operands = append(c.operands, m.stack[lo:end]...)
		}
	}
	h := c.stack.update(c.operands)
	copy(e[stOffStack:], h[:])
	for len(c.frames) < len(m.frames) {
		c.frames = append(c.frames, frameCache{})
	}
	c.frames = c.frames[:len(m.frames)]
	var link [32]byte
	stale := false
	for i := range m.frames {
		fr := &m.frames[i]
		fc := &c.frames[i]
		base := c.stack.hashAt(bases[i])
		ch := fc.update(fr.fn, fr.fp, m.stack[fr.fp:fr.fp+fr.fn.numLocals])
		if ch || !fc.valid || fc.pc != fr.pc || fc.base != base {
			stale = true
		}
		fc.pc, fc.base = fr.pc, base
		rec := frameRecord(fr.fn.addr, uint32(fr.pc), uint32(fr.fp), fc.root, base)
		if i == len(m.frames)-1 {
			copy(e[stOffFrame:], rec)
			break
		}
		if stale {
			fc.link = keccak([]byte(framesLabel), link[:], rec)
			fc.valid = true
		}
		link = fc.link
	}
	copy(e[stOffFrames:], link[:])
	// the running frame's link is never used as a caller's: recompute it
	// when it becomes a caller
	c.frames[len(m.frames)-1].valid = false
}
