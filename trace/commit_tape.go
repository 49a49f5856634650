package trace

import (
	"encoding/binary"

	"github.com/refereevm/referee/merkle"
)

// The host tape in the aux encoding (trace/commit.go,
// docs/state-commitment.md §1 and §11):
//
//	offset width field
//	86     1     host mode: 1 if host calls replay the tape, else 0
//	87     4     tape entry count (0 unless replaying)
//	91     32    tape root: the tree over the entries (empty tree unless replaying)
//	123    4     cursor: entries taken (0 unless replaying)
//
// The tape tree is a merkle.Tree in domain "hosttape" of depth
// ⌈log2(count)⌉ whose leaf i is H("referee/hostcall/v2" || entry i's
// encoding), the encoding being (big-endian):
//
//	width   field
//	4       store address of the host function
//	1       trap kind (0 = returns its results)
//	4       result count r
//	8·r     result bits, u64 each
//	4       write count w
//	        per write: memory store address u32, byte address u32,
//	        length u32 n, then the n bytes
//
// Recording is not committed: a recording machine commits host mode 0
// and an empty tape, as a machine whose host functions run live.

// hostCallLabel labels a tape entry's leaf data.
const hostCallLabel = "referee/hostcall/v2"

var tapeDomain = merkle.NewDomain("hosttape")

// emptyTapeRoot is the root of a tape with no entry (depth 0, a zero leaf).
var emptyTapeRoot = [32]byte(merkle.NewTree(tapeDomain, 0).Root())

// HostEntryEncoding returns the encoding of a tape entry, as committed.
func HostEntryEncoding(e *HostEffect) []byte {
	n := 13 + 8*len(e.Results)
	for _, w := range e.Writes {
		n += 12 + len(w.Data)
	}
	b := make([]byte, 0, n)
	b = binary.BigEndian.AppendUint32(b, e.Func)
	b = append(b, byte(e.Trap))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Results)))
	for _, r := range e.Results {
		b = binary.BigEndian.AppendUint64(b, r)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Writes)))
	for _, w := range e.Writes {
		b = binary.BigEndian.AppendUint32(b, w.Mem)
		b = binary.BigEndian.AppendUint32(b, w.Addr)
		b = binary.BigEndian.AppendUint32(b, uint32(len(w.Data)))
		b = append(b, w.Data...)
	}
	return b
}

// HostTapeRoot returns the root of the tape tree of t.
func HostTapeRoot(t HostTape) [32]byte {
	var c tapeCache
	c.build(t)
	return c.tree.Root()
}

// tapeCache is the tape tree of the replayed tape; a tape never changes
// while it is replayed, so it is built once per ReplayHost (tapeGen).
type tapeCache struct {
	built bool
	gen   uint64
	tree  *merkle.Tree
	enc   [][]byte
}

func (c *tapeCache) build(t HostTape) {
	c.tree = merkle.NewTree(tapeDomain, depthFor(uint64(len(t))))
	c.enc = make([][]byte, len(t))
	for i := range t {
		c.enc[i] = HostEntryEncoding(&t[i])
		c.tree.Set(uint64(i), keccak([]byte(hostCallLabel), c.enc[i]))
	}
	c.built = true
}

// encodeTape fills the host fields of the aux encoding e.
func (c *Committer) encodeTape(e []byte) {
	m := c.m
	if m.host != hostReplay {
		putCount(e[auxOffTape:], 0, emptyTapeRoot)
		return
	}
	if !c.tape.built || c.tape.gen != m.tapeGen {
		c.tape.build(m.tape)
		c.tape.gen = m.tapeGen
	}
	e[auxOffHostMode] = 1
	putCount(e[auxOffTape:], len(m.tape), c.tape.tree.Root())
	binary.BigEndian.PutUint32(e[auxOffCursor:], uint32(m.hostCursor))
}

// appendHost appends the extras of a host call of function addr
// (docs/proof-format.md §3.3): nothing unless the machine replays a tape;
// the entry at the cursor and its siblings, unless the tape is exhausted;
// then, if the entry applies to the call (function, result count), for
// each write in order: the memory's record against the state after the
// writes before it and, if the write is in bounds, of at most MaxCopyBytes
// and not empty, the range proof of its bytes. An invalid write ends the
// extras (the call traps); so does one too long to prove (the verifier
// reports it as not provable).
func (c *Committer) appendHost(w []byte, addr uint32) []byte {
	m := c.m
	if m.host != hostReplay || m.hostCursor >= uint64(len(m.tape)) {
		return w
	}
	i := m.hostCursor
	e := &m.tape[i]
	w = append(w, c.tape.enc[i]...)
	w = appendSiblings(w, c.tape.tree.Prove(i).Siblings)
	if checkCall(e, addr, &m.store.funcs[addr]) != nil || len(e.Writes) == 0 {
		return w
	}
	sc := newWriteScratch(c)
	for k, wr := range e.Writes {
		if uint64(wr.Mem) >= uint64(len(m.store.mems)) {
			return w
		}
		sm := sc.mem(wr.Mem)
		w = appendMemRecordOf(w, sm.mm, sm.tree, sc.memsT, wr.Mem)
		n := uint64(len(wr.Data))
		if !sm.mm.inBounds(uint64(wr.Addr), n) || n > MaxCopyBytes {
			return w
		}
		if n == 0 {
			continue
		}
		w = appendMemRange(w, sm.tree, sm.read, uint64(wr.Addr), n)
		if k+1 < len(e.Writes) {
			sc.apply(sm, wr)
		}
	}
	return w
}

// writeScratch is the memories as a host call's writes leave them, one
// write after another, for the proofs of the later writes: copies of the
// written pages over the machine's, a clone of each written memory's tree
// and a copy of the memories tree. The machine is not modified.
type writeScratch struct {
	c     *Committer
	memsT *merkle.Tree
	mems  map[uint32]*scratchMem // only looked up
}

type scratchMem struct {
	mm     *Memory
	tree   *merkle.MemoryTree
	cloned bool
	pages  map[uint64]*[PageSize]byte // only looked up
}

func newWriteScratch(c *Committer) *writeScratch {
	sc := &writeScratch{c: c, mems: map[uint32]*scratchMem{}}
	sc.memsT = merkle.NewTree(memsDomain, depthFor(uint64(len(c.mems))))
	for i := range c.mems {
		sc.memsT.Set(uint64(i), c.mems[i].leaf)
	}
	return sc
}

func (sc *writeScratch) mem(a uint32) *scratchMem {
	if sm := sc.mems[a]; sm != nil {
		return sm
	}
	sm := &scratchMem{mm: sc.c.m.store.mems[a], tree: sc.c.mems[a].tree, pages: map[uint64]*[PageSize]byte{}}
	sc.mems[a] = sm
	return sm
}

// read copies the scratch bytes at addr (in bounds) into dst.
func (sm *scratchMem) read(addr uint64, dst []byte) {
	for len(dst) > 0 {
		pi, off := addr>>pageShift, addr&(PageSize-1)
		n := min(uint64(PageSize)-off, uint64(len(dst)))
		if p := sm.pages[pi]; p != nil {
			copy(dst[:n], p[off:])
		} else {
			sm.mm.read(addr, dst[:n])
		}
		dst = dst[n:]
		addr += n
	}
}

// apply makes write wr in the scratch state.
func (sc *writeScratch) apply(sm *scratchMem, wr HostWrite) {
	if !sm.cloned {
		sm.tree = sm.tree.Clone()
		sm.cloned = true
	}
	addr, src := uint64(wr.Addr), wr.Data
	for len(src) > 0 {
		pi, off := addr>>pageShift, addr&(PageSize-1)
		p := sm.pages[pi]
		if p == nil {
			p = new([PageSize]byte)
			if q := sm.mm.pages[pi]; q != nil {
				*p = *q
			}
			sm.pages[pi] = p
		}
		n := copy(p[off:], src)
		sm.tree.UpdatePage(uint32(pi), p)
		src = src[n:]
		addr += uint64(n)
	}
	sc.memsT.Set(uint64(wr.Mem), merkle.MemoryRoot(sm.mm.size, sm.mm.max, sm.tree.Root()))
}

// appendMemRange appends the range proof of the chunks holding [addr,
// addr+n) of a memory whose bytes read gives and whose tree is t: their
// data, then per height from the bottom the sibling left of the run (if
// its first node is a right child) and right of it (if its last node is a
// left child). The range is in bounds.
func appendMemRange(w []byte, t *merkle.MemoryTree, read func(addr uint64, dst []byte), addr, n uint64) []byte {
	l, hi := addr>>5, (addr+n-1)>>5
	var buf [32]byte
	for i := l; i <= hi; i++ {
		read(i<<5, buf[:])
		w = append(w, buf[:]...)
	}
	_, ls := t.ProveChunk(uint32(l << 5))
	_, rs := t.ProveChunk(uint32(hi << 5))
	for h := 0; h < merkle.MemoryDepth; h++ {
		if (l>>h)&1 == 1 {
			w = append(w, ls[h][:]...)
		}
		if (hi>>h)&1 == 0 {
			w = append(w, rs[h][:]...)
		}
	}
	return w
}

// appendEntryHost appends the proof parts of the step of a pending entry
// host function (docs/proof-format.md §3.3), after the state: the entry
// function's record and its siblings, the stack window (its arguments;
// none when the step runs out of fuel) and, unless out of fuel, the host
// call's extras.
func (c *Committer) appendEntryHost(w []byte) []byte {
	m := c.m
	w = c.appendFunc(w, m.entry)
	if m.outOfFuel() {
		return c.appendWindow(w, 0)
	}
	w = c.appendWindow(w, len(m.store.funcs[m.entry].typ.Params))
	w = c.appendAux(w)
	return c.appendHost(w, m.entry)
}
