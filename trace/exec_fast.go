package trace

import (
	"encoding/binary"
	"github.com/refereevm/referee/numeric"

	"github.com/refereevm/referee/wasm"
)

// execFast runs at most budget steps of the ops that need no function
// call: control flow (calls and returns between Wasm functions within the
// preallocated stack and frame capacity included), locals, globals,
// constants, integer arithmetic, the common float ops, and loads and
// stores that stay inside one allocated page. It stops in front of any
// other op, and in front of an op that would trap, leaving it to
// execGeneral, and returns the budget left. Its cases must compute exactly
// what execGeneral's do (their stack effects are commented there), which
// TestFastMatchesGeneral checks step by step. "Call-free" is checked by
// reading the assembly: `go tool objdump -s execFast` shows no CALL but
// bounds-check panics, write barriers and the stack-growth prologue.
func (m *Machine) execFast(budget uint64) uint64 {
	fr := &m.frames[len(m.frames)-1]
	fn := fr.fn
	code := fn.ops
	pc := fr.pc
	fp := fr.fp
	s := m.stack
	sp := m.sp
	mem := fn.mem
	left := budget
	for left != 0 {
		o := &code[pc]
		pc++
		left--
		switch o.kind {
		case wasm.OpNop, wasm.OpBlock, wasm.OpLoop, wasm.OpEnd:
			if o.b != 0 && left != 0 {
				k := min(uint64(o.b), left)
				pc += int(k)
				left -= k
			}
		case wasm.OpIf:
			sp--
			if uint32(s[sp]) == 0 {
				pc = int(o.a)
			}
		case wasm.OpElse:
			pc = int(o.a)
		case wasm.OpBr:
			if o.c != 0 {
				sp = moveDown(s, sp, int(o.b), int(o.c))
			}
			pc = int(o.a)
		case wasm.OpBrIf:
			sp--
			if uint32(s[sp]) != 0 {
				if o.c != 0 {
					sp = moveDown(s, sp, int(o.b), int(o.c))
				}
				pc = int(o.a)
			}
		case wasm.OpBrTable:
			i := uint32(s[sp-1])
			if i >= o.b-1 {
				i = o.b - 1
			}
			t := &fn.brTargets[o.a+i]
			if t.pc == retTarget {
				goto deferOp // returns: execGeneral
			}
			sp--
			if t.drop != 0 {
				sp = moveDown(s, sp, int(t.n), int(t.drop))
			}
			pc = int(t.pc)
		case opBrIfReturn:
			if uint32(s[sp-1]) == 0 {
				sp--
				break
			}
			if len(m.frames) == 1 {
				goto deferOp
			}
			sp--
			fallthrough
		case wasm.OpReturn, opEndReturn, opBrReturn:
			if len(m.frames) == 1 {
				goto deferOp // the call ends: execGeneral
			}
			n := fn.numResults
			for i := 0; i < n; i++ {
				s[fp+i] = s[sp-n+i]
			}
			sp = fp + n
			m.frames = m.frames[:len(m.frames)-1]
			fr = &m.frames[len(m.frames)-1]
			fn, pc, fp = fr.fn, fr.pc, fr.fp
			code, mem = fn.ops, fn.mem
		case wasm.OpCall:
			callee := m.store.funcs[o.a].code
			if callee == nil {
				goto deferOp // host function
			}
			nfp := sp - callee.numParams
			nf := len(m.frames)
			if nf >= m.cfg.MaxCallDepth || nfp+callee.frameSize > len(s) || nf == cap(m.frames) {
				goto deferOp
			}
			fr.pc = pc
			for i := sp; i < nfp+callee.numLocals; i++ {
				s[i] = 0
			}
			m.frames = m.frames[:nf+1]
			fr = &m.frames[nf]
			*fr = frame{fn: callee, fp: nfp}
			fn = callee
			code, mem = fn.ops, fn.mem
			fp = nfp
			sp = fp + fn.numLocals
			pc = 0
		case wasm.OpCallIndirect:
			t := m.store.tables[o.a]
			i := uint32(s[sp-1])
			if uint64(i) >= uint64(len(t.elems)) || t.elems[i] == 0 {
				goto deferOp
			}
			f := &m.store.funcs[t.elems[i]-1]
			callee := f.code
			if callee == nil || f.typeID != uint32(o.c) {
				goto deferOp
			}
			nfp := sp - 1 - callee.numParams
			nf := len(m.frames)
			if nf >= m.cfg.MaxCallDepth || nfp+callee.frameSize > len(s) || nf == cap(m.frames) {
				goto deferOp
			}
			sp--
			fr.pc = pc
			for i := sp; i < nfp+callee.numLocals; i++ {
				s[i] = 0
			}
			m.frames = m.frames[:nf+1]
			fr = &m.frames[nf]
			*fr = frame{fn: callee, fp: nfp}
			fn = callee
			code, mem = fn.ops, fn.mem
			fp = nfp
			sp = fp + fn.numLocals
			pc = 0

		case wasm.OpDrop:
			sp--
		case wasm.OpSelect, wasm.OpSelectT:
			sp -= 2
			if uint32(s[sp+1]) == 0 {
				s[sp-1] = s[sp]
			}
		case wasm.OpLocalGet:
			s[sp] = s[fp+int(o.a)]
			sp++
		case wasm.OpLocalSet:
			sp--
			s[fp+int(o.a)] = s[sp]
		case wasm.OpLocalTee:
			s[fp+int(o.a)] = s[sp-1]
		case wasm.OpGlobalGet:
			s[sp] = m.store.globals[o.a].bits
			sp++
		case wasm.OpGlobalSet:
			sp--
			m.store.globals[o.a].bits = s[sp]

		case wasm.OpI32Load, wasm.OpF32Load, wasm.OpI64Load32U, wasm.OpI64Load32S:
			ea := uint64(uint32(s[sp-1])) + o.c
			off := ea & (PageSize - 1)
			if ea+4 > uint64(mem.size)<<wasmPageShift || off > PageSize-4 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[ea>>pageShift]; p != nil {
				v = uint64(binary.LittleEndian.Uint32(p[off:]))
			}
			if o.kind == wasm.OpI64Load32S {
				v = uint64(int64(int32(uint32(v))))
			}
			s[sp-1] = v
		case wasm.OpI64Load, wasm.OpF64Load:
			ea := uint64(uint32(s[sp-1])) + o.c
			off := ea & (PageSize - 1)
			if ea+8 > uint64(mem.size)<<wasmPageShift || off > PageSize-8 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[ea>>pageShift]; p != nil {
				v = binary.LittleEndian.Uint64(p[off:])
			}
			s[sp-1] = v
		case wasm.OpI32Load8S, wasm.OpI32Load8U, wasm.OpI64Load8S, wasm.OpI64Load8U:
			ea := uint64(uint32(s[sp-1])) + o.c
			if ea+1 > uint64(mem.size)<<wasmPageShift {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[ea>>pageShift]; p != nil {
				v = uint64(p[ea&(PageSize-1)])
			}
			switch o.kind {
			case wasm.OpI32Load8S:
				v = uint64(uint32(int32(int8(v))))
			case wasm.OpI64Load8S:
				v = uint64(int64(int8(v)))
			}
			s[sp-1] = v
		case wasm.OpI32Load16S, wasm.OpI32Load16U, wasm.OpI64Load16S, wasm.OpI64Load16U:
			ea := uint64(uint32(s[sp-1])) + o.c
			off := ea & (PageSize - 1)
			if ea+2 > uint64(mem.size)<<wasmPageShift || off > PageSize-2 {
				goto deferOp
			}
			var v uint64
			if p := mem.pages[ea>>pageShift]; p != nil {
				v = uint64(binary.LittleEndian.Uint16(p[off:]))
			}
			switch o.kind {
			case wasm.OpI32Load16S:
				v = uint64(uint32(int32(int16(v))))
			case wasm.OpI64Load16S:
				v = uint64(int64(int16(v)))
			}
			s[sp-1] = v
		case wasm.OpI32Store, wasm.OpF32Store, wasm.OpI64Store32:
			ea := uint64(uint32(s[sp-2])) + o.c
			off := ea & (PageSize - 1)
			pi := ea >> pageShift
			if ea+4 > uint64(mem.size)<<wasmPageShift || off > PageSize-4 || mem.pages[pi] == nil {
				goto deferOp
			}
			binary.LittleEndian.PutUint32(mem.pages[pi][off:], uint32(s[sp-1]))
			mem.dirty[pi>>6] |= 1 << (pi & 63)
			sp -= 2
		case wasm.OpI64Store, wasm.OpF64Store:
			ea := uint64(uint32(s[sp-2])) + o.c
			off := ea & (PageSize - 1)
			pi := ea >> pageShift
			if ea+8 > uint64(mem.size)<<wasmPageShift || off > PageSize-8 || mem.pages[pi] == nil {
				goto deferOp
			}
			binary.LittleEndian.PutUint64(mem.pages[pi][off:], s[sp-1])
			mem.dirty[pi>>6] |= 1 << (pi & 63)
			sp -= 2
		case wasm.OpI32Store8, wasm.OpI64Store8:
			ea := uint64(uint32(s[sp-2])) + o.c
			pi := ea >> pageShift
			if ea+1 > uint64(mem.size)<<wasmPageShift || mem.pages[pi] == nil {
				goto deferOp
			}
			mem.pages[pi][ea&(PageSize-1)] = byte(s[sp-1])
			mem.dirty[pi>>6] |= 1 << (pi & 63)
			sp -= 2
		case wasm.OpI32Store16, wasm.OpI64Store16:
			ea := uint64(uint32(s[sp-2])) + o.c
			off := ea & (PageSize - 1)
			pi := ea >> pageShift
			if ea+2 > uint64(mem.size)<<wasmPageShift || off > PageSize-2 || mem.pages[pi] == nil {
				goto deferOp
			}
			binary.LittleEndian.PutUint16(mem.pages[pi][off:], uint16(s[sp-1]))
			mem.dirty[pi>>6] |= 1 << (pi & 63)
			sp -= 2
		case wasm.OpMemorySize:
			s[sp] = uint64(mem.size)
			sp++

		case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const, wasm.OpRefNull, wasm.OpRefFunc:
			s[sp] = o.c
			sp++

		case wasm.OpI32Eqz:
			s[sp-1] = b2u(uint32(s[sp-1]) == 0)
		case wasm.OpI32Eq:
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
		case wasm.OpI32And, wasm.OpI64And:
			sp--
			s[sp-1] &= s[sp]
		case wasm.OpI32Or, wasm.OpI64Or:
			sp--
			s[sp-1] |= s[sp]
		case wasm.OpI32Xor, wasm.OpI64Xor:
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
		case wasm.OpI32Rotl:
			sp--
			s[sp-1] = uint64(numeric.I32Rotl(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpI32Rotr:
			sp--
			s[sp-1] = uint64(numeric.I32Rotr(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpI32DivU:
			b := uint32(s[sp-1])
			if b == 0 {
				goto deferOp
			}
			sp--
			s[sp-1] = uint64(uint32(s[sp-1]) / b)
		case wasm.OpI32RemU:
			b := uint32(s[sp-1])
			if b == 0 {
				goto deferOp
			}
			sp--
			s[sp-1] = uint64(uint32(s[sp-1]) % b)

		case wasm.OpI64Eqz:
			s[sp-1] = b2u(s[sp-1] == 0)
		case wasm.OpI64Eq:
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
		case wasm.OpI64Shl:
			sp--
			s[sp-1] <<= s[sp] & 63
		case wasm.OpI64ShrS:
			sp--
			s[sp-1] = uint64(int64(s[sp-1]) >> (s[sp] & 63))
		case wasm.OpI64ShrU:
			sp--
			s[sp-1] >>= s[sp] & 63
		case wasm.OpI64Rotl:
			sp--
			s[sp-1] = numeric.I64Rotl(s[sp-1], s[sp])
		case wasm.OpI64Rotr:
			sp--
			s[sp-1] = numeric.I64Rotr(s[sp-1], s[sp])
		case wasm.OpI64DivU:
			b := s[sp-1]
			if b == 0 {
				goto deferOp
			}
			sp--
			s[sp-1] /= b
		case wasm.OpI64RemU:
			b := s[sp-1]
			if b == 0 {
				goto deferOp
			}
			sp--
			s[sp-1] %= b
		case wasm.OpI32WrapI64:
			s[sp-1] = uint64(uint32(s[sp-1]))
		case wasm.OpI64ExtendI32S:
			s[sp-1] = uint64(int64(int32(uint32(s[sp-1]))))
		case wasm.OpI64ExtendI32U, wasm.OpI32ReinterpretF32, wasm.OpI64ReinterpretF64,
			wasm.OpF32ReinterpretI32, wasm.OpF64ReinterpretI64:

		case wasm.OpF32Add:
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
		case wasm.OpF64Add:
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
		case wasm.OpF64Lt:
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
		// ---- less common pure ops (each stops in front of a trap) ----
		case wasm.OpI32DivS, wasm.OpI32RemS:
			a, b := uint32(s[sp-2]), uint32(s[sp-1])
			if b == 0 || (a == 1<<31 && b == 0xffffffff) {
				if !(o.kind == wasm.OpI32RemS && b != 0) {
					goto deferOp
				}
			}
			var r uint32
			if o.kind == wasm.OpI32DivS {
				r, _ = numeric.I32DivS(a, b)
			} else {
				r, _ = numeric.I32RemS(a, b)
			}
			sp--
			s[sp-1] = uint64(r)
		case wasm.OpI64DivS, wasm.OpI64RemS:
			a, b := s[sp-2], s[sp-1]
			if b == 0 || (a == 1<<63 && b == ^uint64(0)) {
				if !(o.kind == wasm.OpI64RemS && b != 0) {
					goto deferOp
				}
			}
			var r uint64
			if o.kind == wasm.OpI64DivS {
				r, _ = numeric.I64DivS(a, b)
			} else {
				r, _ = numeric.I64RemS(a, b)
			}
			sp--
			s[sp-1] = r
		case wasm.OpI32Clz:
			s[sp-1] = uint64(numeric.I32Clz(uint32(s[sp-1])))
		case wasm.OpI32Ctz:
			s[sp-1] = uint64(numeric.I32Ctz(uint32(s[sp-1])))
		case wasm.OpI64Clz:
			s[sp-1] = numeric.I64Clz(s[sp-1])
		case wasm.OpI64Ctz:
			s[sp-1] = numeric.I64Ctz(s[sp-1])
		case wasm.OpI32Extend8S:
			s[sp-1] = uint64(numeric.I32Extend8S(uint32(s[sp-1])))
		case wasm.OpI32Extend16S:
			s[sp-1] = uint64(numeric.I32Extend16S(uint32(s[sp-1])))
		case wasm.OpI64Extend8S:
			s[sp-1] = numeric.I64Extend8S(s[sp-1])
		case wasm.OpI64Extend16S:
			s[sp-1] = numeric.I64Extend16S(s[sp-1])
		case wasm.OpI64Extend32S:
			s[sp-1] = numeric.I64Extend32S(s[sp-1])
		case wasm.OpF32Eq:
			sp--
			s[sp-1] = b2u(numeric.F32Eq(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Ne:
			sp--
			s[sp-1] = b2u(numeric.F32Ne(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Lt:
			sp--
			s[sp-1] = b2u(numeric.F32Lt(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Gt:
			sp--
			s[sp-1] = b2u(numeric.F32Gt(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Le:
			sp--
			s[sp-1] = b2u(numeric.F32Le(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Ge:
			sp--
			s[sp-1] = b2u(numeric.F32Ge(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF64Eq:
			sp--
			s[sp-1] = b2u(numeric.F64Eq(s[sp-1], s[sp]))
		case wasm.OpF64Ne:
			sp--
			s[sp-1] = b2u(numeric.F64Ne(s[sp-1], s[sp]))
		case wasm.OpF32Abs:
			s[sp-1] = uint64(numeric.F32Abs(uint32(s[sp-1])))
		case wasm.OpF32Neg:
			s[sp-1] = uint64(numeric.F32Neg(uint32(s[sp-1])))
		case wasm.OpF64Abs:
			s[sp-1] = numeric.F64Abs(s[sp-1])
		case wasm.OpF64Neg:
			s[sp-1] = numeric.F64Neg(s[sp-1])
		case wasm.OpF32Copysign:
			sp--
			s[sp-1] = uint64(numeric.F32Copysign(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF64Copysign:
			sp--
			s[sp-1] = numeric.F64Copysign(s[sp-1], s[sp])
		case wasm.OpF32Min:
			sp--
			s[sp-1] = uint64(numeric.F32Min(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF32Max:
			sp--
			s[sp-1] = uint64(numeric.F32Max(uint32(s[sp-1]), uint32(s[sp])))
		case wasm.OpF64Min:
			sp--
			s[sp-1] = numeric.F64Min(s[sp-1], s[sp])
		case wasm.OpF64Max:
			sp--
			s[sp-1] = numeric.F64Max(s[sp-1], s[sp])
		case wasm.OpF64Sqrt:
			s[sp-1] = numeric.F64Sqrt(s[sp-1])
		case wasm.OpF32Sqrt:
			s[sp-1] = uint64(numeric.F32Sqrt(uint32(s[sp-1])))
		case wasm.OpF64ConvertI32S:
			s[sp-1] = numeric.F64ConvertI32S(uint32(s[sp-1]))
		case wasm.OpF64ConvertI32U:
			s[sp-1] = numeric.F64ConvertI32U(uint32(s[sp-1]))
		case wasm.OpF64ConvertI64S:
			s[sp-1] = numeric.F64ConvertI64S(s[sp-1])
		case wasm.OpF32ConvertI32S:
			s[sp-1] = uint64(numeric.F32ConvertI32S(uint32(s[sp-1])))
		case wasm.OpF64PromoteF32:
			s[sp-1] = numeric.F64PromoteF32(uint32(s[sp-1]))
		case wasm.OpF32DemoteF64:
			s[sp-1] = uint64(numeric.F32DemoteF64(s[sp-1]))
		case wasm.OpI32TruncF64S:
			r, k := numeric.I32TruncF64S(s[sp-1])
			if k != numeric.TrapNone {
				goto deferOp
			}
			s[sp-1] = uint64(r)
		case wasm.OpI32TruncF64U:
			r, k := numeric.I32TruncF64U(s[sp-1])
			if k != numeric.TrapNone {
				goto deferOp
			}
			s[sp-1] = uint64(r)
		case wasm.OpI64TruncF64S:
			r, k := numeric.I64TruncF64S(s[sp-1])
			if k != numeric.TrapNone {
				goto deferOp
			}
			s[sp-1] = r
		case wasm.OpRefIsNull:
			s[sp-1] = b2u(s[sp-1] == 0)
		default:
			goto deferOp
		}
	}
	m.sp = sp
	fr.pc = pc
	m.steps += budget
	return 0
deferOp:
	// The op at pc-1 is left to execGeneral: un-consume it. Every case that
	// jumps here does so before changing any state.
	pc--
	left++
	m.sp = sp
	fr.pc = pc
	m.steps += budget - left
	return left
}

// moveDown moves the top n values of s[:sp] down by drop slots and
// returns the new sp (no call to memmove: execFast stays call-free).
func moveDown(s []uint64, sp, n, drop int) int {
	for i := sp - n; i < sp; i++ {
		s[i-drop] = s[i]
	}
	return sp - drop
}
