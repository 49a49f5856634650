package trace

// Snapshot encoding, version 3. docs/snapshot.md is the byte-by-byte
// specification; this comment is its summary. Integers are big-endian,
// every variable-length part is prefixed by its count, and there are no
// optional fields: the same machine state always gives the same bytes, and
// Restore rejects every encoding that Snapshot would not produce, so
// Snapshot(Restore(b)) == b for every b that Restore accepts.
//
//	offset  width  field
//	0       16     magic "referee/snapshot"
//	16      1      version (3)
//	17      32     store digest: sha256 of the instantiated modules and the
//	               store layout (see storeDigest)
//	49      8      Config.MaxSteps
//	57      4      Config.MaxStackValues
//	61      4      Config.MaxCallDepth
//	65      4      Config.MaxMemoryPages
//	69      4      Config.MaxTableElems
//	73      1      status (0 idle, 1 running, 2 done, 3 trapped)
//	74      8      steps
//	82      ...    memories: u32 count, then per memory u32 size (Wasm pages),
//	               u32 max, u32 page count, then per non-zero 4 KiB page
//	               u32 page index (strictly increasing) and 4096 bytes
//	        ...    tables: u32 count, then per table u8 element type, u32 max,
//	               u32 size, size × u64 elements
//	        ...    globals: u32 count, then per global u8 type, u8 mutable,
//	               u64 bits, and for a v128 u64 bits of bytes 8..15
//	        ...    segments: u32 instance count, then per instance u32 element
//	               segment count and one u8 per segment (1 = dropped), u32 data
//	               segment count and one u8 per segment (1 = dropped)
//	        ...    call state, by status:
//	               running: u32 entry function address, u8 pending host call,
//	                 u32 sp, sp × u64 stack slots, u32 frame count, then per
//	                 frame u32 function address, u32 pc (op index), u32 pc
//	                 (code-section offset), u32 fp (stack index of local 0)
//	               done: u32 result count, then per result u8 type, u64 bits,
//	                 and for a v128 u64 bits of bytes 8..15
//	               trapped: u8 trap kind, u32 func, u32 offset, u64 step
//	               idle: nothing
//	        ...    host tape (snapshot_host.go): u8 mode (0 live, 1 recording,
//	               2 replaying), u64 cursor, u32 entry count, then per entry
//	               its committed encoding and u32 length + bytes of its error
//
// Not encoded, because nothing observable depends on it: the dead value
// stack and frames of a call that has ended, the error of a host function
// that ended the last call (Machine.HostError), the tracer, and the dirty
// bits of memory pages (Restore marks every page dirty).

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/refereevm/referee/wasm"
)

const (
	snapshotMagic   = "referee/snapshot"
	snapshotVersion = 3 // 3: v128 globals and results carry their high half

	// Offsets of the fixed header, each the previous plus its width.
	snapOffVersion    = len(snapshotMagic)  // 16
	snapOffDigest     = snapOffVersion + 1  // 17
	snapOffMaxSteps   = snapOffDigest + 32  // 49
	snapOffMaxStack   = snapOffMaxSteps + 8 // 57
	snapOffMaxDepth   = snapOffMaxStack + 4 // 61
	snapOffMaxPages   = snapOffMaxDepth + 4 // 65
	snapOffMaxElems   = snapOffMaxPages + 4 // 69
	snapOffStatus     = snapOffMaxElems + 4 // 73
	snapOffSteps      = snapOffStatus + 1   // 74
	snapshotHeaderLen = snapOffSteps + 8    // 82
	storeDigestLabel  = "referee/snapshot/store/v1"
)

// ErrSnapshot is wrapped by every error Restore returns for bytes that are
// not a valid snapshot for the machine.
var ErrSnapshot = errors.New("invalid snapshot")

// Snapshot encodes the machine's whole execution state: memories, tables,
// globals, dropped segments, the call in progress (value stack and frames)
// or the outcome of the last call, and the step count. The encoding is
// specified in docs/snapshot.md. Restore it into a machine that has
// registered and instantiated the same modules in the same order with the
// same Config.
func (m *Machine) Snapshot() ([]byte, error) {
	if m.sp < 0 || m.sp > len(m.stack) || uint64(m.sp) > math.MaxUint32 {
		return nil, fmt.Errorf("snapshot: BUG: stack pointer %d outside the stack", m.sp)
	}
	b := make([]byte, 0, m.snapshotSizeHint())
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	d := m.storeDigest()
	b = append(b, d[:]...)
	b = binary.BigEndian.AppendUint64(b, m.cfg.MaxSteps)
	b = binary.BigEndian.AppendUint32(b, uint32(m.cfg.MaxStackValues))
	b = binary.BigEndian.AppendUint32(b, uint32(m.cfg.MaxCallDepth))
	b = binary.BigEndian.AppendUint32(b, m.cfg.MaxMemoryPages)
	b = binary.BigEndian.AppendUint32(b, m.cfg.MaxTableElems)
	b = append(b, byte(m.status))
	b = binary.BigEndian.AppendUint64(b, m.steps)

	// ---- memories ----
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.store.mems)))
	for _, mm := range m.store.mems {
		b = binary.BigEndian.AppendUint32(b, mm.size)
		b = binary.BigEndian.AppendUint32(b, mm.max)
		countAt := len(b)
		b = binary.BigEndian.AppendUint32(b, 0)
		n := uint32(0)
		for i, p := range mm.pages {
			if p == nil || isZeroPage(p) {
				continue
			}
			b = binary.BigEndian.AppendUint32(b, uint32(i))
			b = append(b, p[:]...)
			n++
		}
		binary.BigEndian.PutUint32(b[countAt:], n)
	}

	// ---- tables ----
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.store.tables)))
	for _, t := range m.store.tables {
		b = append(b, byte(t.Elem))
		b = binary.BigEndian.AppendUint32(b, t.max)
		b = binary.BigEndian.AppendUint32(b, uint32(len(t.elems)))
		for _, e := range t.elems {
			b = binary.BigEndian.AppendUint64(b, e)
		}
	}

	// ---- globals ----
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.store.globals)))
	for i := range m.store.globals {
		g := &m.store.globals[i]
		b = append(b, byte(g.typ.Type), b2byte(g.typ.Mutable))
		b = binary.BigEndian.AppendUint64(b, g.bits)
		if g.typ.Type == wasm.V128 {
			b = binary.BigEndian.AppendUint64(b, g.hi)
		}
	}

	// ---- segments ----
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.store.instances)))
	for _, inst := range m.store.instances {
		b = binary.BigEndian.AppendUint32(b, uint32(len(inst.elems)))
		for _, e := range inst.elems {
			b = append(b, b2byte(len(e) == 0))
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(inst.datas)))
		for _, d := range inst.datas {
			b = append(b, b2byte(len(d) == 0))
		}
	}

	// ---- call state ----
	switch m.status {
	case StatusRunning:
		b = binary.BigEndian.AppendUint32(b, m.entry)
		b = append(b, b2byte(m.pendingHost))
		b = binary.BigEndian.AppendUint32(b, uint32(m.sp))
		for _, v := range m.stack[:m.sp] {
			b = binary.BigEndian.AppendUint64(b, v)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(m.frames)))
		for i := range m.frames {
			fr := &m.frames[i]
			if fr.pc < 0 || fr.pc >= len(fr.fn.ops) {
				return nil, fmt.Errorf("snapshot: BUG: frame %d pc %d outside func[%d]", i, fr.pc, fr.fn.index)
			}
			b = binary.BigEndian.AppendUint32(b, fr.fn.addr)
			b = binary.BigEndian.AppendUint32(b, uint32(fr.pc))
			b = binary.BigEndian.AppendUint32(b, fr.fn.ops[fr.pc].offset)
			b = binary.BigEndian.AppendUint32(b, uint32(fr.fp))
		}
	case StatusDone:
		b = binary.BigEndian.AppendUint32(b, uint32(len(m.results)))
		for _, r := range m.results {
			b = append(b, byte(r.Type))
			b = binary.BigEndian.AppendUint64(b, r.Bits)
			if r.Type == wasm.V128 {
				b = binary.BigEndian.AppendUint64(b, r.Hi)
			}
		}
	case StatusTrapped:
		b = append(b, byte(m.trap.Kind))
		b = binary.BigEndian.AppendUint32(b, m.trap.Func)
		b = binary.BigEndian.AppendUint32(b, m.trap.Offset)
		b = binary.BigEndian.AppendUint64(b, m.trap.Step)
	}

	// ---- host tape ----
	return m.appendHostSnapshot(b), nil
}

// snapshotSizeHint estimates the encoded size so Snapshot allocates once.
func (m *Machine) snapshotSizeHint() int {
	n := snapshotHeaderLen + 64 + 8*m.sp + 16*len(m.frames)
	for _, mm := range m.store.mems {
		for _, p := range mm.pages {
			if p != nil {
				n += 4 + PageSize
			}
		}
	}
	for _, t := range m.store.tables {
		n += 9 + 8*len(t.elems)
	}
	return n + 10*len(m.store.globals)
}

// storeDigest is the sha256 that ties a snapshot to the modules and store
// layout it was taken from: the label storeDigestLabel, then
//
//	u32 instance count; per instance u64 length and wasm.Encode(module)
//	u32 function count; per function u32 owner (instance index + 1, or 0
//	  for a host function), u32 function index in the owner's module, u32
//	  param count and the param types, u32 result count and the result types
//	u32 table count; per table u8 element type
//	u32 memory count
//	u32 global count; per global u8 type, u8 mutable
//
// Two machines with equal digests hold the same modules at the same store
// addresses, so every address in a snapshot means the same thing in both.
func (m *Machine) storeDigest() [32]byte {
	h := sha256.New()
	var buf []byte
	u32 := func(v uint32) { buf = binary.BigEndian.AppendUint32(buf, v) }
	flush := func() { h.Write(buf); buf = buf[:0] }
	buf = append(buf, storeDigestLabel...)
	u32(uint32(len(m.store.instances)))
	flush()
	for _, inst := range m.store.instances {
		enc := wasm.Encode(inst.mod)
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(enc)))
		flush()
		h.Write(enc)
	}
	u32(uint32(len(m.store.funcs)))
	for i := range m.store.funcs {
		f := &m.store.funcs[i]
		if f.inst != nil {
			u32(f.inst.index + 1)
			u32(f.index)
		} else {
			u32(0)
			u32(0)
		}
		u32(uint32(len(f.typ.Params)))
		for _, t := range f.typ.Params {
			buf = append(buf, byte(t))
		}
		u32(uint32(len(f.typ.Results)))
		for _, t := range f.typ.Results {
			buf = append(buf, byte(t))
		}
		if len(buf) > 4096 {
			flush()
		}
	}
	u32(uint32(len(m.store.tables)))
	for _, t := range m.store.tables {
		buf = append(buf, byte(t.Elem))
	}
	u32(uint32(len(m.store.mems)))
	u32(uint32(len(m.store.globals)))
	for i := range m.store.globals {
		g := &m.store.globals[i]
		buf = append(buf, byte(g.typ.Type), b2byte(g.typ.Mutable))
	}
	flush()
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// isZeroPage reports whether every byte of p is zero (an array comparison
// compiles to a memequal, far faster than a byte loop).
func isZeroPage(p *[PageSize]byte) bool { return *p == [PageSize]byte{} }

func b2byte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
