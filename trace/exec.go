package trace

import (
	"github.com/refereevm/referee/wasm"

	"github.com/refereevm/referee/numeric"
)

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// exec runs at most budget (>= 1) steps of the call in progress. Run
// calls it with a large budget, so that Run and Step produce identical
// states. It alternates two loops: execFast, which runs the register form
// of the ops (trace/fast.go) with no function calls (so Go keeps its state
// in registers) wherever an fop starts, and stops in front of any other
// op; and execGeneral, which can execute every op, for one step.
func (m *Machine) exec(budget uint64) {
	if m.pendingHost {
		m.steps++
		m.runEntryHost()
		return
	}
	for budget != 0 {
		if fr := &m.frames[len(m.frames)-1]; !generalOnly && fr.fn.fastAt[fr.pc] >= 0 {
			budget = m.execFast(budget)
			if budget == 0 || m.status != StatusRunning {
				return
			}
		}
		if fr := &m.frames[len(m.frames)-1]; !generalOnly && isVecKind(fr.fn.ops[fr.pc].kind) {
			// a run of vector code (trace/exec_vec.go), where execFast stopped
			budget = m.execVec(budget)
			if budget == 0 || m.status != StatusRunning {
				return
			}
			continue
		}
		m.execGeneral(1)
		budget--
		if m.status != StatusRunning {
			return
		}
	}
}

// generalOnly makes exec skip execFast; tests set it to check that both
// loops compute the same states.
var generalOnly = false

// execGeneral runs at most budget (>= 1) steps; it handles every op. The
// running frame's pc, fp and the stack pointer live in locals and are
// written back on calls and on exit.
func (m *Machine) execGeneral(budget uint64) {
	fn := m.frames[len(m.frames)-1].fn
	code := fn.ops
	pc := m.frames[len(m.frames)-1].pc
	fp := m.frames[len(m.frames)-1].fp
	s := m.stack
	sp := m.sp
	mem := fn.mem
	left := budget // steps left; m.steps is updated on exit
	tk := TrapNone
loop:
	for left != 0 {
		o := &code[pc]
		pc++
		left--
		switch o.kind {
		// ---- control ----
		case wasm.OpUnreachable: // traps
			tk = TrapUnreachable
			break loop
		case wasm.OpNop, wasm.OpBlock, wasm.OpLoop, wasm.OpEnd: // no effect
			// b more no-ops follow: retire as many as the budget allows,
			// each counted as a step, exactly as if dispatched one by one.
			if o.b != 0 && left != 0 {
				k := min(uint64(o.b), left)
				pc += int(k)
				left -= k
			}
		case wasm.OpIf: // pops i32 cond; false jumps to else+1 or end+1
			sp--
			if uint32(s[sp]) == 0 {
				pc = int(o.a)
			}
		case wasm.OpElse: // end of the then-branch: jumps past end
			pc = int(o.a)
		case wasm.OpBr: // keeps top b values, drops c below them, jumps to a
			if o.c != 0 {
				sp = dropKeep(s, sp, int(o.b), int(o.c))
			}
			pc = int(o.a)
		case wasm.OpBrIf: // pops i32 cond; if non-zero, as br
			sp--
			if uint32(s[sp]) != 0 {
				if o.c != 0 {
					sp = dropKeep(s, sp, int(o.b), int(o.c))
				}
				pc = int(o.a)
			}
		case wasm.OpBrTable: // pops i32 index; branches to brTargets[a+min(index, b-1)]
			sp--
			i := uint32(s[sp])
			if i >= o.b-1 {
				i = o.b - 1
			}
			t := &fn.brTargets[o.a+i]
			if t.pc == retTarget {
				goto ret
			}
			if t.drop != 0 {
				sp = dropKeep(s, sp, int(t.n), int(t.drop))
			}
			pc = int(t.pc)
		case opBrIfReturn: // pops i32 cond; if non-zero, returns
			sp--
			if uint32(s[sp]) != 0 {
				goto ret
			}
		case wasm.OpReturn, opEndReturn, opBrReturn: // returns
			goto ret
		case wasm.OpCall: // pops params, pushes a frame (or runs a host function)
			f := &m.store.funcs[o.a]
			m.frames[len(m.frames)-1].pc = pc
			callee := f.code
			if callee == nil {
				var k TrapKind
				sp, k = m.callHost(o.a, f, sp, budget-left)
				s = m.stack
				if k != TrapNone {
					tk = k
					break loop
				}
				break
			}
			nfp := sp - callee.numParams
			if len(m.frames) < m.cfg.MaxCallDepth && nfp+callee.frameSize <= len(s) {
				// fast path of enter
				clear(s[sp : nfp+callee.numLocals])
				m.frames = append(m.frames, frame{fn: callee, fp: nfp})
			} else if k := m.enter(callee, sp); k != TrapNone {
				tk = k
				break loop
			}
			fn = callee
			s, code, mem = m.stack, fn.ops, fn.mem
			fp = nfp
			sp = fp + fn.numLocals
			pc = 0
		case wasm.OpCallIndirect: // pops i32 index and params; calls table a[index] checked against type b
			sp--
			t := m.store.tables[o.a]
			i := uint32(s[sp])
			if uint64(i) >= uint64(len(t.elems)) {
				tk = TrapUndefinedElement
				break loop
			}
			r := t.elems[i]
			if r == 0 {
				tk = TrapUninitializedElement
				break loop
			}
			f := &m.store.funcs[r-1]
			if !f.typ.Equal(fn.inst.mod.Types[o.b]) {
				tk = TrapIndirectCallTypeMismatch
				break loop
			}
			m.frames[len(m.frames)-1].pc = pc
			if f.code == nil {
				var k TrapKind
				sp, k = m.callHost(uint32(r-1), f, sp, budget-left)
				s = m.stack
				if k != TrapNone {
					tk = k
					break loop
				}
				break
			}
			if k := m.enter(f.code, sp); k != TrapNone {
				tk = k
				break loop
			}
			fn = f.code
			s, code, mem = m.stack, fn.ops, fn.mem
			fp = sp - fn.numParams
			sp = fp + fn.numLocals
			pc = 0

		// ---- parametric, variables ----
		case wasm.OpDrop: // pops one value
			sp--
		case wasm.OpSelect, wasm.OpSelectT: // pops c, v2, v1; pushes c ? v1 : v2
			sp -= 2
			if uint32(s[sp+1]) == 0 {
				s[sp-1] = s[sp]
			}
		case wasm.OpLocalGet: // pushes local a
			s[sp] = s[fp+int(o.a)]
			sp++
		case wasm.OpLocalSet: // pops into local a
			sp--
			s[fp+int(o.a)] = s[sp]
		case wasm.OpLocalTee: // copies the top into local a
			s[fp+int(o.a)] = s[sp-1]
		case wasm.OpGlobalGet: // pushes global a
			s[sp] = m.store.globals[o.a].bits
			sp++
		case wasm.OpGlobalSet: // pops into global a
			sp--
			m.store.globals[o.a].bits = s[sp]

		// ---- memory ----
		case wasm.OpI32Load, wasm.OpF32Load, wasm.OpI64Load32U: // pops i32 addr, pushes 32 bits
			ea := uint64(uint32(s[sp-1])) + o.c
			if ea+4 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			s[sp-1] = mem.load32(ea)
		case wasm.OpI64Load, wasm.OpF64Load: // pops i32 addr, pushes 64 bits
			ea := uint64(uint32(s[sp-1])) + o.c
			if ea+8 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			s[sp-1] = mem.load64(ea)
		case wasm.OpI32Load8S, wasm.OpI32Load8U, wasm.OpI64Load8S, wasm.OpI64Load8U: // pops i32 addr, pushes the extended byte
			ea := uint64(uint32(s[sp-1])) + o.c
			if ea+1 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			v := mem.load8(ea)
			switch o.kind {
			case wasm.OpI32Load8S:
				v = uint64(uint32(int32(int8(v))))
			case wasm.OpI64Load8S:
				v = uint64(int64(int8(v)))
			}
			s[sp-1] = v
		case wasm.OpI32Load16S, wasm.OpI32Load16U, wasm.OpI64Load16S, wasm.OpI64Load16U: // pops i32 addr, pushes the extended half
			ea := uint64(uint32(s[sp-1])) + o.c
			if ea+2 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			v := mem.load16(ea)
			switch o.kind {
			case wasm.OpI32Load16S:
				v = uint64(uint32(int32(int16(v))))
			case wasm.OpI64Load16S:
				v = uint64(int64(int16(v)))
			}
			s[sp-1] = v
		case wasm.OpI64Load32S: // pops i32 addr, pushes the sign-extended word
			ea := uint64(uint32(s[sp-1])) + o.c
			if ea+4 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			s[sp-1] = uint64(int64(int32(uint32(mem.load32(ea)))))
		case wasm.OpI32Store, wasm.OpF32Store, wasm.OpI64Store32: // pops value, i32 addr; stores 32 bits
			ea := uint64(uint32(s[sp-2])) + o.c
			if ea+4 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			mem.store32(ea, s[sp-1])
			sp -= 2
		case wasm.OpI64Store, wasm.OpF64Store: // pops value, i32 addr; stores 64 bits
			ea := uint64(uint32(s[sp-2])) + o.c
			if ea+8 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			mem.store64(ea, s[sp-1])
			sp -= 2
		case wasm.OpI32Store8, wasm.OpI64Store8: // pops value, i32 addr; stores the low byte
			ea := uint64(uint32(s[sp-2])) + o.c
			if ea+1 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			mem.store8(ea, s[sp-1])
			sp -= 2
		case wasm.OpI32Store16, wasm.OpI64Store16: // pops value, i32 addr; stores the low half
			ea := uint64(uint32(s[sp-2])) + o.c
			if ea+2 > uint64(mem.size)<<wasmPageShift {
				tk = TrapOutOfBoundsMemory
				break loop
			}
			mem.store16(ea, s[sp-1])
			sp -= 2
		case wasm.OpMemorySize: // pushes the size in pages
			s[sp] = uint64(mem.size)
			sp++
		case wasm.OpMemoryGrow: // pops i32 delta, pushes the old size or -1
			s[sp-1] = uint64(mem.grow(uint32(s[sp-1])))

		// ---- constants ----
		case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const, wasm.OpRefNull, wasm.OpRefFunc: // pushes c
			s[sp] = o.c
			sp++

		// ---- i32 ----
		case wasm.OpI32Eqz: // pops i32, pushes i32
			s[sp-1] = b2u(uint32(s[sp-1]) == 0)
		case wasm.OpI32Eq: // pops 2 i32, pushes i32 (all binary i32 ops below)
			sp--
			s[sp-1] = b2u(uint32(s[sp-1]) == uint32(s[sp]))
		case wasm.OpI32Ne:
			sp--
			s[sp-1] = b2u(uint32(s[sp-1]) != uint32(s[sp]))
		case wasm.OpI32LtS:
			sp--
			s[sp-1] = b2u(int32(s[sp-1]) < int32(s[sp]))
		case wasm.OpI32LtU:
			sp--
			s[sp-1] = b2u(uint32(s[sp-1]) < uint32(s[sp]))
		case wasm.OpI32GtS:
			sp--
			s[sp-1] = b2u(int32(s[sp-1]) > int32(s[sp]))
		case wasm.OpI32GtU:
			sp--
			s[sp-1] = b2u(uint32(s[sp-1]) > uint32(s[sp]))
		case wasm.OpI32LeS:
			sp--
			s[sp-1] = b2u(int32(s[sp-1]) <= int32(s[sp]))
		case wasm.OpI32LeU:
			sp--
			s[sp-1] = b2u(uint32(s[sp-1]) <= uint32(s[sp]))
		case wasm.OpI32GeS:
			sp--
			s[sp-1] = b2u(int32(s[sp-1]) >= int32(s[sp]))
		case wasm.OpI32GeU:
			sp--
			s[sp-1] = b2u(uint32(s[sp-1]) >= uint32(s[sp]))
		case wasm.OpI32Add:
			sp--
			s[sp-1] = uint64(uint32(s[sp-1]) + uint32(s[sp]))
		case wasm.OpI32Sub:
			sp--
			s[sp-1] = uint64(uint32(s[sp-1]) - uint32(s[sp]))
		case wasm.OpI32Mul:
			sp--
			s[sp-1] = uint64(uint32(s[sp-1]) * uint32(s[sp]))
		case wasm.OpI32And:
			sp--
			s[sp-1] &= s[sp]
		case wasm.OpI32Or:
			sp--
			s[sp-1] |= s[sp]
		case wasm.OpI32Xor:
			sp--
			s[sp-1] ^= s[sp]
		case wasm.OpI32Shl:
			sp--
			s[sp-1] = uint64(uint32(s[sp-1]) << (s[sp] & 31))
		case wasm.OpI32ShrS:
			sp--
			s[sp-1] = uint64(uint32(int32(s[sp-1]) >> (s[sp] & 31)))
		case wasm.OpI32ShrU:
			sp--
			s[sp-1] = uint64(uint32(s[sp-1]) >> (s[sp] & 31))
		case wasm.OpI32DivS, wasm.OpI32DivU, wasm.OpI32RemS, wasm.OpI32RemU:
			sp--
			var r uint32
			var k numeric.Trap
			a, b := uint32(s[sp-1]), uint32(s[sp])
			switch o.kind {
			case wasm.OpI32DivS:
				r, k = numeric.I32DivS(a, b)
			case wasm.OpI32DivU:
				r, k = numeric.I32DivU(a, b)
			case wasm.OpI32RemS:
				r, k = numeric.I32RemS(a, b)
			default:
				r, k = numeric.I32RemU(a, b)
			}
			if k != numeric.TrapNone {
				tk = TrapKind(k)
				break loop
			}
			s[sp-1] = uint64(r)

		// ---- i64 ----
		case wasm.OpI64Eqz: // pops i64, pushes i32
			s[sp-1] = b2u(s[sp-1] == 0)
		case wasm.OpI64Eq: // pops 2 i64, pushes i32 (comparisons) or i64
			sp--
			s[sp-1] = b2u(s[sp-1] == s[sp])
		case wasm.OpI64Ne:
			sp--
			s[sp-1] = b2u(s[sp-1] != s[sp])
		case wasm.OpI64LtS:
			sp--
			s[sp-1] = b2u(int64(s[sp-1]) < int64(s[sp]))
		case wasm.OpI64LtU:
			sp--
			s[sp-1] = b2u(s[sp-1] < s[sp])
		case wasm.OpI64GtS:
			sp--
			s[sp-1] = b2u(int64(s[sp-1]) > int64(s[sp]))
		case wasm.OpI64GtU:
			sp--
			s[sp-1] = b2u(s[sp-1] > s[sp])
		case wasm.OpI64LeS:
			sp--
			s[sp-1] = b2u(int64(s[sp-1]) <= int64(s[sp]))
		case wasm.OpI64LeU:
			sp--
			s[sp-1] = b2u(s[sp-1] <= s[sp])
		case wasm.OpI64GeS:
			sp--
			s[sp-1] = b2u(int64(s[sp-1]) >= int64(s[sp]))
		case wasm.OpI64GeU:
			sp--
			s[sp-1] = b2u(s[sp-1] >= s[sp])
		case wasm.OpI64Add:
			sp--
			s[sp-1] += s[sp]
		case wasm.OpI64Sub:
			sp--
			s[sp-1] -= s[sp]
		case wasm.OpI64Mul:
			sp--
			s[sp-1] *= s[sp]
		case wasm.OpI64And:
			sp--
			s[sp-1] &= s[sp]
		case wasm.OpI64Or:
			sp--
			s[sp-1] |= s[sp]
		case wasm.OpI64Xor:
			sp--
			s[sp-1] ^= s[sp]
		case wasm.OpI64Shl:
			sp--
			s[sp-1] <<= s[sp] & 63
		case wasm.OpI64ShrS:
			sp--
			s[sp-1] = uint64(int64(s[sp-1]) >> (s[sp] & 63))
		case wasm.OpI64ShrU:
			sp--
			s[sp-1] >>= s[sp] & 63
		case wasm.OpI64DivS, wasm.OpI64DivU, wasm.OpI64RemS, wasm.OpI64RemU:
			sp--
			var r uint64
			var k numeric.Trap
			a, b := s[sp-1], s[sp]
			switch o.kind {
			case wasm.OpI64DivS:
				r, k = numeric.I64DivS(a, b)
			case wasm.OpI64DivU:
				r, k = numeric.I64DivU(a, b)
			case wasm.OpI64RemS:
				r, k = numeric.I64RemS(a, b)
			default:
				r, k = numeric.I64RemU(a, b)
			}
			if k != numeric.TrapNone {
				tk = TrapKind(k)
				break loop
			}
			s[sp-1] = r
		case wasm.OpI32WrapI64: // pops i64, pushes i32
			s[sp-1] = uint64(uint32(s[sp-1]))
		case wasm.OpI64ExtendI32S: // pops i32, pushes i64
			s[sp-1] = uint64(int64(int32(uint32(s[sp-1]))))
		case wasm.OpI64ExtendI32U, wasm.OpI32ReinterpretF32, wasm.OpI64ReinterpretF64,
			wasm.OpF32ReinterpretI32, wasm.OpF64ReinterpretI64: // bits unchanged
		// ---- hot float ops (the rest are in execMisc) ----
		case wasm.OpF32Add: // pops 2 f32, pushes f32
			sp--
			s[sp-1] = uint64(numeric.F32Add(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Sub:
			sp--
			s[sp-1] = uint64(numeric.F32Sub(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Mul:
			sp--
			s[sp-1] = uint64(numeric.F32Mul(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Div:
			sp--
			s[sp-1] = uint64(numeric.F32Div(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF64Add: // pops 2 f64, pushes f64
			sp--
			s[sp-1] = numeric.F64Add(s[sp-1], s[sp])
		case wasm.OpF64Sub:
			sp--
			s[sp-1] = numeric.F64Sub(s[sp-1], s[sp])
		case wasm.OpF64Mul:
			sp--
			s[sp-1] = numeric.F64Mul(s[sp-1], s[sp])
		case wasm.OpF64Div:
			sp--
			s[sp-1] = numeric.F64Div(s[sp-1], s[sp])
		case wasm.OpF64Lt: // pops 2 f64, pushes i32
			sp--
			s[sp-1] = b2u(numeric.F64Lt(s[sp-1], s[sp]))
		case wasm.OpF64Gt:
			sp--
			s[sp-1] = b2u(numeric.F64Gt(s[sp-1], s[sp]))
		case wasm.OpF64Le:
			sp--
			s[sp-1] = b2u(numeric.F64Le(s[sp-1], s[sp]))
		case wasm.OpF64Ge:
			sp--
			s[sp-1] = b2u(numeric.F64Ge(s[sp-1], s[sp]))
		case wasm.OpI32Rotl: // pops 2 i32, pushes i32
			sp--
			s[sp-1] = uint64(numeric.I32Rotl(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpI32Rotr:
			sp--
			s[sp-1] = uint64(numeric.I32Rotr(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpI64Rotl: // pops 2 i64, pushes i64
			sp--
			s[sp-1] = numeric.I64Rotl(s[sp-1], s[sp])
		case wasm.OpI64Rotr:
			sp--
			s[sp-1] = numeric.I64Rotr(s[sp-1], s[sp])
		default: // everything else: floats, conversions, tables, bulk memory
			var k TrapKind
			sp, k = m.execMisc(o, fn, s, sp)
			if k != TrapNone {
				tk = k
				break loop
			}
		}
		continue
	ret: // moves the results to the frame base and pops the frame
		{
			n := fn.numResults
			copy(s[fp:fp+n], s[sp-n:sp])
			sp = fp + n
			m.frames = m.frames[:len(m.frames)-1]
			if len(m.frames) == 0 {
				m.sp = sp
				m.finish()
				break loop
			}
			fr := &m.frames[len(m.frames)-1]
			fn, pc, fp = fr.fn, fr.pc, fr.fp
			code, mem = fn.ops, fn.mem
		}
	}
	m.steps += budget - left
	if tk != TrapNone {
		m.sp = sp
		pc--
		m.frames[len(m.frames)-1].pc = pc
		m.setTrap(tk, fn.index, code[pc].offset)
		return
	}
	if m.status == StatusRunning {
		m.sp = sp
		m.frames[len(m.frames)-1].pc = pc
	}
}

// dropKeep moves the top n values down by drop slots and returns the new sp.
func dropKeep(s []uint64, sp, n, drop int) int {
	copy(s[sp-n-drop:], s[sp-n:sp])
	return sp - drop
}
