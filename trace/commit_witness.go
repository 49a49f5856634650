package trace

import (
	"encoding/binary"
	"math/bits"

	"github.com/refereevm/referee/merkle"
	"github.com/refereevm/referee/wasm"
)

// WitnessVersion is the first byte of a one-step proof (docs/proof-format.md).
const WitnessVersion = 3

// Witness returns the one-step proof of the machine's next step: the
// pre-state encoding, the running function's record and the op with
// their tree proofs, the top of the value stack the op reads, and the
// op's extras (locals, globals, memory chunks, table elements, callee or
// caller frames), in the order docs/proof-format.md gives. dispute.Verify
// checks it. A machine that cannot step (not running, or about to run a
// host function) gets a proof that holds only the state, which the
// verifier rejects.
func (c *Committer) Witness() ([]byte, error) {
	c.encode()
	m := c.m
	w := make([]byte, 0, 2048)
	// ---- header ----
	w = append(w, WitnessVersion)
	// ---- state ----
	w = append(w, c.enc[len(stateLabel):]...)
	if m.status == StatusRunning && m.pendingHost {
		return c.appendEntryHost(w), nil
	}
	if m.status != StatusRunning || len(m.frames) == 0 {
		return w, nil
	}
	fr := &m.frames[len(m.frames)-1]
	fn := fr.fn
	o := &fn.ops[fr.pc]
	// ---- instruction: function record and op, with their proofs ----
	w = c.appendFunc(w, fn.addr)
	leaf := c.funcs.opLeaf(o)
	w = append(w, leaf[:]...)
	w = appendSiblings(w, c.funcs.code[fn.addr].Prove(uint64(fr.pc)).Siblings)
	// ---- value stack window ----
	fuel := m.outOfFuel()
	need := 0
	if !fuel {
		need = c.windowNeed(o, fr)
	}
	w = c.appendWindow(w, need)
	if fuel {
		return w, nil
	}
	// ---- aux: tables, segments and the host tape, if the op reads them ----
	if c.needsAux(o) {
		w = c.appendAux(w)
	}
	// ---- op-specific extras ----
	return c.appendExtras(w, o, fr), nil
}

// needsAux reports whether op o reads the aux encoding (tables, segments,
// the host tape): table and segment ops, call_indirect, and a call of a
// host function.
func (c *Committer) needsAux(o *op) bool {
	switch o.kind {
	case wasm.OpCallIndirect, wasm.OpTableGet, wasm.OpTableSet, wasm.OpTableSize, wasm.OpTableGrow,
		wasm.OpTableFill, wasm.OpTableCopy, wasm.OpTableInit, wasm.OpElemDrop, wasm.OpMemoryInit, wasm.OpDataDrop:
		return true
	case wasm.OpCall:
		return c.m.store.funcs[o.a].host != nil
	}
	return false
}

// appendAux appends the aux encoding without its label.
func (c *Committer) appendAux(w []byte) []byte { return append(w, c.aux[len(auxLabel):]...) }

func appendSiblings(w []byte, sib [][32]byte) []byte {
	for i := range sib {
		w = append(w, sib[i][:]...)
	}
	return w
}

// appendFunc appends the record of the function at addr and its proof.
func (c *Committer) appendFunc(w []byte, addr uint32) []byte {
	w = append(w, c.funcs.records[addr]...)
	return appendSiblings(w, c.funcs.tree.Prove(uint64(addr)).Siblings)
}

// appendWindow appends the top k operands (fewer if the stack is lower).
func (c *Committer) appendWindow(w []byte, k int) []byte {
	vals := c.stack.vals
	k = min(k, len(vals), 0xffff)
	w = binary.BigEndian.AppendUint16(w, uint16(k))
	below := c.stack.hashAt(len(vals) - k)
	w = append(w, below[:]...)
	for _, v := range vals[len(vals)-k:] {
		w = binary.BigEndian.AppendUint64(w, v)
	}
	return w
}

// windowNeed is how many operands the op at fr reads from the stack.
func (c *Committer) windowNeed(o *op, fr *frame) int {
	m := c.m
	s, sp := m.stack, m.sp
	fn := fr.fn
	switch k := o.kind; k {
	case wasm.OpBr:
		return int(o.b) + int(o.c)
	case wasm.OpBrIf:
		if uint32(s[sp-1]) != 0 {
			return 1 + int(o.b) + int(o.c)
		}
		return 1
	case wasm.OpBrTable:
		t := c.brTarget(o, fn)
		if t.pc == retTarget {
			return 1 + fn.numResults
		}
		return 1 + int(t.n) + int(t.drop)
	case opBrIfReturn:
		if uint32(s[sp-1]) != 0 {
			return 1 + fn.numResults
		}
		return 1
	case wasm.OpReturn, opEndReturn, opBrReturn:
		return fn.numResults
	case wasm.OpCall:
		return slotCount(m.store.funcs[o.a].typ.Params)
	case wasm.OpCallIndirect:
		return 1 + slotCount(fn.inst.mod.Types[o.b].Params)
	case wasm.OpSelect, wasm.OpSelectT, wasm.OpMemoryFill, wasm.OpMemoryCopy, wasm.OpTableFill,
		wasm.OpMemoryInit, wasm.OpTableInit, wasm.OpTableCopy:
		return 3
	case wasm.OpTableSet, wasm.OpTableGrow:
		return 2
	case wasm.OpIf, wasm.OpDrop, wasm.OpLocalSet, wasm.OpLocalTee, wasm.OpGlobalSet, wasm.OpRefIsNull,
		wasm.OpMemoryGrow, wasm.OpTableGet:
		return 1
	default:
		if n, ok := simdWindow(k); ok {
			return n
		}
		if k >= wasm.OpI32Load && k <= wasm.OpI64Load32U {
			return 1
		}
		if k >= wasm.OpI32Store && k <= wasm.OpI64Store32 {
			return 2
		}
		if pops, _, ok := stackEffect(k); ok {
			return pops
		}
	}
	return 0
}

// brTarget is the target a br_table at the top of the stack takes.
func (c *Committer) brTarget(o *op, fn *funcCode) *brTarget {
	i := uint32(c.m.stack[c.m.sp-1])
	if i >= o.b-1 {
		i = o.b - 1
	}
	return &fn.brTargets[o.a+i]
}

// appendCaller appends the caller's frame record and the frame chain hash
// below it (nothing when the running frame is the entry frame).
func (c *Committer) appendCaller(w []byte) []byte {
	d := len(c.m.frames)
	if d <= 1 {
		return w
	}
	fr := &c.m.frames[d-2]
	fc := &c.frames[d-2]
	w = append(w, frameRecord(fr.fn.addr, uint32(fr.pc), uint32(fr.fp), fc.root, fc.base)...)
	var below [32]byte
	if d >= 3 {
		below = c.frames[d-3].link
	}
	return append(w, below[:]...)
}

// appendExtras appends what the op reads beyond the stack window.
func (c *Committer) appendExtras(w []byte, o *op, fr *frame) []byte {
	m := c.m
	s, sp := m.stack, m.sp
	fn := fr.fn
	switch k := o.kind; k {
	case wasm.OpBrTable:
		i := uint32(s[sp-1])
		if i >= o.b-1 {
			i = o.b - 1
		}
		idx := uint64(len(fn.ops)) + uint64(o.a) + uint64(i)
		p := c.funcs.code[fn.addr].Prove(idx)
		w = append(w, p.Leaf[:]...)
		w = appendSiblings(w, p.Siblings)
		if fn.brTargets[o.a+i].pc == retTarget {
			w = c.appendCaller(w)
		}
	case opBrIfReturn:
		if uint32(s[sp-1]) != 0 {
			w = c.appendCaller(w)
		}
	case wasm.OpReturn, opEndReturn, opBrReturn:
		w = c.appendCaller(w)
	case wasm.OpCall: // the callee's shape is in the op leaf
		if m.store.funcs[o.a].host != nil {
			w = c.appendHost(w, o.a)
		}
	case wasm.OpCallIndirect:
		w = c.appendTable(w, o.a)
		t := m.store.tables[o.a]
		if i := uint32(s[sp-1]); uint64(i) < uint64(len(t.elems)) {
			w = c.appendElem(w, o.a, i)
			if r := t.elems[i]; r != 0 {
				w = c.appendFunc(w, uint32(r-1))
				if f := &m.store.funcs[r-1]; f.host != nil && f.typeID == uint32(o.c) {
					w = c.appendHost(w, uint32(r-1))
				}
			}
		}
	case wasm.OpLocalGet, wasm.OpLocalSet, wasm.OpLocalTee:
		p := c.frames[len(m.frames)-1].tree.Prove(uint64(o.a / localsPerLeaf))
		w = append(w, p.Leaf[:]...)
		w = appendSiblings(w, p.Siblings)
	case wasm.OpGlobalGet, wasm.OpGlobalSet, opGlobalGetV128, opGlobalSetV128:
		p := c.globals.tree.Prove(uint64(o.a))
		w = append(w, p.Leaf[:]...)
		w = appendSiblings(w, p.Siblings)
	case wasm.OpMemorySize, wasm.OpMemoryGrow, wasm.OpMemoryFill, wasm.OpMemoryCopy:
		w = c.appendMemOp(w, o, fn)
	case wasm.OpTableGet, wasm.OpTableSet, wasm.OpTableSize, wasm.OpTableGrow, wasm.OpTableFill:
		w = c.appendTableOp(w, o)
	case wasm.OpDataDrop, wasm.OpElemDrop, wasm.OpMemoryInit, wasm.OpTableInit, wasm.OpTableCopy:
		w = c.appendSegmentOp(w, o, fn)
	case opLocalGetV128, opLocalSetV128, opLocalTeeV128:
		// slots a and a+1: the leaf of a and, if a+1 is in the next leaf, that one
		t := c.frames[len(m.frames)-1].tree
		for j := uint64(o.a / localsPerLeaf); j <= uint64((o.a+1)/localsPerLeaf); j++ {
			p := t.Prove(j)
			w = append(w, p.Leaf[:]...)
			w = appendSiblings(w, p.Siblings)
		}
	default:
		if k >= wasm.OpI32Load && k <= wasm.OpI64Store32 {
			w = c.appendMemOp(w, o, fn)
		}
		if info, ok := simdInfo(k); ok {
			switch info.Class {
			case wasm.SIMDLoad, wasm.SIMDStore, wasm.SIMDLoadLane, wasm.SIMDStoreLane:
				w = c.appendMemOp(w, o, fn)
			}
		}
	}
	return w
}

// simdInfo describes op kind k if it is a vector instruction.
func simdInfo(k wasm.Opcode) (wasm.SIMDOp, bool) {
	if k>>8 != 0xFD {
		return wasm.SIMDOp{}, false
	}
	return wasm.SIMDInfo(uint32(k & 0xFF))
}

// simdWindow is how many slots a vector instruction or v128 move reads
// (a v128 is two).
func simdWindow(k wasm.Opcode) (int, bool) {
	switch k {
	case opDropV128, opLocalSetV128, opLocalTeeV128, opGlobalSetV128:
		return 2, true
	case opSelectV128:
		return 5, true
	case opLocalGetV128, opGlobalGetV128:
		return 0, true
	}
	info, ok := simdInfo(k)
	if !ok {
		return 0, false
	}
	return [...]int{
		wasm.SIMDLoad: 1, wasm.SIMDStore: 3, wasm.SIMDLoadLane: 3, wasm.SIMDStoreLane: 3,
		wasm.SIMDConst: 0, wasm.SIMDShuffle: 4, wasm.SIMDSplat: 1, wasm.SIMDExtract: 2,
		wasm.SIMDReplace: 3, wasm.SIMDUnary: 2, wasm.SIMDBinary: 4, wasm.SIMDTernary: 6,
		wasm.SIMDTest: 2, wasm.SIMDShift: 3,
	}[info.Class], true
}

// appendMemOp appends the memory record and the chunks a memory op reads
// or writes.
func (c *Committer) appendMemOp(w []byte, o *op, fn *funcCode) []byte {
	m := c.m
	s, sp := m.stack, m.sp
	w, mm, mc := c.appendMemRecord(w, fn)
	bytes := uint64(mm.size) << wasmPageShift
	chunks := func(ea, n uint64) {
		w = c.appendChunk(w, mc, uint32(ea))
		if last := ea + n - 1; last>>5 != ea>>5 {
			w = c.appendSecondChunk(w, mc, uint32(ea), uint32(last))
		}
	}
	if info, ok := simdInfo(o.kind); ok {
		n := uint64(info.Width)
		at := sp - 3 // address below a v128
		if info.Class == wasm.SIMDLoad {
			at = sp - 1
		}
		if ea := uint64(uint32(s[at])) + o.c; ea+n <= bytes {
			chunks(ea, n)
		}
		return w
	}
	switch k := o.kind; {
	case k >= wasm.OpI32Load && k <= wasm.OpI64Load32U:
		n := uint64(accessWidth(k))
		if ea := uint64(uint32(s[sp-1])) + o.c; ea+n <= bytes {
			chunks(ea, n)
		}
	case k >= wasm.OpI32Store && k <= wasm.OpI64Store32:
		n := uint64(accessWidth(k))
		if ea := uint64(uint32(s[sp-2])) + o.c; ea+n <= bytes {
			chunks(ea, n)
		}
	case k == wasm.OpMemoryFill:
		d, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-1]))
		if d+n <= bytes && n > 0 {
			chunks(d, n)
		}
	case k == wasm.OpMemoryCopy:
		d, src, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-2])), uint64(uint32(s[sp-1]))
		if d+n <= bytes && src+n <= bytes && n > 0 && n <= MaxCopyBytes {
			w = appendMemRange(w, mc.tree, mm.read, src, n)
			w = appendMemRange(w, mc.tree, mm.read, d, n)
		}
	}
	return w
}

// MaxCopyBytes is the longest memory.copy a proof carries (as
// dispute.MaxCopyBytes).
const MaxCopyBytes = 65536

// appendMemRecord appends the record of fn's memory and its proof.
func (c *Committer) appendMemRecord(w []byte, fn *funcCode) ([]byte, *Memory, *memCache) {
	addr := fn.inst.mems[0]
	mm := c.m.store.mems[addr]
	mc := &c.mems[addr]
	return appendMemRecordOf(w, mm, mc.tree, c.memsT, addr), mm, mc
}

// appendMemRecordOf appends the record of memory mm (store address addr,
// tree t) — size, max, tree root — and its siblings in the memories tree
// memsT.
func appendMemRecordOf(w []byte, mm *Memory, t *merkle.MemoryTree, memsT *merkle.Tree, addr uint32) []byte {
	w = binary.BigEndian.AppendUint32(w, mm.size)
	w = binary.BigEndian.AppendUint32(w, mm.max)
	root := t.Root()
	w = append(w, root[:]...)
	return appendSiblings(w, memsT.Prove(uint64(addr)).Siblings)
}

func (c *Committer) appendChunk(w []byte, mc *memCache, addr uint32) []byte {
	leaf, sib := mc.tree.ProveChunk(addr)
	w, err := merkle.AppendMemoryProof(w, leaf, sib)
	if err != nil {
		panic("BUG: memory proof of a fresh tree: " + err.Error())
	}
	return w
}

// appendSecondChunk appends the short proof of the chunk holding b, whose
// path meets that of a's chunk at height m+1: its data and its m lowest
// siblings (the verifier takes the rest from a's proof).
func (c *Committer) appendSecondChunk(w []byte, mc *memCache, a, b uint32) []byte {
	leaf, sib := mc.tree.ProveChunk(b)
	m := bits.Len64(uint64(a>>5)^uint64(b>>5)) - 1
	w = append(w, leaf[:]...)
	return appendSiblings(w, sib[:m])
}

// accessWidth is the byte width of a load or store.
func accessWidth(k wasm.Opcode) int {
	switch k {
	case wasm.OpI32Load, wasm.OpF32Load, wasm.OpI64Load32S, wasm.OpI64Load32U,
		wasm.OpI32Store, wasm.OpF32Store, wasm.OpI64Store32:
		return 4
	case wasm.OpI64Load, wasm.OpF64Load, wasm.OpI64Store, wasm.OpF64Store:
		return 8
	case wasm.OpI32Load8S, wasm.OpI32Load8U, wasm.OpI64Load8S, wasm.OpI64Load8U,
		wasm.OpI32Store8, wasm.OpI64Store8:
		return 1
	}
	return 2
}

// appendTable appends table addr's record and its proof.
func (c *Committer) appendTable(w []byte, addr uint32) []byte {
	t := c.m.store.tables[addr]
	w = append(w, byte(t.Elem))
	w = binary.BigEndian.AppendUint32(w, uint32(len(t.elems)))
	w = binary.BigEndian.AppendUint32(w, t.max)
	root := c.tables[addr].tree.Root()
	w = append(w, root[:]...)
	return appendSiblings(w, c.tablesT.Prove(uint64(addr)).Siblings)
}

// appendElem appends element i of table addr (8 bytes) and its proof.
func (c *Committer) appendElem(w []byte, addr, i uint32) []byte {
	p := c.tables[addr].tree.Prove(uint64(i))
	w = append(w, p.Leaf[24:]...)
	return appendSiblings(w, p.Siblings)
}

// appendTableOp appends the table record and the element a table op
// reads or writes.
func (c *Committer) appendTableOp(w []byte, o *op) []byte {
	m := c.m
	s, sp := m.stack, m.sp
	t := m.store.tables[o.a]
	size := uint64(len(t.elems))
	w = c.appendTable(w, o.a)
	switch o.kind {
	case wasm.OpTableGet:
		if i := uint64(uint32(s[sp-1])); i < size {
			w = c.appendElem(w, o.a, uint32(i))
		}
	case wasm.OpTableSet:
		if i := uint64(uint32(s[sp-2])); i < size {
			w = c.appendElem(w, o.a, uint32(i))
		}
	case wasm.OpTableGrow:
		init, delta := s[sp-2], uint64(uint32(s[sp-1]))
		if size+delta <= uint64(t.max) && delta != 0 && init != 0 {
			w = c.appendEdges(w, o.a, size, delta)
		}
	case wasm.OpTableFill:
		i, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-1]))
		if i+n <= size && n != 0 {
			w = c.appendEdges(w, o.a, i, n)
		}
	}
	return w
}

// appendEdges appends elements i and, if n > 1, i+n-1 of table addr.
func (c *Committer) appendEdges(w []byte, addr uint32, i, n uint64) []byte {
	w = c.appendElem(w, addr, uint32(i))
	if n > 1 {
		w = c.appendElem(w, addr, uint32(i+n-1))
	}
	return w
}

// MaxSegmentBytes is the largest segment content a proof opens (as
// dispute.MaxSegmentBytes).
const MaxSegmentBytes = 65536

// appendTreeRange appends the range proof of leaves l … r of t: their
// data (the 8 value bytes of each when values is set), then per height
// the sibling left of the run (if its first node is a right child) and
// right of it (if its last node is a left child).
func appendTreeRange(w []byte, t *merkle.Tree, l, r uint64, values bool) []byte {
	for i := l; i <= r; i++ {
		leaf := t.Leaf(i)
		if values {
			w = append(w, leaf[24:]...)
		} else {
			w = append(w, leaf[:]...)
		}
	}
	ls, rs := t.Prove(l).Siblings, t.Prove(r).Siblings
	for h := 0; h < t.Depth(); h++ {
		if (l>>h)&1 == 1 {
			w = append(w, ls[h][:]...)
		}
		if (r>>h)&1 == 0 {
			w = append(w, rs[h][:]...)
		}
	}
	return w
}

// appendSegment appends segment i (kind 0 element, 1 data) of fn's
// instance: its length, its content (if at most MaxSegmentBytes) and its
// siblings in the segments tree. It returns the segment's length.
func (c *Committer) appendSegment(w []byte, fn *funcCode, kind byte, i uint32) ([]byte, uint64) {
	inst := fn.inst
	idx := uint64(segBase(c.m, inst)) + uint64(i)
	var n uint64
	var content []byte
	if kind == 0 {
		n = uint64(len(inst.elems[i]))
		content = elemContent(inst.elems[i])
	} else {
		idx += uint64(len(inst.elems))
		n = uint64(len(inst.datas[i]))
		content = inst.datas[i]
	}
	w = binary.BigEndian.AppendUint32(w, uint32(n))
	if len(content) > MaxSegmentBytes {
		return w, n
	}
	w = append(w, content...)
	return appendSiblings(w, c.segs.tree.Prove(idx).Siblings), n
}

// appendSegmentOp appends what data.drop, elem.drop, memory.init,
// table.init and table.copy read.
func (c *Committer) appendSegmentOp(w []byte, o *op, fn *funcCode) []byte {
	m := c.m
	s, sp := m.stack, m.sp
	switch o.kind {
	case wasm.OpDataDrop, wasm.OpElemDrop:
		idx := uint64(segBase(m, fn.inst)) + uint64(o.b)
		if o.kind == wasm.OpDataDrop {
			idx += uint64(len(fn.inst.elems))
		}
		p := c.segs.tree.Prove(idx)
		w = append(w, p.Leaf[:]...)
		return appendSiblings(w, p.Siblings)
	}
	d, src, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-2])), uint64(uint32(s[sp-1]))
	switch o.kind {
	case wasm.OpMemoryInit:
		w, mm, mc := c.appendMemRecord(w, fn)
		var ln uint64
		w, ln = c.appendSegment(w, fn, 1, o.b)
		if ln <= MaxSegmentBytes && src+n <= ln && d+n <= uint64(mm.size)<<wasmPageShift && n > 0 && n <= MaxCopyBytes {
			w = appendMemRange(w, mc.tree, mm.read, d, n)
		}
		return w
	case wasm.OpTableInit:
		t := m.store.tables[o.a]
		w = c.appendTable(w, o.a)
		var ln uint64
		w, ln = c.appendSegment(w, fn, 0, o.b)
		if 8*ln <= MaxSegmentBytes && src+n <= ln && d+n <= uint64(len(t.elems)) && n > 0 {
			w = appendTreeRange(w, c.tables[o.a].tree, d, d+n-1, true)
		}
		return w
	case wasm.OpTableCopy:
		td, ts := m.store.tables[o.a], m.store.tables[o.b]
		w = c.appendTable(w, o.a)
		if o.b != o.a {
			w = c.appendTable(w, o.b)
		}
		if src+n <= uint64(len(ts.elems)) && d+n <= uint64(len(td.elems)) && n > 0 && n <= MaxSegmentBytes/8 {
			w = appendTreeRange(w, c.tables[o.b].tree, src, src+n-1, true)
			w = appendTreeRange(w, c.tables[o.a].tree, d, d+n-1, true)
		}
	}
	return w
}
