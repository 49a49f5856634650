package dispute

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/refereevm/referee/merkle"
	"github.com/refereevm/referee/wasm"
)

const wasmPageSize = 65536

// memInfo is a memory's commitment opened from the proof.
type memInfo struct {
	addr      uint32
	size, max uint32
	root      [32]byte
	sib       [][32]byte
}

func (r *reader) u32(what string) (uint32, error) {
	p, err := r.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(p), nil
}

// readMem reads the running function's memory: size, max, tree root and
// its siblings in the memories tree.
func (v *vm) readMem() (*memInfo, error) {
	if v.fn.mem == noMemAddr || v.fn.mem >= v.s.nMems {
		return nil, fmt.Errorf("%w: %s in a function without memory", ErrBadProof, opName(v.op.kind))
	}
	return v.readMemAt(v.fn.mem)
}

// readMemAt reads the record of the memory at store address addr (below
// the memory count): size, max, tree root and its siblings in the
// memories tree.
func (v *vm) readMemAt(addr uint32) (*memInfo, error) {
	r := &v.r
	start := r.off
	mi := &memInfo{addr: addr}
	var err error
	if mi.size, err = r.u32("memory size"); err != nil {
		return nil, err
	}
	if mi.max, err = r.u32("memory max"); err != nil {
		return nil, err
	}
	if mi.root, err = r.word("memory tree root"); err != nil {
		return nil, err
	}
	if mi.sib, err = r.siblings(depthFor(uint64(v.s.nMems)), "memory siblings"); err != nil {
		return nil, err
	}
	leaf := merkle.MemoryRoot(mi.size, mi.max, mi.root)
	if !foldsTo(memsDomain, uint64(mi.addr), leaf, mi.sib, v.s.mems) {
		return nil, fmt.Errorf("%w: memory record at byte %d: does not fold to the memories root", ErrBadProof, start)
	}
	return mi, nil
}

// writeMem commits a memory's new size and tree root.
func (v *vm) writeMem(mi *memInfo, size uint32, root [32]byte) {
	v.s.mems = fold(memsDomain, uint64(mi.addr), merkle.MemoryRoot(size, mi.max, root), mi.sib)
}

// chunk is one opened 32-byte memory chunk.
type chunk struct {
	addr uint32
	data [32]byte
	sib  [][32]byte
}

// readChunk reads the 896-byte proof of the chunk holding addr.
func (v *vm) readChunk(mi *memInfo, addr uint32) (*chunk, error) {
	start := v.r.off
	p, err := v.r.take(merkle.MemoryProofSize, fmt.Sprintf("memory chunk 0x%x", addr&^31))
	if err != nil {
		return nil, err
	}
	leaf, sib, err := merkle.DecodeMemoryProof(p)
	if err != nil || !merkle.VerifyMemoryProof(mi.root, addr, leaf, sib) {
		return nil, fmt.Errorf("%w: memory chunk 0x%x at byte %d: does not fold to the memory root", ErrBadProof, addr&^31, start)
	}
	return &chunk{addr: addr &^ 31, data: leaf, sib: sib}, nil
}

// readSecondChunk reads the chunk holding addr (another chunk than a's)
// in its short form: its data and its m lowest siblings, where m+1 is the
// height at which its path meets a's. The other siblings follow from a's
// proof: at height m, a's subtree (a's leaf folded m levels); above it,
// a's own siblings. For neighbouring chunks m is often 0: 32 bytes.
func (v *vm) readSecondChunk(mi *memInfo, a *chunk, addr uint32) (*chunk, error) {
	i, j := uint64(a.addr>>5), uint64(addr>>5)
	m := bits.Len64(i^j) - 1
	start := v.r.off
	leaf, err := v.r.word(fmt.Sprintf("memory chunk 0x%x", addr&^31))
	if err != nil {
		return nil, err
	}
	low, err := v.r.siblings(m, fmt.Sprintf("memory chunk 0x%x siblings", addr&^31))
	if err != nil {
		return nil, err
	}
	sib := make([][32]byte, merkle.MemoryDepth)
	copy(sib, low)
	md := merkle.Memory
	h := md.LeafHash(a.data)
	for k := 0; k < m; k++ {
		if (i>>k)&1 == 0 {
			h = md.NodeHash(h, a.sib[k])
		} else {
			h = md.NodeHash(a.sib[k], h)
		}
	}
	sib[m] = h
	copy(sib[m+1:], a.sib[m+1:])
	if !merkle.VerifyMemoryProof(mi.root, addr, leaf, sib) {
		return nil, fmt.Errorf("%w: memory chunk 0x%x at byte %d: does not fold to the memory root", ErrBadProof, addr&^31, start)
	}
	return &chunk{addr: addr &^ 31, data: leaf, sib: sib}, nil
}

// access opens the one or two chunks holding bytes [ea, ea+w) (in bounds).
func (v *vm) access(mi *memInfo, ea uint64, w int) ([]*chunk, error) {
	a, err := v.readChunk(mi, uint32(ea))
	if err != nil {
		return nil, err
	}
	cs := []*chunk{a}
	if last := uint32(ea + uint64(w) - 1); last&^31 != a.addr {
		b, err := v.readSecondChunk(mi, a, last)
		if err != nil {
			return nil, err
		}
		cs = append(cs, b)
	}
	return cs, nil
}

// read returns the w bytes at ea from the opened chunks.
func read(cs []*chunk, ea uint64, w int) []byte {
	out := make([]byte, 0, w)
	for _, c := range cs {
		for i := 0; i < 32 && len(out) < w; i++ {
			if a := uint64(c.addr) + uint64(i); a >= ea && a < ea+uint64(w) {
				out = append(out, c.data[i])
			}
		}
	}
	return out
}

// write stores b at ea in the opened chunks and returns the new tree root.
func write(cs []*chunk, ea uint64, b []byte) ([32]byte, error) {
	for _, c := range cs {
		for i := 0; i < 32; i++ {
			if a := uint64(c.addr) + uint64(i); a >= ea && a < ea+uint64(len(b)) {
				c.data[i] = b[a-ea]
			}
		}
	}
	root, err := merkle.FoldMemoryProof(cs[0].addr, cs[0].data, cs[0].sib)
	if err != nil || len(cs) == 1 {
		return root, err
	}
	sib, err := merkle.MemorySiblingsAfterWrite(cs[0].addr, cs[0].data, cs[0].sib, cs[1].addr, cs[1].sib)
	if err != nil {
		return root, err
	}
	return merkle.FoldMemoryProof(cs[1].addr, cs[1].data, sib)
}

// loadWidth gives the access width of a load or store.
func loadWidth(k wasm.Opcode) int {
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

// memoryOp executes loads, stores, memory.size/grow/fill/copy.
func (v *vm) memoryOp() error {
	k := wasm.Opcode(v.op.kind)
	var args [3]uint64
	nargs := 0
	switch {
	case k >= wasm.OpI32Load && k <= wasm.OpI64Load32U, k == wasm.OpMemoryGrow:
		nargs = 1
	case k >= wasm.OpI32Store && k <= wasm.OpI64Store32:
		nargs = 2
	case k == wasm.OpMemoryFill, k == wasm.OpMemoryCopy:
		nargs = 3
	}
	for i := nargs - 1; i >= 0; i-- {
		x, err := v.pop()
		if err != nil {
			return err
		}
		args[i] = x
	}
	mi, err := v.readMem()
	if err != nil {
		return err
	}
	bytes := uint64(mi.size) * wasmPageSize
	switch {
	case k == wasm.OpMemorySize: // pushes the size in pages
		v.push(uint64(mi.size))
	case k == wasm.OpMemoryGrow: // pops i32 delta, pushes the old size or -1
		delta := uint64(uint32(args[0]))
		if uint64(mi.size)+delta > uint64(mi.max) {
			v.push(0xffffffff)
		} else {
			v.push(uint64(mi.size))
			v.writeMem(mi, mi.size+uint32(delta), mi.root)
		}
	case k <= wasm.OpI64Load32U: // pops i32 addr, pushes the loaded value
		w := loadWidth(k)
		ea := uint64(uint32(args[0])) + v.op.c
		if ea+uint64(w) > bytes {
			v.trap(trapOOBMemory)
			return nil
		}
		cs, err := v.access(mi, ea, w)
		if err != nil {
			return err
		}
		var buf [8]byte
		copy(buf[:], read(cs, ea, w))
		x := binary.LittleEndian.Uint64(buf[:])
		switch k {
		case wasm.OpI32Load8S:
			x = uint64(uint32(int32(int8(x))))
		case wasm.OpI64Load8S:
			x = uint64(int64(int8(x)))
		case wasm.OpI32Load16S:
			x = uint64(uint32(int32(int16(x))))
		case wasm.OpI64Load16S:
			x = uint64(int64(int16(x)))
		case wasm.OpI64Load32S:
			x = uint64(int64(int32(uint32(x))))
		}
		v.push(x)
	case k <= wasm.OpI64Store32: // pops value, i32 addr; stores the low bytes
		w := loadWidth(k)
		ea := uint64(uint32(args[0])) + v.op.c
		if ea+uint64(w) > bytes {
			v.trap(trapOOBMemory)
			return nil
		}
		cs, err := v.access(mi, ea, w)
		if err != nil {
			return err
		}
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], args[1])
		root, err := write(cs, ea, buf[:w])
		if err != nil {
			return fmt.Errorf("%w: memory write: %v", ErrBadProof, err)
		}
		v.writeMem(mi, mi.size, root)
	case k == wasm.OpMemoryFill: // pops i32 n, i32 val, i32 dst
		d, val, n := uint64(uint32(args[0])), byte(args[1]), uint64(uint32(args[2]))
		if d+n > bytes {
			v.trap(trapOOBMemory)
			return nil
		}
		if n == 0 {
			break
		}
		var root [32]byte
		if d>>5 == (d+n-1)>>5 {
			cs, err := v.access(mi, d, int(n))
			if err != nil {
				return err
			}
			b := make([]byte, n)
			for i := range b {
				b[i] = val
			}
			if root, err = write(cs, d, b); err != nil {
				return fmt.Errorf("%w: memory write: %v", ErrBadProof, err)
			}
		} else {
			first, err := v.readChunk(mi, uint32(d))
			if err != nil {
				return err
			}
			last, err := v.readSecondChunk(mi, first, uint32(d+n-1))
			if err != nil {
				return err
			}
			root = fillRoot(first, last, val, d, n)
		}
		v.writeMem(mi, mi.size, root)
	case k == wasm.OpMemoryCopy: // pops i32 n, src, dst
		d, src, n := uint64(uint32(args[0])), uint64(uint32(args[1])), uint64(uint32(args[2]))
		if src+n > bytes || d+n > bytes {
			v.trap(trapOOBMemory)
			return nil
		}
		if n == 0 {
			break
		}
		if n > MaxCopyBytes {
			return fmt.Errorf("%w: memory.copy of %d bytes (one step proves at most %d)", ErrNotProvable, n, MaxCopyBytes)
		}
		sr, err := v.readMemRange(mi, src, n, "memory.copy source")
		if err != nil {
			return err
		}
		dr, err := v.readMemRange(mi, d, n, "memory.copy destination")
		if err != nil {
			return err
		}
		dr.writeBytes(d, sr.readBytes(src, n))
		v.writeMem(mi, mi.size, dr.root())
	}
	v.next()
	return nil
}

// tableInfo is a table's commitment opened from the proof.
type tableInfo struct {
	addr      uint32
	elem      byte
	size, max uint32
	root      [32]byte
	sib       [][32]byte
}

func tableLeaf(elem byte, size, max uint32, root [32]byte) [32]byte {
	b := make([]byte, 0, len(tableLabel)+41)
	b = append(b, tableLabel...)
	b = append(b, elem)
	b = binary.BigEndian.AppendUint32(b, size)
	b = binary.BigEndian.AppendUint32(b, max)
	return keccak(append(b, root[:]...))
}

// readTable reads table addr's record and its siblings in the tables tree.
func (v *vm) readTable(addr uint32) (*tableInfo, error) {
	r := &v.r
	start := r.off
	ti := &tableInfo{addr: addr}
	p, err := r.take(1, "table element type")
	if err != nil {
		return nil, err
	}
	ti.elem = p[0]
	if ti.size, err = r.u32("table size"); err != nil {
		return nil, err
	}
	if ti.max, err = r.u32("table max"); err != nil {
		return nil, err
	}
	if ti.root, err = r.word("table elements root"); err != nil {
		return nil, err
	}
	if ti.sib, err = r.siblings(depthFor(uint64(v.s.nTables)), "table siblings"); err != nil {
		return nil, err
	}
	if addr >= v.s.nTables || !foldsTo(tablesDomain, uint64(addr), tableLeaf(ti.elem, ti.size, ti.max, ti.root), ti.sib, v.s.tables) {
		return nil, fmt.Errorf("%w: table record at byte %d: does not fold to the tables root", ErrBadProof, start)
	}
	return ti, nil
}

func (v *vm) writeTable(ti *tableInfo, size uint32, root [32]byte) {
	v.s.tables = fold(tablesDomain, uint64(ti.addr), tableLeaf(ti.elem, size, ti.max, root), ti.sib)
}

// readElem reads element i of an opened table.
func (v *vm) readElem(ti *tableInfo, i uint32) (uint64, [][32]byte, error) {
	return v.r.valueProof(elemsDomain, depthFor(uint64(ti.max)), uint64(i), ti.root, "table element")
}
