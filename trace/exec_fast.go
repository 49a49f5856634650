package trace

import (
	"math"
	"unsafe"

	"github.com/refereevm/referee/numeric"
)

// execFast runs at most budget steps in the register form (trace/fast.go):
// control flow (calls and returns between Wasm functions within the
// preallocated stack and frame capacity included), locals, globals,
// constants, integer arithmetic, the common float ops, and loads and
// stores that stay inside one allocated page. It stops in front of an fop
// that needs more steps than the budget has left, in front of any other
// instruction and in front of one that would trap, leaving it to
// execGeneral, and returns the budget left. Every fop must compute exactly
// what execGeneral computes for its instructions (their stack effects are
// commented there), which TestFastMatchesGeneral checks step by step and
// TestFusedRuns for every budget split. "Call-free" is checked by reading
// the assembly: `go tool objdump -s execFast` shows no CALL but
// bounds-check panics, write barriers and the stack-growth prologue.
func (m *Machine) execFast(budget uint64) uint64 {
	// The loop keeps few variables, so that Go keeps them in registers:
	// the running frame fr, the fop ip about to run, the frame's slots r,
	// its memory, the function's first fop cb, and the budget left. The
	// frame pointer, the stack and the function are read from fr and m
	// where needed; the pc is ip's index, written back on exit.
	fr := &m.frames[len(m.frames)-1]
	cb := unsafe.Pointer(unsafe.SliceData(fr.fn.fast))
	ip := fopAt(cb, uint32(fr.fn.fastAt[fr.pc])) // exec calls execFast only where an fop starts
	r := frameAt(m.stack, fr.fp)                 // the frame: slot i is *slot(r, i)
	mem := fr.fn.mem
	left := budget
	var o *fop
	for {
		o = ip
		n := uint64(o.n)
		if n > left {
			goto stop
		}
		left -= n
		ip = (*fop)(unsafe.Add(unsafe.Pointer(o), fopSize))
		switch o.kind {
		case fSkip: // no-ops
		case fJump:
			ip = fopAt(cb, o.t)
		case fBrCopy:
			for i := uint32(0); i < uint32(o.k); i++ {
				*slot(r, o.d+i) = *slot(r, o.x+i)
			}
			ip = fopAt(cb, o.t)
		case fBrIfNZ:
			if *slot(r, o.x) != 0 {
				ip = fopAt(cb, o.t)
			}
		case fBrIfZ:
			if *slot(r, o.x) == 0 {
				ip = fopAt(cb, o.t)
			}
		case fBrIfCopy:
			if *slot(r, o.y) != 0 {
				for i := uint32(0); i < uint32(o.k); i++ {
					*slot(r, o.d+i) = *slot(r, o.x+i)
				}
				ip = fopAt(cb, o.t)
			}
		case fBrTable:
			i := uint32(*slot(r, o.x))
			if c := uint32(o.k); i >= c-1 {
				i = c - 1
			}
			t := &fr.fn.brTargets[o.t+i]
			if t.pc == retTarget {
				goto deferOp // returns: execGeneral
			}
			to := fr.fn.fastAt[t.pc]
			if to < 0 {
				goto deferOp // never: a target starts an fop
			}
			if t.drop != 0 {
				top := o.x // the index popped, slot x is the top
				for i := top - t.n; i < top; i++ {
					*slot(r, i-t.drop) = *slot(r, i)
				}
			}
			ip = fopAt(cb, uint32(to))
		case fBrIfReturn:
			if *slot(r, o.y) == 0 {
				break
			}
			fallthrough
		case fReturn:
			if len(m.frames) == 1 {
				goto deferOp // the call ends: execGeneral
			}
			caller := &m.frames[len(m.frames)-2]
			to := caller.fn.fastAt[caller.pc]
			if to < 0 {
				goto deferOp // never: a call's return point starts an fop
			}
			for i := uint32(0); i < uint32(o.k); i++ {
				*slot(r, i) = *slot(r, o.x+i)
			}
			m.frames = m.frames[:len(m.frames)-1]
			fr = caller
			cb = unsafe.Pointer(unsafe.SliceData(fr.fn.fast))
			ip = fopAt(cb, uint32(to))
			r = frameAt(m.stack, fr.fp)
			mem = fr.fn.mem
		case fCall:
			callee := m.store.funcs[o.k].code
			if callee == nil {
				goto deferOp // host function
			}
			nfp, nf := fr.fp+int(o.x), len(m.frames)
			if nf >= m.cfg.MaxCallDepth || nfp+callee.frameSize > len(m.stack) || nf == cap(m.frames) {
				goto deferOp
			}
			fr.pc = int(o.d) // the return point
			for i := nfp + callee.numParams; i < nfp+callee.numLocals; i++ {
				m.stack[i] = 0
			}
			m.frames = m.frames[:nf+1]
			fr = &m.frames[nf]
			*fr = frame{fn: callee, fp: nfp}
			cb = unsafe.Pointer(unsafe.SliceData(callee.fast))
			ip = (*fop)(cb)
			r = frameAt(m.stack, fr.fp)
			mem = callee.mem
		case fCallIndirect:
			t := m.store.tables[o.t]
			i := uint32(*slot(r, o.y))
			if uint64(i) >= uint64(len(t.elems)) || t.elems[i] == 0 {
				goto deferOp
			}
			f := &m.store.funcs[t.elems[i]-1]
			callee := f.code
			if callee == nil || f.typeID != uint32(o.k) {
				goto deferOp
			}
			nfp, nf := fr.fp+int(o.x), len(m.frames)
			if nf >= m.cfg.MaxCallDepth || nfp+callee.frameSize > len(m.stack) || nf == cap(m.frames) {
				goto deferOp
			}
			fr.pc = int(o.d) // the return point
			for i := nfp + callee.numParams; i < nfp+callee.numLocals; i++ {
				m.stack[i] = 0
			}
			m.frames = m.frames[:nf+1]
			fr = &m.frames[nf]
			*fr = frame{fn: callee, fp: nfp}
			cb = unsafe.Pointer(unsafe.SliceData(callee.fast))
			ip = (*fop)(cb)
			r = frameAt(m.stack, fr.fp)
			mem = callee.mem
		case fMov:
			v := *slot(r, o.x)
			*slot(r, o.d) = v
			*slot(r, o.t) = v
		case fConst:
			*slot(r, o.d) = o.k
			*slot(r, o.t) = o.k
		case fGlobalGet:
			v := m.store.globals[o.k].bits
			*slot(r, o.d) = v
			*slot(r, o.t) = v
		case fGlobalSet:
			m.store.globals[o.k].bits = *slot(r, o.x)
		case fSelect:
			if *slot(r, o.t) != 0 {
				*slot(r, o.d) = *slot(r, o.x)
			} else {
				*slot(r, o.d) = *slot(r, o.y)
			}
		case fMemorySize:
			v := uint64(mem.size)
			*slot(r, o.d) = v
			*slot(r, o.t) = v

		case fAnd: // I32And/I64And of slots x, y
			v := *slot(r, o.x) & *slot(r, o.y)
			*slot(r, o.d) = v
		case fAndK: // I32And/I64And of slot x, immediate k
			v := *slot(r, o.x) & o.k
			*slot(r, o.d) = v
		case fOr: // I32Or/I64Or of slots x, y
			v := *slot(r, o.x) | *slot(r, o.y)
			*slot(r, o.d) = v
		case fOrK: // I32Or/I64Or of slot x, immediate k
			v := *slot(r, o.x) | o.k
			*slot(r, o.d) = v
		case fXor: // I32Xor/I64Xor of slots x, y
			v := *slot(r, o.x) ^ *slot(r, o.y)
			*slot(r, o.d) = v
		case fXorK: // I32Xor/I64Xor of slot x, immediate k
			v := *slot(r, o.x) ^ o.k
			*slot(r, o.d) = v
		case fEq: // I32Eq/I64Eq of slots x, y
			v := b2u(*slot(r, o.x) == *slot(r, o.y))
			*slot(r, o.d) = v
		case fEqK: // I32Eq/I64Eq of slot x, immediate k
			v := b2u(*slot(r, o.x) == o.k)
			*slot(r, o.d) = v
		case fNe: // I32Ne/I64Ne of slots x, y
			v := b2u(*slot(r, o.x) != *slot(r, o.y))
			*slot(r, o.d) = v
		case fNeK: // I32Ne/I64Ne of slot x, immediate k
			v := b2u(*slot(r, o.x) != o.k)
			*slot(r, o.d) = v
		case fLtU: // I32LtU/I64LtU of slots x, y
			v := b2u(*slot(r, o.x) < *slot(r, o.y))
			*slot(r, o.d) = v
		case fLtUK: // I32LtU/I64LtU of slot x, immediate k
			v := b2u(*slot(r, o.x) < o.k)
			*slot(r, o.d) = v
		case fGtU: // I32GtU/I64GtU of slots x, y
			v := b2u(*slot(r, o.x) > *slot(r, o.y))
			*slot(r, o.d) = v
		case fGtUK: // I32GtU/I64GtU of slot x, immediate k
			v := b2u(*slot(r, o.x) > o.k)
			*slot(r, o.d) = v
		case fLeU: // I32LeU/I64LeU of slots x, y
			v := b2u(*slot(r, o.x) <= *slot(r, o.y))
			*slot(r, o.d) = v
		case fLeUK: // I32LeU/I64LeU of slot x, immediate k
			v := b2u(*slot(r, o.x) <= o.k)
			*slot(r, o.d) = v
		case fGeU: // I32GeU/I64GeU of slots x, y
			v := b2u(*slot(r, o.x) >= *slot(r, o.y))
			*slot(r, o.d) = v
		case fGeUK: // I32GeU/I64GeU of slot x, immediate k
			v := b2u(*slot(r, o.x) >= o.k)
			*slot(r, o.d) = v
		case fI32Add: // I32Add of slots x, y
			v := uint64(uint32(*slot(r, o.x)) + uint32(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fI32AddK: // I32Add of slot x, immediate k
			v := uint64(uint32(*slot(r, o.x)) + uint32(o.k))
			*slot(r, o.d) = v
		case fI32Sub: // I32Sub of slots x, y
			v := uint64(uint32(*slot(r, o.x)) - uint32(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fI32SubK: // I32Sub of slot x, immediate k
			v := uint64(uint32(*slot(r, o.x)) - uint32(o.k))
			*slot(r, o.d) = v
		case fI32Mul: // I32Mul of slots x, y
			v := uint64(uint32(*slot(r, o.x)) * uint32(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fI32MulK: // I32Mul of slot x, immediate k
			v := uint64(uint32(*slot(r, o.x)) * uint32(o.k))
			*slot(r, o.d) = v
		case fI32Shl: // I32Shl of slots x, y
			v := uint64(uint32(*slot(r, o.x)) << (uint32(*slot(r, o.y)) & 31))
			*slot(r, o.d) = v
		case fI32ShlK: // I32Shl of slot x, immediate k
			v := uint64(uint32(*slot(r, o.x)) << (uint32(o.k) & 31))
			*slot(r, o.d) = v
		case fI32ShrS: // I32ShrS of slots x, y
			v := uint64(uint32(int32(uint32(*slot(r, o.x))) >> (uint32(*slot(r, o.y)) & 31)))
			*slot(r, o.d) = v
		case fI32ShrSK: // I32ShrS of slot x, immediate k
			v := uint64(uint32(int32(uint32(*slot(r, o.x))) >> (uint32(o.k) & 31)))
			*slot(r, o.d) = v
		case fI32ShrU: // I32ShrU of slots x, y
			v := uint64(uint32(*slot(r, o.x)) >> (uint32(*slot(r, o.y)) & 31))
			*slot(r, o.d) = v
		case fI32ShrUK: // I32ShrU of slot x, immediate k
			v := uint64(uint32(*slot(r, o.x)) >> (uint32(o.k) & 31))
			*slot(r, o.d) = v
		case fI32Rotl: // I32Rotl of slots x, y
			v := uint64(numeric.I32Rotl(uint32(*slot(r, o.x)), uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fI32RotlK: // I32Rotl of slot x, immediate k
			v := uint64(numeric.I32Rotl(uint32(*slot(r, o.x)), uint32(o.k)))
			*slot(r, o.d) = v
		case fI32Rotr: // I32Rotr of slots x, y
			v := uint64(numeric.I32Rotr(uint32(*slot(r, o.x)), uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fI32RotrK: // I32Rotr of slot x, immediate k
			v := uint64(numeric.I32Rotr(uint32(*slot(r, o.x)), uint32(o.k)))
			*slot(r, o.d) = v
		case fI32LtS: // I32LtS of slots x, y
			v := b2u(int32(uint32(*slot(r, o.x))) < int32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fI32LtSK: // I32LtS of slot x, immediate k
			v := b2u(int32(uint32(*slot(r, o.x))) < int32(uint32(o.k)))
			*slot(r, o.d) = v
		case fI32GtS: // I32GtS of slots x, y
			v := b2u(int32(uint32(*slot(r, o.x))) > int32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fI32GtSK: // I32GtS of slot x, immediate k
			v := b2u(int32(uint32(*slot(r, o.x))) > int32(uint32(o.k)))
			*slot(r, o.d) = v
		case fI32LeS: // I32LeS of slots x, y
			v := b2u(int32(uint32(*slot(r, o.x))) <= int32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fI32LeSK: // I32LeS of slot x, immediate k
			v := b2u(int32(uint32(*slot(r, o.x))) <= int32(uint32(o.k)))
			*slot(r, o.d) = v
		case fI32GeS: // I32GeS of slots x, y
			v := b2u(int32(uint32(*slot(r, o.x))) >= int32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fI32GeSK: // I32GeS of slot x, immediate k
			v := b2u(int32(uint32(*slot(r, o.x))) >= int32(uint32(o.k)))
			*slot(r, o.d) = v
		case fI32DivU: // I32DivU of slots x, y
			a, b := uint32(*slot(r, o.x)), uint32(*slot(r, o.y))
			if b == 0 {
				goto deferOp
			}
			v := uint64(a / b)
			*slot(r, o.d) = v
		case fI32DivUK: // I32DivU of slot x, immediate k
			a, b := uint32(*slot(r, o.x)), uint32(o.k)
			if b == 0 {
				goto deferOp
			}
			v := uint64(a / b)
			*slot(r, o.d) = v
		case fI32RemU: // I32RemU of slots x, y
			a, b := uint32(*slot(r, o.x)), uint32(*slot(r, o.y))
			if b == 0 {
				goto deferOp
			}
			v := uint64(a % b)
			*slot(r, o.d) = v
		case fI32RemUK: // I32RemU of slot x, immediate k
			a, b := uint32(*slot(r, o.x)), uint32(o.k)
			if b == 0 {
				goto deferOp
			}
			v := uint64(a % b)
			*slot(r, o.d) = v
		case fI32DivS: // I32DivS of slots x, y
			a, b := uint32(*slot(r, o.x)), uint32(*slot(r, o.y))
			if b == 0 || (a == 1<<31 && b == 0xffffffff) {
				goto deferOp
			}
			v := uint64(uint32(int32(a) / int32(b)))
			*slot(r, o.d) = v
		case fI32DivSK: // I32DivS of slot x, immediate k
			a, b := uint32(*slot(r, o.x)), uint32(o.k)
			if b == 0 || (a == 1<<31 && b == 0xffffffff) {
				goto deferOp
			}
			v := uint64(uint32(int32(a) / int32(b)))
			*slot(r, o.d) = v
		case fI32RemS: // I32RemS of slots x, y
			a, b := uint32(*slot(r, o.x)), uint32(*slot(r, o.y))
			if b == 0 {
				goto deferOp
			}
			v := uint64(i32RemS(a, b))
			*slot(r, o.d) = v
		case fI32RemSK: // I32RemS of slot x, immediate k
			a, b := uint32(*slot(r, o.x)), uint32(o.k)
			if b == 0 {
				goto deferOp
			}
			v := uint64(i32RemS(a, b))
			*slot(r, o.d) = v
		case fI64Add: // I64Add of slots x, y
			v := *slot(r, o.x) + *slot(r, o.y)
			*slot(r, o.d) = v
		case fI64AddK: // I64Add of slot x, immediate k
			v := *slot(r, o.x) + o.k
			*slot(r, o.d) = v
		case fI64Sub: // I64Sub of slots x, y
			v := *slot(r, o.x) - *slot(r, o.y)
			*slot(r, o.d) = v
		case fI64SubK: // I64Sub of slot x, immediate k
			v := *slot(r, o.x) - o.k
			*slot(r, o.d) = v
		case fI64Mul: // I64Mul of slots x, y
			v := *slot(r, o.x) * *slot(r, o.y)
			*slot(r, o.d) = v
		case fI64MulK: // I64Mul of slot x, immediate k
			v := *slot(r, o.x) * o.k
			*slot(r, o.d) = v
		case fI64Shl: // I64Shl of slots x, y
			v := *slot(r, o.x) << (*slot(r, o.y) & 63)
			*slot(r, o.d) = v
		case fI64ShlK: // I64Shl of slot x, immediate k
			v := *slot(r, o.x) << (o.k & 63)
			*slot(r, o.d) = v
		case fI64ShrS: // I64ShrS of slots x, y
			v := uint64(int64(*slot(r, o.x)) >> (*slot(r, o.y) & 63))
			*slot(r, o.d) = v
		case fI64ShrSK: // I64ShrS of slot x, immediate k
			v := uint64(int64(*slot(r, o.x)) >> (o.k & 63))
			*slot(r, o.d) = v
		case fI64ShrU: // I64ShrU of slots x, y
			v := *slot(r, o.x) >> (*slot(r, o.y) & 63)
			*slot(r, o.d) = v
		case fI64ShrUK: // I64ShrU of slot x, immediate k
			v := *slot(r, o.x) >> (o.k & 63)
			*slot(r, o.d) = v
		case fI64Rotl: // I64Rotl of slots x, y
			v := numeric.I64Rotl(*slot(r, o.x), *slot(r, o.y))
			*slot(r, o.d) = v
		case fI64RotlK: // I64Rotl of slot x, immediate k
			v := numeric.I64Rotl(*slot(r, o.x), o.k)
			*slot(r, o.d) = v
		case fI64Rotr: // I64Rotr of slots x, y
			v := numeric.I64Rotr(*slot(r, o.x), *slot(r, o.y))
			*slot(r, o.d) = v
		case fI64RotrK: // I64Rotr of slot x, immediate k
			v := numeric.I64Rotr(*slot(r, o.x), o.k)
			*slot(r, o.d) = v
		case fI64LtS: // I64LtS of slots x, y
			v := b2u(int64(*slot(r, o.x)) < int64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fI64LtSK: // I64LtS of slot x, immediate k
			v := b2u(int64(*slot(r, o.x)) < int64(o.k))
			*slot(r, o.d) = v
		case fI64GtS: // I64GtS of slots x, y
			v := b2u(int64(*slot(r, o.x)) > int64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fI64GtSK: // I64GtS of slot x, immediate k
			v := b2u(int64(*slot(r, o.x)) > int64(o.k))
			*slot(r, o.d) = v
		case fI64LeS: // I64LeS of slots x, y
			v := b2u(int64(*slot(r, o.x)) <= int64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fI64LeSK: // I64LeS of slot x, immediate k
			v := b2u(int64(*slot(r, o.x)) <= int64(o.k))
			*slot(r, o.d) = v
		case fI64GeS: // I64GeS of slots x, y
			v := b2u(int64(*slot(r, o.x)) >= int64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fI64GeSK: // I64GeS of slot x, immediate k
			v := b2u(int64(*slot(r, o.x)) >= int64(o.k))
			*slot(r, o.d) = v
		case fI64DivU: // I64DivU of slots x, y
			a, b := *slot(r, o.x), *slot(r, o.y)
			if b == 0 {
				goto deferOp
			}
			v := a / b
			*slot(r, o.d) = v
		case fI64DivUK: // I64DivU of slot x, immediate k
			a, b := *slot(r, o.x), o.k
			if b == 0 {
				goto deferOp
			}
			v := a / b
			*slot(r, o.d) = v
		case fI64RemU: // I64RemU of slots x, y
			a, b := *slot(r, o.x), *slot(r, o.y)
			if b == 0 {
				goto deferOp
			}
			v := a % b
			*slot(r, o.d) = v
		case fI64RemUK: // I64RemU of slot x, immediate k
			a, b := *slot(r, o.x), o.k
			if b == 0 {
				goto deferOp
			}
			v := a % b
			*slot(r, o.d) = v
		case fI64DivS: // I64DivS of slots x, y
			a, b := *slot(r, o.x), *slot(r, o.y)
			if b == 0 || (a == 1<<63 && b == 0xffffffffffffffff) {
				goto deferOp
			}
			v := uint64(int64(a) / int64(b))
			*slot(r, o.d) = v
		case fI64DivSK: // I64DivS of slot x, immediate k
			a, b := *slot(r, o.x), o.k
			if b == 0 || (a == 1<<63 && b == 0xffffffffffffffff) {
				goto deferOp
			}
			v := uint64(int64(a) / int64(b))
			*slot(r, o.d) = v
		case fI64RemS: // I64RemS of slots x, y
			a, b := *slot(r, o.x), *slot(r, o.y)
			if b == 0 {
				goto deferOp
			}
			v := i64RemS(a, b)
			*slot(r, o.d) = v
		case fI64RemSK: // I64RemS of slot x, immediate k
			a, b := *slot(r, o.x), o.k
			if b == 0 {
				goto deferOp
			}
			v := i64RemS(a, b)
			*slot(r, o.d) = v
		case fF32Add: // F32Add of slots x, y
			v := uint64(numeric.Canon32(numeric.AsF32(uint32(*slot(r, o.x))) + numeric.AsF32(uint32(*slot(r, o.y)))))
			*slot(r, o.d) = v
		case fF32Sub: // F32Sub of slots x, y
			v := uint64(numeric.Canon32(numeric.AsF32(uint32(*slot(r, o.x))) - numeric.AsF32(uint32(*slot(r, o.y)))))
			*slot(r, o.d) = v
		case fF32Mul: // F32Mul of slots x, y
			v := uint64(numeric.Canon32(float32(numeric.AsF32(uint32(*slot(r, o.x))) * numeric.AsF32(uint32(*slot(r, o.y))))))
			*slot(r, o.d) = v
		case fF32Div: // F32Div of slots x, y
			v := uint64(numeric.Canon32(numeric.AsF32(uint32(*slot(r, o.x))) / numeric.AsF32(uint32(*slot(r, o.y)))))
			*slot(r, o.d) = v
		case fF32Copysign: // F32Copysign of slots x, y
			v := uint64(numeric.F32Copysign(uint32(*slot(r, o.x)), uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF32Eq: // F32Eq of slots x, y
			v := b2u(numeric.AsF32(uint32(*slot(r, o.x))) == numeric.AsF32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF32Ne: // F32Ne of slots x, y
			v := b2u(numeric.AsF32(uint32(*slot(r, o.x))) != numeric.AsF32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF32Lt: // F32Lt of slots x, y
			v := b2u(numeric.AsF32(uint32(*slot(r, o.x))) < numeric.AsF32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF32Gt: // F32Gt of slots x, y
			v := b2u(numeric.AsF32(uint32(*slot(r, o.x))) > numeric.AsF32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF32Le: // F32Le of slots x, y
			v := b2u(numeric.AsF32(uint32(*slot(r, o.x))) <= numeric.AsF32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF32Ge: // F32Ge of slots x, y
			v := b2u(numeric.AsF32(uint32(*slot(r, o.x))) >= numeric.AsF32(uint32(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF64Add: // F64Add of slots x, y
			v := numeric.Canon64(numeric.AsF64(*slot(r, o.x)) + numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Sub: // F64Sub of slots x, y
			v := numeric.Canon64(numeric.AsF64(*slot(r, o.x)) - numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Mul: // F64Mul of slots x, y
			v := numeric.Canon64(float64(numeric.AsF64(*slot(r, o.x)) * numeric.AsF64(*slot(r, o.y))))
			*slot(r, o.d) = v
		case fF64Div: // F64Div of slots x, y
			v := numeric.Canon64(numeric.AsF64(*slot(r, o.x)) / numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Copysign: // F64Copysign of slots x, y
			v := numeric.F64Copysign(*slot(r, o.x), *slot(r, o.y))
			*slot(r, o.d) = v
		case fF64Eq: // F64Eq of slots x, y
			v := b2u(numeric.AsF64(*slot(r, o.x)) == numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Ne: // F64Ne of slots x, y
			v := b2u(numeric.AsF64(*slot(r, o.x)) != numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Lt: // F64Lt of slots x, y
			v := b2u(numeric.AsF64(*slot(r, o.x)) < numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Gt: // F64Gt of slots x, y
			v := b2u(numeric.AsF64(*slot(r, o.x)) > numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Le: // F64Le of slots x, y
			v := b2u(numeric.AsF64(*slot(r, o.x)) <= numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fF64Ge: // F64Ge of slots x, y
			v := b2u(numeric.AsF64(*slot(r, o.x)) >= numeric.AsF64(*slot(r, o.y)))
			*slot(r, o.d) = v
		case fEqz: // I32Eqz/I64Eqz of slot x
			v := b2u(*slot(r, o.x) == 0)
			*slot(r, o.d) = v
		case fI32Clz: // I32Clz of slot x
			v := uint64(numeric.I32Clz(uint32(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fI32Ctz: // I32Ctz of slot x
			v := uint64(numeric.I32Ctz(uint32(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fI32Extend8S: // I32Extend8S of slot x
			v := uint64(numeric.I32Extend8S(uint32(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fI32Extend16S: // I32Extend16S of slot x
			v := uint64(numeric.I32Extend16S(uint32(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fI32WrapI64: // I32WrapI64 of slot x
			v := uint64(uint32(*slot(r, o.x)))
			*slot(r, o.d) = v
		case fI64Clz: // I64Clz of slot x
			v := numeric.I64Clz(*slot(r, o.x))
			*slot(r, o.d) = v
		case fI64Ctz: // I64Ctz of slot x
			v := numeric.I64Ctz(*slot(r, o.x))
			*slot(r, o.d) = v
		case fI64Extend8S: // I64Extend8S of slot x
			v := numeric.I64Extend8S(*slot(r, o.x))
			*slot(r, o.d) = v
		case fI64Extend16S: // I64Extend16S of slot x
			v := numeric.I64Extend16S(*slot(r, o.x))
			*slot(r, o.d) = v
		case fI64Extend32S: // I64Extend32S of slot x
			v := numeric.I64Extend32S(*slot(r, o.x))
			*slot(r, o.d) = v
		case fI64ExtendI32S: // I64ExtendI32S of slot x
			v := uint64(int64(int32(uint32(*slot(r, o.x)))))
			*slot(r, o.d) = v
		case fF32Abs: // F32Abs of slot x
			v := uint64(numeric.F32Abs(uint32(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fF32Neg: // F32Neg of slot x
			v := uint64(numeric.F32Neg(uint32(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fF32Sqrt: // F32Sqrt of slot x
			v := uint64(numeric.Canon32(float32(math.Sqrt(float64(numeric.AsF32(uint32(*slot(r, o.x))))))))
			*slot(r, o.d) = v
		case fF64Abs: // F64Abs of slot x
			v := numeric.F64Abs(*slot(r, o.x))
			*slot(r, o.d) = v
		case fF64Neg: // F64Neg of slot x
			v := numeric.F64Neg(*slot(r, o.x))
			*slot(r, o.d) = v
		case fF64Sqrt: // F64Sqrt of slot x
			v := numeric.Canon64(math.Sqrt(numeric.AsF64(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fF64ConvertI32S: // F64ConvertI32S of slot x
			v := numeric.F64ConvertI32S(uint32(*slot(r, o.x)))
			*slot(r, o.d) = v
		case fF64ConvertI32U: // F64ConvertI32U of slot x
			v := numeric.F64ConvertI32U(uint32(*slot(r, o.x)))
			*slot(r, o.d) = v
		case fF64ConvertI64S: // F64ConvertI64S of slot x
			v := numeric.F64ConvertI64S(*slot(r, o.x))
			*slot(r, o.d) = v
		case fF32ConvertI32S: // F32ConvertI32S of slot x
			v := uint64(numeric.F32ConvertI32S(uint32(*slot(r, o.x))))
			*slot(r, o.d) = v
		case fF64PromoteF32: // F64PromoteF32 of slot x
			v := numeric.Canon64(float64(numeric.AsF32(uint32(*slot(r, o.x)))))
			*slot(r, o.d) = v
		case fF32DemoteF64: // F32DemoteF64 of slot x
			v := uint64(numeric.Canon32(float32(numeric.AsF64(*slot(r, o.x)))))
			*slot(r, o.d) = v
		case fI32TruncF64S: // I32TruncF64S of slot x
			x := numeric.AsF64(*slot(r, o.x))
			if !(x > -2147483649.0 && x < 2147483648.0) { // NaN or out of range: traps
				goto deferOp
			}
			v := uint64(uint32(int32(x)))
			*slot(r, o.d) = v
		case fI32TruncF64U: // I32TruncF64U of slot x
			x := numeric.AsF64(*slot(r, o.x))
			if !(x > -1 && x < 4294967296.0) { // NaN or out of range: traps
				goto deferOp
			}
			v := uint64(uint32(int64(x)))
			*slot(r, o.d) = v
		case fI64TruncF64S: // I64TruncF64S of slot x
			x := numeric.AsF64(*slot(r, o.x))
			if !(x >= -9223372036854775808.0 && x < 9223372036854775808.0) { // NaN or out of range: traps
				goto deferOp
			}
			v := uint64(int64(x))
			*slot(r, o.d) = v
		case fLoad32: // I32Load/F32Load/I64Load32U, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+4 : off+4]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
			}
			*slot(r, o.d) = v
		case fLoad32K: // I32Load/F32Load/I64Load32U, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+4 : off+4]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
			}
			*slot(r, o.d) = v
		case fLoad32C: // I32Load/F32Load/I64Load32U, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+4 : off+4]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
			}
			*slot(r, o.d) = v
		case fLoad64: // I64Load/F64Load, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+8 : off+8]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			}
			*slot(r, o.d) = v
		case fLoad64K: // I64Load/F64Load, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+8 : off+8]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			}
			*slot(r, o.d) = v
		case fLoad64C: // I64Load/F64Load, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+8 : off+8]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			}
			*slot(r, o.d) = v
		case fLoad8U: // I32Load8U/I64Load8U, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			*slot(r, o.d) = v
		case fLoad8UK: // I32Load8U/I64Load8U, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			*slot(r, o.d) = v
		case fLoad8UC: // I32Load8U/I64Load8U, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			*slot(r, o.d) = v
		case fLoad16U: // I32Load16U/I64Load16U, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			*slot(r, o.d) = v
		case fLoad16UK: // I32Load16U/I64Load16U, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			*slot(r, o.d) = v
		case fLoad16UC: // I32Load16U/I64Load16U, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			*slot(r, o.d) = v
		case fI32Load8S: // I32Load8S, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			v = uint64(uint32(int32(int8(v))))
			*slot(r, o.d) = v
		case fI32Load8SK: // I32Load8S, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			v = uint64(uint32(int32(int8(v))))
			*slot(r, o.d) = v
		case fI32Load8SC: // I32Load8S, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			v = uint64(uint32(int32(int8(v))))
			*slot(r, o.d) = v
		case fI64Load8S: // I64Load8S, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			v = uint64(int64(int8(v)))
			*slot(r, o.d) = v
		case fI64Load8SK: // I64Load8S, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			v = uint64(int64(int8(v)))
			*slot(r, o.d) = v
		case fI64Load8SC: // I64Load8S, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				v = uint64(p[off])
			}
			v = uint64(int64(int8(v)))
			*slot(r, o.d) = v
		case fI32Load16S: // I32Load16S, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			v = uint64(uint32(int32(int16(v))))
			*slot(r, o.d) = v
		case fI32Load16SK: // I32Load16S, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			v = uint64(uint32(int32(int16(v))))
			*slot(r, o.d) = v
		case fI32Load16SC: // I32Load16S, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			v = uint64(uint32(int32(int16(v))))
			*slot(r, o.d) = v
		case fI64Load16S: // I64Load16S, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			v = uint64(int64(int16(v)))
			*slot(r, o.d) = v
		case fI64Load16SK: // I64Load16S, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			v = uint64(int64(int16(v)))
			*slot(r, o.d) = v
		case fI64Load16SC: // I64Load16S, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+2 : off+2]
				v = uint64(b[0]) | uint64(b[1])<<8
			}
			v = uint64(int64(int16(v)))
			*slot(r, o.d) = v
		case fI64Load32S: // I64Load32S, address slot x, offset y
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+4 : off+4]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
			}
			v = uint64(int64(int32(uint32(v))))
			*slot(r, o.d) = v
		case fI64Load32SK: // I64Load32S, address slot x + immediate k (i32 add), offset y
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+4 : off+4]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
			}
			v = uint64(int64(int32(uint32(v))))
			*slot(r, o.d) = v
		case fI64Load32SC: // I64Load32S, constant effective address y
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[pi]; p != nil {
				b := p[off : off+4 : off+4]
				v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
			}
			v = uint64(int64(int32(uint32(v))))
			*slot(r, o.d) = v
		case fStore32: // I32Store/F32Store/I64Store32, address slot x, offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+4:off+4]
			b[0], b[1], b[2], b[3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore32V: // I32Store/F32Store/I64Store32, address slot x, offset y, value immediate k
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := o.k, mem.pages[pi][off:off+4:off+4]
			b[0], b[1], b[2], b[3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore32A: // I32Store/F32Store/I64Store32, address slot x + immediate k (i32 add), offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+4:off+4]
			b[0], b[1], b[2], b[3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore32C: // I32Store/F32Store/I64Store32, constant effective address y, value slot t
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+4:off+4]
			b[0], b[1], b[2], b[3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore32CV: // I32Store/F32Store/I64Store32, constant effective address y, value immediate k
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-4 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := o.k, mem.pages[pi][off:off+4:off+4]
			b[0], b[1], b[2], b[3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore64: // I64Store/F64Store, address slot x, offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+8:off+8]
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24), byte(w>>32), byte(w>>40), byte(w>>48), byte(w>>56)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore64V: // I64Store/F64Store, address slot x, offset y, value immediate k
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := o.k, mem.pages[pi][off:off+8:off+8]
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24), byte(w>>32), byte(w>>40), byte(w>>48), byte(w>>56)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore64A: // I64Store/F64Store, address slot x + immediate k (i32 add), offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+8:off+8]
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24), byte(w>>32), byte(w>>40), byte(w>>48), byte(w>>56)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore64C: // I64Store/F64Store, constant effective address y, value slot t
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+8:off+8]
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24), byte(w>>32), byte(w>>40), byte(w>>48), byte(w>>56)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore64CV: // I64Store/F64Store, constant effective address y, value immediate k
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-8 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := o.k, mem.pages[pi][off:off+8:off+8]
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24), byte(w>>32), byte(w>>40), byte(w>>48), byte(w>>56)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore8: // I32Store8/I64Store8, address slot x, offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || mem.pages[pi] == nil {
				goto deferOp
			}
			mem.pages[pi][off] = byte(*slot(r, o.t))
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore8V: // I32Store8/I64Store8, address slot x, offset y, value immediate k
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || mem.pages[pi] == nil {
				goto deferOp
			}
			mem.pages[pi][off] = byte(o.k)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore8A: // I32Store8/I64Store8, address slot x + immediate k (i32 add), offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || mem.pages[pi] == nil {
				goto deferOp
			}
			mem.pages[pi][off] = byte(*slot(r, o.t))
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore8C: // I32Store8/I64Store8, constant effective address y, value slot t
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || mem.pages[pi] == nil {
				goto deferOp
			}
			mem.pages[pi][off] = byte(*slot(r, o.t))
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore8CV: // I32Store8/I64Store8, constant effective address y, value immediate k
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || mem.pages[pi] == nil {
				goto deferOp
			}
			mem.pages[pi][off] = byte(o.k)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore16: // I32Store16/I64Store16, address slot x, offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+2:off+2]
			b[0], b[1] = byte(w), byte(w>>8)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore16V: // I32Store16/I64Store16, address slot x, offset y, value immediate k
			ea := uint64(uint32(*slot(r, o.x))) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := o.k, mem.pages[pi][off:off+2:off+2]
			b[0], b[1] = byte(w), byte(w>>8)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore16A: // I32Store16/I64Store16, address slot x + immediate k (i32 add), offset y, value slot t
			ea := uint64(uint32(*slot(r, o.x)+o.k)) + uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+2:off+2]
			b[0], b[1] = byte(w), byte(w>>8)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore16C: // I32Store16/I64Store16, constant effective address y, value slot t
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := *slot(r, o.t), mem.pages[pi][off:off+2:off+2]
			b[0], b[1] = byte(w), byte(w>>8)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fStore16CV: // I32Store16/I64Store16, constant effective address y, value immediate k
			ea := uint64(o.y)
			pi, off := ea>>pageShift, ea&(PageSize-1)
			if pi >= uint64(len(mem.pages)) || off > PageSize-2 || mem.pages[pi] == nil {
				goto deferOp
			}
			w, b := o.k, mem.pages[pi][off:off+2:off+2]
			b[0], b[1] = byte(w), byte(w>>8)
			mem.dirty[pi>>6] |= 1 << (pi & 63)
		case fBrEq: // branches to t if slot x Eq slot y
			if *slot(r, o.x) == *slot(r, o.y) {
				ip = fopAt(cb, o.t)
			}
		case fBrEqK: // branches to t if slot x Eq immediate k
			if *slot(r, o.x) == o.k {
				ip = fopAt(cb, o.t)
			}
		case fBrNe: // branches to t if slot x Ne slot y
			if *slot(r, o.x) != *slot(r, o.y) {
				ip = fopAt(cb, o.t)
			}
		case fBrNeK: // branches to t if slot x Ne immediate k
			if *slot(r, o.x) != o.k {
				ip = fopAt(cb, o.t)
			}
		case fBrLtU: // branches to t if slot x LtU slot y
			if *slot(r, o.x) < *slot(r, o.y) {
				ip = fopAt(cb, o.t)
			}
		case fBrLtUK: // branches to t if slot x LtU immediate k
			if *slot(r, o.x) < o.k {
				ip = fopAt(cb, o.t)
			}
		case fBrGtU: // branches to t if slot x GtU slot y
			if *slot(r, o.x) > *slot(r, o.y) {
				ip = fopAt(cb, o.t)
			}
		case fBrGtUK: // branches to t if slot x GtU immediate k
			if *slot(r, o.x) > o.k {
				ip = fopAt(cb, o.t)
			}
		case fBrLeU: // branches to t if slot x LeU slot y
			if *slot(r, o.x) <= *slot(r, o.y) {
				ip = fopAt(cb, o.t)
			}
		case fBrLeUK: // branches to t if slot x LeU immediate k
			if *slot(r, o.x) <= o.k {
				ip = fopAt(cb, o.t)
			}
		case fBrGeU: // branches to t if slot x GeU slot y
			if *slot(r, o.x) >= *slot(r, o.y) {
				ip = fopAt(cb, o.t)
			}
		case fBrGeUK: // branches to t if slot x GeU immediate k
			if *slot(r, o.x) >= o.k {
				ip = fopAt(cb, o.t)
			}
		case fBrI32LtS: // branches to t if slot x I32LtS slot y
			if int32(*slot(r, o.x)) < int32(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI32LtSK: // branches to t if slot x I32LtS immediate k
			if int32(*slot(r, o.x)) < int32(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fBrI32GtS: // branches to t if slot x I32GtS slot y
			if int32(*slot(r, o.x)) > int32(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI32GtSK: // branches to t if slot x I32GtS immediate k
			if int32(*slot(r, o.x)) > int32(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fBrI32LeS: // branches to t if slot x I32LeS slot y
			if int32(*slot(r, o.x)) <= int32(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI32LeSK: // branches to t if slot x I32LeS immediate k
			if int32(*slot(r, o.x)) <= int32(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fBrI32GeS: // branches to t if slot x I32GeS slot y
			if int32(*slot(r, o.x)) >= int32(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI32GeSK: // branches to t if slot x I32GeS immediate k
			if int32(*slot(r, o.x)) >= int32(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64LtS: // branches to t if slot x I64LtS slot y
			if int64(*slot(r, o.x)) < int64(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64LtSK: // branches to t if slot x I64LtS immediate k
			if int64(*slot(r, o.x)) < int64(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64GtS: // branches to t if slot x I64GtS slot y
			if int64(*slot(r, o.x)) > int64(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64GtSK: // branches to t if slot x I64GtS immediate k
			if int64(*slot(r, o.x)) > int64(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64LeS: // branches to t if slot x I64LeS slot y
			if int64(*slot(r, o.x)) <= int64(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64LeSK: // branches to t if slot x I64LeS immediate k
			if int64(*slot(r, o.x)) <= int64(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64GeS: // branches to t if slot x I64GeS slot y
			if int64(*slot(r, o.x)) >= int64(*slot(r, o.y)) {
				ip = fopAt(cb, o.t)
			}
		case fBrI64GeSK: // branches to t if slot x I64GeS immediate k
			if int64(*slot(r, o.x)) >= int64(o.k) {
				ip = fopAt(cb, o.t)
			}
		case fDefer:
			goto deferOp
		default: // never: buildFast emits no other kind
			goto deferOp
		}
	}
deferOp:
	// The fop at o is left to execGeneral: un-consume it. Every case that
	// jumps here does so before changing any state.
	ip = o
	left += uint64(o.n)
stop:
	fn := fr.fn
	pc := int(fn.fastPC[fopIndex(cb, ip)])
	if at := fn.lazyAt; at != nil {
		for _, l := range fn.lazy[at[pc]:at[pc+1]] {
			if l.src.isImm {
				*slot(r, l.slot) = l.src.imm
			} else {
				*slot(r, l.slot) = *slot(r, l.src.slot)
			}
		}
	}
	m.sp = fr.fp + int(ip.sp)
	fr.pc = pc
	m.steps += budget - left
	return left
}

// fopSize is the size of an fop: ip advances by n*fopSize.
const fopSize = unsafe.Sizeof(fop{})

// fopAt is fop i of the function whose first fop is cb. Every branch
// target and every fop's end lies inside the function (checkFast).
func fopAt(cb unsafe.Pointer, i uint32) *fop {
	return (*fop)(unsafe.Add(cb, uintptr(i)*fopSize))
}

// fopIndex is the index of ip in the function whose first fop is cb.
func fopIndex(cb unsafe.Pointer, ip *fop) int {
	return int((uintptr(unsafe.Pointer(ip)) - uintptr(cb)) / fopSize)
}

// i32RemS is i32.rem_s for a non-zero divisor (-2^31 rem -1 is 0).
func i32RemS(a, b uint32) uint32 {
	if b == 0xffffffff {
		return 0
	}
	return uint32(int32(a) % int32(b))
}

// i64RemS is i64.rem_s for a non-zero divisor (-2^63 rem -1 is 0).
func i64RemS(a, b uint64) uint64 {
	if b == ^uint64(0) {
		return 0
	}
	return uint64(int64(a) % int64(b))
}

// slot returns frame slot i of the frame at r. Every slot an fop names is
// inside its frame (fastBuilder.inFrame), and a frame lies inside the
// stack (enter and execFast's call check fp + frameSize <= len(stack)).
func slot(r unsafe.Pointer, i uint32) *uint64 { return (*uint64)(unsafe.Add(r, uintptr(i)*8)) }

// frameAt is the frame that starts at stack index fp. A frame of no slots
// may start at the stack's end; no slot of it is read, and the pointer is
// then the stack's start, so that it never points past the allocation.
func frameAt(s []uint64, fp int) unsafe.Pointer {
	if fp < len(s) {
		return unsafe.Pointer(&s[fp])
	}
	return unsafe.Pointer(unsafe.SliceData(s))
}
