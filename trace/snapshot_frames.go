package trace

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// decodeRunning reads the call state of a running machine and checks it
// against the compiled code, so that a restored machine satisfies every
// invariant exec relies on: each frame is a Wasm function at a reachable op
// (callers at the op after a call of the next frame's function), frame
// bases are contiguous, the stack holds exactly the locals and operands the
// validator's type stack predicts at each pc, and each slot is a valid value
// of its type.
func (m *Machine) decodeRunning(r *snapReader, st *snapState) {
	nfuncs := len(m.store.funcs)
	st.entry = r.u32("entry")
	if r.err == nil && uint64(st.entry) >= uint64(nfuncs) {
		r.pos -= 4
		r.fail("entry", "function address %d out of range (%d functions)", st.entry, nfuncs)
	}
	st.pendingHost = r.bool("pending host call")
	sp := r.count("stack pointer", 8)
	if r.err == nil && sp > m.cfg.MaxStackValues {
		r.pos -= 4
		r.fail("stack pointer", "%d exceeds MaxStackValues %d", sp, m.cfg.MaxStackValues)
	}
	if r.err != nil {
		return
	}
	stackAt := r.pos
	st.stack = make([]uint64, sp)
	for i := range st.stack {
		st.stack[i] = r.u64("stack slot")
	}
	nf := r.count("frame count", 16)
	if r.err == nil && nf > m.cfg.MaxCallDepth {
		r.pos -= 4
		r.fail("frame count", "%d exceeds MaxCallDepth %d", nf, m.cfg.MaxCallDepth)
	}
	if r.err != nil {
		return
	}
	if m.cfg.MaxSteps != 0 && st.steps > m.cfg.MaxSteps {
		r.fail("steps", "a running machine has run %d steps, over MaxSteps %d", st.steps, m.cfg.MaxSteps)
		return
	}
	slot := func(i int, t wasm.ValType, what string) bool {
		if i >= len(st.stack) {
			r.fail("stack pointer", "%s is slot %d, above the stack pointer %d", what, i, sp)
			return false
		}
		if !validBits(t, st.stack[i], nfuncs) {
			r.pos = stackAt + 8*i
			r.fail("stack slot", "%s: %#x is not a valid %s", what, st.stack[i], t)
			return false
		}
		return true
	}
	entry := &m.store.funcs[st.entry]
	if st.pendingHost {
		// Call targeted a host function: its arguments, and no frames.
		switch {
		case entry.code != nil:
			r.fail("pending host call", "entry function %d is not a host function", st.entry)
		case nf != 0:
			r.fail("frame count", "%d frames with a pending host call", nf)
		case sp != slotCount(entry.typ.Params):
			r.fail("stack pointer", "%d slots for a host call with %d param slots", sp, slotCount(entry.typ.Params))
		}
		for i, t := range slotTypes(entry.typ.Params) {
			if r.err != nil || !slot(i, t, "host argument") {
				return
			}
		}
		return
	}
	if entry.code == nil {
		r.fail("entry", "function %d is a host function but no host call is pending", st.entry)
		return
	}
	if nf == 0 {
		r.fail("frame count", "no frames in a running call")
		return
	}
	frameAt := r.pos
	type rawFrame struct{ addr, pc, off, fp uint32 }
	raw := make([]rawFrame, nf)
	for i := range raw {
		raw[i] = rawFrame{r.u32("frame function"), r.u32("frame pc"), r.u32("frame offset"), r.u32("frame fp")}
	}
	if r.err != nil {
		return
	}
	end := r.pos
	bad := func(i int, field int, format string, args ...any) {
		r.pos = frameAt + 16*i + 4*field
		r.fail(fmt.Sprintf("frame[%d]", i), format, args...)
	}
	reach := map[uint32][]bool{} // by function address; only looked up
	st.frames = make([]frame, nf)
	for i, f := range raw {
		if uint64(f.addr) >= uint64(nfuncs) || m.store.funcs[f.addr].code == nil {
			bad(i, 0, "function %d is not a Wasm function in the store", f.addr)
			return
		}
		fc := m.store.funcs[f.addr].code
		if i == 0 && f.addr != st.entry {
			bad(i, 0, "outermost frame runs function %d, the call's entry is %d", f.addr, st.entry)
			return
		}
		if uint64(f.pc) >= uint64(len(fc.ops)) {
			bad(i, 1, "pc %d outside func[%d] (%d ops)", f.pc, fc.index, len(fc.ops))
			return
		}
		if fc.ops[f.pc].offset != f.off {
			bad(i, 2, "offset 0x%x is not op %d of func[%d] (0x%x)", f.off, f.pc, fc.index, fc.ops[f.pc].offset)
			return
		}
		rs, ok := reach[f.addr]
		if !ok {
			rs = reachableOps(fc)
			reach[f.addr] = rs
		}
		if !rs[f.pc] {
			bad(i, 1, "op %d of func[%d] is unreachable", f.pc, fc.index)
			return
		}
		// Frame bases are checked exactly below; here only their range.
		if i == 0 && f.fp != 0 || int64(f.fp) > int64(sp) || uint64(f.fp)+uint64(fc.frameSize) > uint64(m.cfg.MaxStackValues) {
			bad(i, 3, "fp %d invalid (stack pointer %d, frame size %d)", f.fp, sp, fc.frameSize)
			return
		}
		st.frames[i] = frame{fn: fc, pc: int(f.pc), fp: int(f.fp)}
		st.stackLen = max(st.stackLen, int(f.fp)+fc.frameSize)
	}
	// The stack: per frame, its locals then its operands, whose types the
	// compiler's type stack gives at the frame's pc (for callers: below the
	// callee's arguments, which are the callee's first locals).
	for i := range st.frames {
		fr := &st.frames[i]
		fc := fr.fn
		base := fr.fp + fc.numLocals
		var ts []wasm.ValType
		if i == len(st.frames)-1 {
			_, ts, _ = m.compileFunc(fc.inst, fc.codeIndex, fr.pc)
		} else {
			if fr.pc == 0 {
				bad(i, 1, "a caller frame's pc must follow a call")
				return
			}
			call := &fc.ops[fr.pc-1]
			callee := st.frames[i+1].fn
			var consumed int
			switch call.kind {
			case wasm.OpCall:
				if call.a != callee.addr {
					bad(i+1, 0, "function %d is not the callee %d of its caller", callee.addr, call.a)
					return
				}
				consumed = callee.numParams
			case wasm.OpCallIndirect:
				if !fc.inst.mod.Types[call.b].Equal(m.store.funcs[callee.addr].typ) {
					bad(i+1, 0, "function %d does not have the type call_indirect expects", callee.addr)
					return
				}
				consumed = callee.numParams + 1
			default:
				bad(i, 1, "a caller frame's pc must follow a call")
				return
			}
			_, ts, _ = m.compileFunc(fc.inst, fc.codeIndex, fr.pc-1)
			if len(ts) < consumed {
				bad(i, 1, "type stack before the call holds %d values, the call takes %d", len(ts), consumed)
				return
			}
			ts = ts[:len(ts)-consumed]
			if want := base + len(ts); st.frames[i+1].fp != want {
				bad(i+1, 3, "fp %d, want %d", st.frames[i+1].fp, want)
				return
			}
		}
		top := sp
		if i+1 < len(st.frames) {
			top = st.frames[i+1].fp
		}
		if top != base+len(ts) {
			r.pos = end
			r.fail(fmt.Sprintf("frame[%d]", i), "frame holds %d stack slots, its code needs %d locals and %d operands", top-fr.fp, fc.numLocals, len(ts))
			return
		}
		for k, t := range fc.localTypes {
			if !slot(fr.fp+k, t, fmt.Sprintf("frame[%d] local %d", i, k)) {
				return
			}
		}
		for k, t := range ts {
			if !slot(base+k, t, fmt.Sprintf("frame[%d] operand %d", i, k)) {
				return
			}
		}
	}
	r.pos = end
}

// reachableOps marks the ops of fc that control can reach from op 0. Only
// they have a precise static type stack; a frame may only rest at one.
func reachableOps(fc *funcCode) []bool {
	n := len(fc.ops)
	seen := make([]bool, n)
	work := []int{0}
	add := func(pc int) {
		if pc >= 0 && pc < n && !seen[pc] {
			seen[pc] = true
			work = append(work, pc)
		}
	}
	if n == 0 {
		return seen
	}
	seen[0] = true
	for len(work) > 0 {
		pc := work[len(work)-1]
		work = work[:len(work)-1]
		o := &fc.ops[pc]
		switch o.kind {
		case wasm.OpUnreachable, wasm.OpReturn, opEndReturn, opBrReturn:
		case wasm.OpBr, wasm.OpElse:
			add(int(o.a))
		case wasm.OpBrIf, wasm.OpIf:
			add(pc + 1)
			add(int(o.a))
		case wasm.OpBrTable:
			for k := uint64(o.a); k < uint64(o.a)+uint64(o.b) && k < uint64(len(fc.brTargets)); k++ {
				if t := fc.brTargets[k].pc; t != retTarget {
					add(int(t))
				}
			}
		default:
			add(pc + 1)
		}
	}
	return seen
}
