package trace

import (
	"encoding/binary"

	"github.com/refereevm/referee/merkle"
	"github.com/refereevm/referee/wasm"
)

// FuncRecordSize is the size of a function record (docs/state-commitment.md):
//
//	offset width field
//	0      1     kind: 0 Wasm function, 1 host function
//	1      4     function index in its module
//	5      4     type id (equal ids = equal function types)
//	9      4     params
//	13     4     locals, params included
//	17     4     results
//	21     4     frame size: locals + maximum operand height
//	25     4     store address of memory 0 of its instance, 0xffffffff if none
//	29     4     op count
//	33     4     code leaves: op count + br_table targets
//	37     32    code root
//	69     4     first segment of its instance in the segments tree
//	73     4     element segments of its module
//	77           end
const FuncRecordSize = 77

// noMem is the memory address in a function record of an instance
// without memory.
const noMem = 0xffffffff

// funcsCache holds the function records and code trees; functions never
// change after instantiation, so it is rebuilt only when the count changes.
type funcsCache struct {
	n       int
	tree    *merkle.Tree
	records [][]byte
	code    []*merkle.Tree
}

func (c *funcsCache) root(m *Machine) (int, [32]byte) {
	if c.tree == nil || c.n != len(m.store.funcs) {
		c.build(m)
	}
	return c.n, c.tree.Root()
}

func (c *funcsCache) build(m *Machine) {
	c.n = len(m.store.funcs)
	c.tree = merkle.NewTree(funcsDomain, depthFor(uint64(c.n)))
	c.records = make([][]byte, c.n)
	c.code = make([]*merkle.Tree, c.n)
	// Two passes: a call op's leaf carries its callee's shape (from the
	// callee's record), and a function may call one with a higher address.
	// The shape leaves out the code root, so recursion is no cycle.
	for i := range m.store.funcs {
		f := &m.store.funcs[i]
		r := make([]byte, FuncRecordSize)
		binary.BigEndian.PutUint32(r[1:], f.index)
		binary.BigEndian.PutUint32(r[5:], f.typeID)
		binary.BigEndian.PutUint32(r[9:], uint32(slotCount(f.typ.Params)))
		binary.BigEndian.PutUint32(r[17:], uint32(slotCount(f.typ.Results)))
		binary.BigEndian.PutUint32(r[25:], noMem)
		if fc := f.code; fc != nil {
			binary.BigEndian.PutUint32(r[13:], uint32(fc.numLocals))
			binary.BigEndian.PutUint32(r[21:], uint32(fc.frameSize))
			if len(fc.inst.mems) > 0 {
				binary.BigEndian.PutUint32(r[25:], fc.inst.mems[0])
			}
			binary.BigEndian.PutUint32(r[29:], uint32(len(fc.ops)))
			binary.BigEndian.PutUint32(r[33:], uint32(len(fc.ops)+len(fc.brTargets)))
			binary.BigEndian.PutUint32(r[69:], segBase(m, fc.inst))
			binary.BigEndian.PutUint32(r[73:], uint32(len(fc.inst.elems)))
		} else {
			r[0] = 1
			binary.BigEndian.PutUint32(r[13:], uint32(slotCount(f.typ.Params)))
		}
		c.records[i] = r
	}
	for i := range m.store.funcs {
		r := c.records[i]
		if fc := m.store.funcs[i].code; fc != nil {
			t := c.codeTree(fc)
			c.code[i] = t
			root := t.Root()
			copy(r[37:], root[:])
		}
		c.tree.Set(uint64(i), keccak([]byte(funcLabel), r))
	}
}

// opLeaf is the code-tree leaf of o: opLeafBase, and for a call the
// callee's shape (callShape).
func (c *funcsCache) opLeaf(o *op) [32]byte {
	l := opLeafBase(o)
	if o.kind == wasm.OpCall {
		callShape(&l, c.records[o.a])
	}
	return l
}

// callShape writes into a call's leaf what the call step needs of its
// callee's record, so that a call proof carries neither the record nor its
// path in the functions tree: params (b, bytes 10..13, already the
// record's), locals (14..17), frame size (18..21), kind (22) and results
// (23..26). The callee's record is opened against the functions root by
// the next step, which runs its first op.
func callShape(l *[32]byte, rec []byte) {
	copy(l[10:14], rec[9:13])
	copy(l[14:18], rec[13:17])
	copy(l[18:22], rec[21:25])
	l[22] = rec[0]
	copy(l[23:27], rec[17:21])
}

// opLeafBase encodes an op as a code-tree leaf: kind u16, offset u32, a
// u32, b u32, c u64 (bytes 0..21), zeros after.
func opLeafBase(o *op) [32]byte {
	var l [32]byte
	binary.BigEndian.PutUint16(l[0:], uint16(o.kind))
	binary.BigEndian.PutUint32(l[2:], o.offset)
	binary.BigEndian.PutUint32(l[6:], o.a)
	binary.BigEndian.PutUint32(l[10:], o.b)
	binary.BigEndian.PutUint64(l[14:], o.c)
	return l
}

// targetLeaf encodes a br_table target: pc u32, n u32, drop u32.
func targetLeaf(t *brTarget) [32]byte {
	var l [32]byte
	binary.BigEndian.PutUint32(l[0:], t.pc)
	binary.BigEndian.PutUint32(l[4:], t.n)
	binary.BigEndian.PutUint32(l[8:], t.drop)
	return l
}

// codeTree builds the tree over a function's ops, then its br_table
// targets.
func (c *funcsCache) codeTree(fc *funcCode) *merkle.Tree {
	n := len(fc.ops) + len(fc.brTargets)
	t := merkle.NewTree(codeDomain, depthFor(uint64(n)))
	for i := range fc.ops {
		t.Set(uint64(i), c.opLeaf(&fc.ops[i]))
	}
	for i := range fc.brTargets {
		t.Set(uint64(len(fc.ops)+i), targetLeaf(&fc.brTargets[i]))
	}
	return t
}

// globalLeaf encodes a global: type u8, mutable u8, zeros, bits u64 at 24.
func globalLeaf(g *globalInst) [32]byte {
	l := valueLeaf(g.bits)
	if g.typ.Type == wasm.V128 {
		// a v128 global: bytes 16..23 its bytes 8..15, 24..31 bytes 0..7
		binary.BigEndian.PutUint64(l[16:], g.hi)
	}
	l[0] = byte(g.typ.Type)
	if g.typ.Mutable {
		l[1] = 1
	}
	return l
}

type globalsCache struct {
	tree   *merkle.Tree
	leaves [][32]byte
}

func (c *globalsCache) root(m *Machine) (int, [32]byte) {
	n := len(m.store.globals)
	if c.tree == nil || len(c.leaves) != n {
		c.tree = merkle.NewTree(globalsDomain, depthFor(uint64(n)))
		c.leaves = make([][32]byte, n)
		for i := range m.store.globals {
			c.leaves[i] = globalLeaf(&m.store.globals[i])
			c.tree.Set(uint64(i), c.leaves[i])
		}
	}
	for i := range m.store.globals {
		if l := globalLeaf(&m.store.globals[i]); l != c.leaves[i] {
			c.leaves[i] = l
			c.tree.Set(uint64(i), l)
		}
	}
	return n, c.tree.Root()
}

// tableCache is the element tree of one table; its depth covers the
// table's maximum, so table.grow never reshapes it.
type tableCache struct {
	t     *Table
	tree  *merkle.Tree
	elems []uint64
	leaf  [32]byte
	set   bool
}

// tableRecord encodes a table's leaf input: label, elem type u8, size u32,
// max u32, elements root.
func tableRecord(elem byte, size, max uint32, root [32]byte) []byte {
	r := make([]byte, 0, len(tableLabel)+41)
	r = append(r, tableLabel...)
	r = append(r, elem)
	r = binary.BigEndian.AppendUint32(r, size)
	r = binary.BigEndian.AppendUint32(r, max)
	return append(r, root[:]...)
}

func (c *tableCache) update(t *Table) [32]byte {
	if c.tree == nil || c.t != t {
		c.t = t
		c.tree = merkle.NewTree(elemsDomain, depthFor(uint64(t.max)))
		c.elems = c.elems[:0]
	}
	for i, v := range t.elems {
		if i >= len(c.elems) {
			c.elems = append(c.elems, 0)
		}
		if c.elems[i] != v {
			c.elems[i] = v
			c.tree.Set(uint64(i), valueLeaf(v))
		}
	}
	for i := len(t.elems); i < len(c.elems); i++ {
		if c.elems[i] != 0 {
			c.tree.Set(uint64(i), valueLeaf(0))
		}
	}
	c.elems = c.elems[:len(t.elems)]
	root := c.tree.Root()
	return keccak(tableRecord(byte(t.Elem), uint32(len(t.elems)), t.max, root))
}

func (c *Committer) tablesRoot() (int, [32]byte) {
	ts := c.m.store.tables
	if c.tablesT == nil || len(c.tables) != len(ts) {
		c.tablesT = merkle.NewTree(tablesDomain, depthFor(uint64(len(ts))))
		c.tables = make([]tableCache, len(ts))
	}
	for i, t := range ts {
		tc := &c.tables[i]
		if l := tc.update(t); l != tc.leaf || !tc.set {
			tc.leaf, tc.set = l, true
			c.tablesT.Set(uint64(i), l)
		}
	}
	return len(ts), c.tablesT.Root()
}

// memCache is the Merkle tree of one memory.
type memCache struct {
	mm    *Memory
	tree  *merkle.MemoryTree
	pages int
	leaf  [32]byte
	set   bool
}

func (c *memCache) update(mm *Memory, clearDirty bool) [32]byte {
	if c.tree == nil || c.mm != mm {
		c.mm = mm
		c.tree = merkle.NewMemoryTree()
		for i, p := range mm.pages {
			if p != nil {
				c.tree.UpdatePage(uint32(i), p)
			}
		}
	} else {
		for w, bits := range mm.dirty {
			for bits != 0 {
				b := bits & -bits
				bits ^= b
				i := w*64 + trailingZeros(b)
				if i < len(mm.pages) {
					c.tree.UpdatePage(uint32(i), mm.pages[i])
				}
			}
		}
		for i := len(mm.pages); i < c.pages; i++ {
			c.tree.UpdatePage(uint32(i), nil)
		}
	}
	c.pages = len(mm.pages)
	if clearDirty {
		mm.ClearDirty()
	}
	return merkle.MemoryRoot(mm.size, mm.max, c.tree.Root())
}

func trailingZeros(b uint64) int {
	n := 0
	for b&1 == 0 {
		b >>= 1
		n++
	}
	return n
}

func (c *Committer) memsRoot() (int, [32]byte) {
	ms := c.m.store.mems
	if c.memsT == nil || len(c.mems) != len(ms) {
		c.memsT = merkle.NewTree(memsDomain, depthFor(uint64(len(ms))))
		c.mems = make([]memCache, len(ms))
	}
	for i, mm := range ms {
		mc := &c.mems[i]
		if l := mc.update(mm, c.clearDirty); l != mc.leaf || !mc.set {
			mc.leaf, mc.set = l, true
			c.memsT.Set(uint64(i), l)
		}
	}
	return len(ms), c.memsT.Root()
}

// segCache is the segments tree: one leaf per element or data segment,
// instance by instance in instantiation order, element segments first. A
// segment changes only by being dropped (or revived by Restore), so a leaf
// is re-hashed only when its segment's length changes.
type segCache struct {
	tree *merkle.Tree
	lens []int
}

// segmentLeaf is H("referee/segment/v1" || kind u8 || len u32 || H(content)),
// kind 0 for element segments (content: u64 each), 1 for data segments.
func segmentLeaf(kind byte, n int, content []byte) [32]byte {
	h := keccak(content)
	b := make([]byte, 0, len(segmentLabel)+37)
	b = append(b, segmentLabel...)
	b = append(b, kind)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	return keccak(append(b, h[:]...))
}

func elemContent(es []uint64) []byte {
	b := make([]byte, 0, 8*len(es))
	for _, v := range es {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return b
}

// segBase returns the index of inst's first segment in the segments tree.
func segBase(m *Machine, inst *Instance) uint32 {
	n := 0
	for _, in := range m.store.instances[:inst.index] {
		n += len(in.elems) + len(in.datas)
	}
	return uint32(n)
}

func (c *segCache) root(m *Machine) (int, [32]byte) {
	n := 0
	for _, inst := range m.store.instances {
		n += len(inst.elems) + len(inst.datas)
	}
	if c.tree == nil || len(c.lens) != n {
		c.tree = merkle.NewTree(segsDomain, depthFor(uint64(n)))
		c.lens = make([]int, n)
		for i := range c.lens {
			c.lens[i] = -1
		}
	}
	k := 0
	for _, inst := range m.store.instances {
		for _, e := range inst.elems {
			if c.lens[k] != len(e) {
				c.lens[k] = len(e)
				c.tree.Set(uint64(k), segmentLeaf(0, len(e), elemContent(e)))
			}
			k++
		}
		for _, d := range inst.datas {
			if c.lens[k] != len(d) {
				c.lens[k] = len(d)
				c.tree.Set(uint64(k), segmentLeaf(1, len(d), d))
			}
			k++
		}
	}
	return n, c.tree.Root()
}
