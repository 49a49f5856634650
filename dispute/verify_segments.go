package dispute

import (
	"encoding/binary"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// MaxSegmentBytes caps the content of a segment that memory.init or
// table.init can open in one proof (its whole content is in the proof,
// since the segment leaf commits to its hash); 8 bytes per element.
const MaxSegmentBytes = 65536

// segmentLeaf is a segments-tree leaf (docs/state-commitment.md §8).
func segmentLeaf(kind byte, n uint32, content []byte) [32]byte {
	h := keccak(content)
	b := make([]byte, 0, len(segmentLabel)+37)
	b = append(b, segmentLabel...)
	b = append(b, kind)
	b = binary.BigEndian.AppendUint32(b, n)
	return keccak(append(b, h[:]...))
}

// segIndex returns the segments-tree leaf of segment i of the running
// function's module (kind 0 element, 1 data).
func (v *vm) segIndex(kind byte, i uint32) (uint64, error) {
	idx := uint64(v.fn.segBase) + uint64(i)
	if kind == 1 {
		idx += uint64(v.fn.nElems)
	}
	if idx >= uint64(v.s.nSegs) {
		return 0, fmt.Errorf("%w: segment %d outside the segments tree", ErrBadProof, idx)
	}
	return idx, nil
}

// dropSegment executes elem.drop and data.drop: the segment's leaf
// becomes that of an empty segment.
func (v *vm) dropSegment(kind byte) error {
	idx, err := v.segIndex(kind, v.op.b)
	if err != nil {
		return err
	}
	_, sib, err := v.r.leafProof(segsDomain, depthFor(uint64(v.s.nSegs)), idx, v.s.segments, "segment")
	if err != nil {
		return err
	}
	v.s.segments = fold(segsDomain, idx, segmentLeaf(kind, 0, nil), sib)
	v.next()
	return nil
}

// readSegment reads segment i's length, content and siblings. The content
// is bytes for a data segment, u64 references for an element segment.
func (v *vm) readSegment(kind byte, i uint32) ([]byte, uint32, error) {
	idx, err := v.segIndex(kind, i)
	if err != nil {
		return nil, 0, err
	}
	r := &v.r
	start := r.off
	n, err := r.u32("segment length")
	if err != nil {
		return nil, 0, err
	}
	size := uint64(n)
	if kind == 0 {
		size *= 8
	}
	if size > MaxSegmentBytes {
		return nil, 0, fmt.Errorf("%w: %s from a segment of %d bytes (one step opens at most %d)", ErrNotProvable, opName(v.op.kind), size, MaxSegmentBytes)
	}
	content, err := r.take(int(size), "segment content")
	if err != nil {
		return nil, 0, err
	}
	sib, err := r.siblings(depthFor(uint64(v.s.nSegs)), "segment siblings")
	if err != nil {
		return nil, 0, err
	}
	if !foldsTo(segsDomain, idx, segmentLeaf(kind, n, content), sib, v.s.segments) {
		return nil, 0, fmt.Errorf("%w: segment at byte %d: does not fold to the segments root", ErrBadProof, start)
	}
	return content, n, nil
}

// segmentOp executes memory.init, data.drop, table.init, elem.drop and
// table.copy.
func (v *vm) segmentOp() error {
	k := wasm.Opcode(v.op.kind)
	switch k {
	case wasm.OpDataDrop: // drops data segment b
		return v.dropSegment(1)
	case wasm.OpElemDrop: // drops element segment b
		return v.dropSegment(0)
	}
	// pops i32 n, src, dst
	var args [3]uint64
	for i := 2; i >= 0; i-- {
		x, err := v.pop()
		if err != nil {
			return err
		}
		args[i] = x
	}
	d, src, n := uint64(uint32(args[0])), uint64(uint32(args[1])), uint64(uint32(args[2]))
	switch k {
	case wasm.OpMemoryInit: // copies data segment b into memory
		mi, err := v.readMem()
		if err != nil {
			return err
		}
		content, ln, err := v.readSegment(1, v.op.b)
		if err != nil {
			return err
		}
		if src+n > uint64(ln) || d+n > uint64(mi.size)*wasmPageSize {
			v.trap(trapOOBMemory)
			return nil
		}
		if n > 0 {
			if n > MaxCopyBytes {
				return fmt.Errorf("%w: memory.init of %d bytes (one step proves at most %d)", ErrNotProvable, n, MaxCopyBytes)
			}
			dr, err := v.readMemRange(mi, d, n, "memory.init destination")
			if err != nil {
				return err
			}
			dr.writeBytes(d, content[src:src+n])
			v.writeMem(mi, mi.size, dr.root())
		}
	case wasm.OpTableInit: // copies element segment b into table a
		ti, err := v.readTable(v.op.a)
		if err != nil {
			return err
		}
		content, ln, err := v.readSegment(0, v.op.b)
		if err != nil {
			return err
		}
		if src+n > uint64(ln) || d+n > uint64(ti.size) {
			v.trap(trapOOBTable)
			return nil
		}
		if n > 0 {
			dr, err := v.readRange(elemsDomain, depthFor(uint64(ti.max)), d, d+n-1, true, ti.root, "table.init destination")
			if err != nil {
				return err
			}
			for i := uint64(0); i < n; i++ {
				dr.data[i] = valueLeaf(binary.BigEndian.Uint64(content[8*(src+i):]))
			}
			v.writeTable(ti, ti.size, dr.root())
		}
	case wasm.OpTableCopy: // copies table b into table a
		td, err := v.readTable(v.op.a)
		if err != nil {
			return err
		}
		ts := td
		if v.op.b != v.op.a {
			if ts, err = v.readTable(v.op.b); err != nil {
				return err
			}
		}
		if src+n > uint64(ts.size) || d+n > uint64(td.size) {
			v.trap(trapOOBTable)
			return nil
		}
		if n > 0 {
			if n > MaxSegmentBytes/8 {
				return fmt.Errorf("%w: table.copy of %d elements (one step proves at most %d)", ErrNotProvable, n, MaxSegmentBytes/8)
			}
			sr, err := v.readRange(elemsDomain, depthFor(uint64(ts.max)), src, src+n-1, true, ts.root, "table.copy source")
			if err != nil {
				return err
			}
			dr, err := v.readRange(elemsDomain, depthFor(uint64(td.max)), d, d+n-1, true, td.root, "table.copy destination")
			if err != nil {
				return err
			}
			copy(dr.data, sr.data)
			v.writeTable(td, td.size, dr.root())
		}
	default:
		return fmt.Errorf("%w: %s", ErrNotProvable, opName(v.op.kind))
	}
	v.next()
	return nil
}
