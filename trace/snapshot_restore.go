package trace

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Restore replaces the machine's execution state with the one encoded in b
// by Snapshot. m must have registered and instantiated the same modules in
// the same order, with the same Config, as the machine the snapshot was
// taken from; the store digest and the limits in the header are checked.
// Restore validates everything it reads (counts, addresses, page indexes,
// value types, frame layout against the compiled code) and returns an
// error wrapping ErrSnapshot for anything Snapshot could not have produced.
// On error m is unchanged.
func (m *Machine) Restore(b []byte) error {
	if m.inHost {
		return errors.New("restore: called from a host function")
	}
	st, err := m.decodeSnapshot(b)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	m.applySnapshot(st)
	return nil
}

// snapState is a decoded, validated snapshot waiting to be applied.
type snapState struct {
	status      Status
	steps       uint64
	mems        []snapMem
	tables      [][]uint64
	globals     []uint64
	globalsHi   []uint64 // bytes 8..15 of v128 globals, 0 for others
	elemDropped [][]bool
	dataDropped [][]bool
	entry       uint32
	pendingHost bool
	stack       []uint64
	frames      []frame
	stackLen    int // value-stack slots the frames need
	results     []Value
	trap        Trap
	host        hostMode
	tape        HostTape
	hostCursor  uint64
}

type snapMem struct {
	size  uint32
	pages []*[PageSize]byte // size*16 entries, nil = zero page
}

// snapReader reads big-endian fields and remembers the first error, which
// names the field and its byte offset.
type snapReader struct {
	b   []byte
	pos int
	err error
}

func (r *snapReader) fail(what string, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d: %s", ErrSnapshot, what, r.pos, fmt.Sprintf(format, args...))
	}
}

func (r *snapReader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b)-r.pos < n {
		r.fail(what, "need %d bytes, %d left", n, len(r.b)-r.pos)
		return nil
	}
	s := r.b[r.pos : r.pos+n]
	r.pos += n
	return s
}

func (r *snapReader) u8(what string) byte {
	if s := r.take(1, what); s != nil {
		return s[0]
	}
	return 0
}

func (r *snapReader) u32(what string) uint32 {
	if s := r.take(4, what); s != nil {
		return binary.BigEndian.Uint32(s)
	}
	return 0
}

func (r *snapReader) u64(what string) uint64 {
	if s := r.take(8, what); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}

// bool reads a byte that must be 0 or 1.
func (r *snapReader) bool(what string) bool {
	at := r.pos
	v := r.u8(what)
	if v > 1 && r.err == nil {
		r.pos = at
		r.fail(what, "flag %d is not 0 or 1", v)
	}
	return v == 1
}

// count reads a u32 count of items at least minSize bytes each and checks
// that they can fit in what is left, so hostile counts allocate nothing.
func (r *snapReader) count(what string, minSize int) int {
	at := r.pos
	n := r.u32(what)
	if r.err == nil && uint64(n)*uint64(minSize) > uint64(len(r.b)-r.pos) {
		r.pos = at
		r.fail(what, "count %d does not fit in the %d bytes left", n, len(r.b)-r.pos-4)
		return 0
	}
	return int(n)
}

// want checks that a field read from the snapshot equals the machine's.
func (r *snapReader) want(what string, got, have uint64, width int) {
	if r.err == nil && got != have {
		r.pos -= width
		r.fail(what, "snapshot has %d, machine has %d", got, have)
	}
}

func (m *Machine) decodeSnapshot(b []byte) (*snapState, error) {
	r := &snapReader{b: b}
	st := &snapState{}
	if magic := r.take(len(snapshotMagic), "magic"); r.err == nil && string(magic) != snapshotMagic {
		r.pos = 0
		r.fail("magic", "not %q", snapshotMagic)
	}
	if v := r.u8("version"); r.err == nil && v != snapshotVersion {
		r.pos--
		r.fail("version", "version %d, want %d", v, snapshotVersion)
	}
	if d := r.take(32, "store digest"); r.err == nil {
		if have := m.storeDigest(); !bytes.Equal(d, have[:]) {
			r.pos -= 32
			r.fail("store digest", "the machine holds different modules or a different store layout")
		}
	}
	r.want("config MaxSteps", r.u64("config MaxSteps"), m.cfg.MaxSteps, 8)
	r.want("config MaxStackValues", uint64(r.u32("config MaxStackValues")), uint64(uint32(m.cfg.MaxStackValues)), 4)
	r.want("config MaxCallDepth", uint64(r.u32("config MaxCallDepth")), uint64(uint32(m.cfg.MaxCallDepth)), 4)
	r.want("config MaxMemoryPages", uint64(r.u32("config MaxMemoryPages")), uint64(m.cfg.MaxMemoryPages), 4)
	r.want("config MaxTableElems", uint64(r.u32("config MaxTableElems")), uint64(m.cfg.MaxTableElems), 4)
	st.status = Status(r.u8("status"))
	if r.err == nil && st.status > StatusTrapped {
		r.pos--
		r.fail("status", "unknown status %d", st.status)
	}
	st.steps = r.u64("steps")
	m.decodeStore(r, st)
	switch st.status {
	case StatusRunning:
		m.decodeRunning(r, st)
	case StatusDone:
		n := r.count("result count", 9)
		st.results = make([]Value, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			what := fmt.Sprintf("result[%d]", i)
			t := wasm.ValType(r.u8(what + " type"))
			v := r.u64(what + " bits")
			var hi uint64
			if t == wasm.V128 {
				hi = r.u64(what + " high bits")
			}
			if r.err == nil && !validBits(t, v, len(m.store.funcs)) {
				r.pos -= 9
				r.fail(what, "%#x is not a valid %s", v, t)
			}
			st.results = append(st.results, Value{Type: t, Bits: v, Hi: hi})
		}
	case StatusTrapped:
		st.trap.Kind = TrapKind(r.u8("trap kind"))
		if r.err == nil && (st.trap.Kind == TrapNone || st.trap.Kind > TrapStepLimit) {
			r.pos--
			r.fail("trap kind", "unknown trap kind %d", st.trap.Kind)
		}
		st.trap.Func = r.u32("trap func")
		st.trap.Offset = r.u32("trap offset")
		st.trap.Step = r.u64("trap step")
		if r.err == nil && st.trap.Step > st.steps {
			r.pos -= 8
			r.fail("trap step", "step %d is after the step count %d", st.trap.Step, st.steps)
		}
	}
	m.decodeHostSnapshot(r, st)
	if r.err == nil && r.pos != len(b) {
		r.fail("end", "%d trailing bytes", len(b)-r.pos)
	}
	if r.err != nil {
		return nil, r.err
	}
	return st, nil
}

// decodeStore reads the memories, tables, globals and segment flags.
func (m *Machine) decodeStore(r *snapReader, st *snapState) {
	nfuncs := len(m.store.funcs)
	r.want("memory count", uint64(r.u32("memory count")), uint64(len(m.store.mems)), 4)
	for i := 0; i < len(m.store.mems) && r.err == nil; i++ {
		what := fmt.Sprintf("memory[%d]", i)
		mm := m.store.mems[i]
		size := r.u32(what + " size")
		r.want(what+" max", uint64(r.u32(what+" max")), uint64(mm.max), 4)
		if r.err == nil && size > mm.max {
			r.pos -= 8
			r.fail(what+" size", "%d pages exceed the maximum %d", size, mm.max)
		}
		n := r.count(what+" page count", 4+PageSize)
		if r.err != nil {
			return
		}
		sm := snapMem{size: size, pages: make([]*[PageSize]byte, int(size)*pagesPerWasm)}
		prev := -1
		for k := 0; k < n && r.err == nil; k++ {
			idx := int(r.u32(what + " page index"))
			if r.err == nil && (idx <= prev || idx >= len(sm.pages)) {
				r.pos -= 4
				r.fail(what+" page index", "index %d not in (%d, %d)", idx, prev, len(sm.pages))
			}
			data := r.take(PageSize, what+" page")
			if r.err != nil {
				return
			}
			p := new([PageSize]byte)
			copy(p[:], data)
			if isZeroPage(p) {
				r.pos -= PageSize
				r.fail(what+" page", "page %d is all zeros (zero pages are omitted)", idx)
			}
			sm.pages[idx] = p
			prev = idx
		}
		st.mems = append(st.mems, sm)
	}

	r.want("table count", uint64(r.u32("table count")), uint64(len(m.store.tables)), 4)
	for i := 0; i < len(m.store.tables) && r.err == nil; i++ {
		what := fmt.Sprintf("table[%d]", i)
		t := m.store.tables[i]
		r.want(what+" element type", uint64(r.u8(what+" element type")), uint64(t.Elem), 1)
		r.want(what+" max", uint64(r.u32(what+" max")), uint64(t.max), 4)
		n := r.count(what+" size", 8)
		if r.err == nil && uint64(n) > uint64(t.max) {
			r.pos -= 4
			r.fail(what+" size", "%d elements exceed the maximum %d", n, t.max)
		}
		elems := make([]uint64, 0, n)
		for k := 0; k < n && r.err == nil; k++ {
			v := r.u64(what + " element")
			if r.err == nil && !validBits(t.Elem, v, nfuncs) {
				r.pos -= 8
				r.fail(what+" element", "%#x is not a valid %s", v, t.Elem)
			}
			elems = append(elems, v)
		}
		st.tables = append(st.tables, elems)
	}

	r.want("global count", uint64(r.u32("global count")), uint64(len(m.store.globals)), 4)
	for i := 0; i < len(m.store.globals) && r.err == nil; i++ {
		what := fmt.Sprintf("global[%d]", i)
		g := &m.store.globals[i]
		r.want(what+" type", uint64(r.u8(what+" type")), uint64(g.typ.Type), 1)
		r.want(what+" mutable", uint64(r.u8(what+" mutable")), uint64(b2byte(g.typ.Mutable)), 1)
		v := r.u64(what + " bits")
		var hi uint64
		if g.typ.Type == wasm.V128 {
			hi = r.u64(what + " high bits")
		}
		switch {
		case r.err != nil:
		case !validBits(g.typ.Type, v, nfuncs):
			r.pos -= 8
			r.fail(what+" bits", "%#x is not a valid %s", v, g.typ.Type)
		case !g.typ.Mutable && (v != g.bits || hi != g.hi):
			r.pos -= 8
			r.fail(what+" bits", "immutable global is %#x, machine has %#x", v, g.bits)
		}
		st.globals = append(st.globals, v)
		st.globalsHi = append(st.globalsHi, hi)
	}

	r.want("instance count", uint64(r.u32("instance count")), uint64(len(m.store.instances)), 4)
	for i := 0; i < len(m.store.instances) && r.err == nil; i++ {
		inst := m.store.instances[i]
		what := fmt.Sprintf("instance[%d]", i)
		r.want(what+" element segment count", uint64(r.u32(what+" element segment count")), uint64(len(inst.elems)), 4)
		var ed []bool
		for k := 0; k < len(inst.elems) && r.err == nil; k++ {
			d := r.bool(what + " element segment flag")
			if r.err == nil && !d && len(inst.mod.Elems[k].Init) == 0 {
				r.pos--
				r.fail(what+" element segment flag", "empty segment %d must be encoded as dropped", k)
			}
			ed = append(ed, d)
		}
		r.want(what+" data segment count", uint64(r.u32(what+" data segment count")), uint64(len(inst.datas)), 4)
		var dd []bool
		for k := 0; k < len(inst.datas) && r.err == nil; k++ {
			d := r.bool(what + " data segment flag")
			if r.err == nil && !d && len(inst.mod.Datas[k].Init) == 0 {
				r.pos--
				r.fail(what+" data segment flag", "empty segment %d must be encoded as dropped", k)
			}
			dd = append(dd, d)
		}
		st.elemDropped = append(st.elemDropped, ed)
		st.dataDropped = append(st.dataDropped, dd)
	}
}

// validBits reports whether v is a well-formed value of type t: 32-bit
// types have a zero high half, a funcref is null or a store function
// address + 1.
func validBits(t wasm.ValType, v uint64, nfuncs int) bool {
	switch t {
	case wasm.I32, wasm.F32:
		return v>>32 == 0
	case wasm.I64, wasm.F64, wasm.ExternRef, wasm.V128, v128Hi:
		return true
	case wasm.FuncRef:
		return v <= uint64(nfuncs)
	}
	return false
}

// applySnapshot installs a validated state. It cannot fail.
func (m *Machine) applySnapshot(st *snapState) {
	for i, sm := range st.mems {
		mm := m.store.mems[i]
		mm.pages = sm.pages
		mm.size = sm.size
		mm.dirty = make([]uint64, (len(sm.pages)+63)/64)
		for k := range mm.dirty {
			mm.dirty[k] = ^uint64(0)
		}
	}
	for i, elems := range st.tables {
		m.store.tables[i].elems = elems
	}
	for i, v := range st.globals {
		m.store.globals[i].bits, m.store.globals[i].hi = v, st.globalsHi[i]
	}
	for i, inst := range m.store.instances {
		for k, dropped := range st.elemDropped[i] {
			if dropped {
				inst.elems[k] = nil
				continue
			}
			init := inst.mod.Elems[k].Init
			refs := make([]uint64, len(init))
			for j, ce := range init {
				// Checked by decodeRunning's caller: evalConst succeeded at
				// instantiation for the same module and store.
				refs[j], _ = m.evalConst(inst, ce)
			}
			inst.elems[k] = refs
		}
		for k, dropped := range st.dataDropped[i] {
			if dropped {
				inst.datas[k] = nil
			} else {
				inst.datas[k] = inst.mod.Datas[k].Init
			}
		}
	}
	m.status = st.status
	m.steps = st.steps
	m.entry = st.entry
	m.pendingHost = st.pendingHost
	m.frames = st.frames
	m.sp = len(st.stack)
	m.stack = make([]uint64, max(st.stackLen, len(st.stack), 64))
	copy(m.stack, st.stack)
	m.results = st.results
	m.trap = st.trap
	m.hostErr = nil
	m.host, m.tape, m.hostCursor = st.host, st.tape, st.hostCursor
	m.tapeGen++
}
