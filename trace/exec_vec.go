package trace

import (
	"github.com/refereevm/referee/numeric"
	"github.com/refereevm/referee/wasm"
)

// isVecKind reports whether op kind k is a vector instruction or a v128
// move: the ops execVec runs.
func isVecKind(k wasm.Opcode) bool {
	return k >= 0xFD00 || k >= opDropV128 && k <= opGlobalSetV128
}

// execVec runs a straight run of vector code: vector instructions, v128
// moves and the scalar constants and local accesses between them, for at
// most budget steps, and stops in front of any other op (or after a trap).
// It returns the budget left. The register form defers every vector
// instruction (fDefer), so without this loop each of them would cost a
// trip out of execFast and into execGeneral; here a run of them is one
// dispatch loop. What each op does is execSIMD's and execGeneral's: only
// the loop is new.
func (m *Machine) execVec(budget uint64) uint64 {
	fr := &m.frames[len(m.frames)-1]
	fn := fr.fn
	code := fn.ops
	pc, fp := fr.pc, fr.fp
	s := m.stack
	sp := m.sp
	left := budget
	tk := TrapNone
loop:
	for left != 0 {
		o := &code[pc]
		switch k := o.kind; k {
		case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const: // pushes c
			s[sp] = o.c
			sp++
		case wasm.OpLocalGet: // pushes local a
			s[sp] = s[fp+int(o.a)]
			sp++
		case wasm.OpLocalSet: // pops into local a
			sp--
			s[fp+int(o.a)] = s[sp]
		case wasm.OpLocalTee: // copies the top into local a
			s[fp+int(o.a)] = s[sp-1]
		case opLocalGetV128: // pushes the v128 local at slots a, a+1
			l := fp + int(o.a)
			s[sp], s[sp+1] = s[l], s[l+1]
			sp += 2
		case opLocalSetV128: // pops a v128 into local a
			l := fp + int(o.a)
			s[l], s[l+1] = s[sp-2], s[sp-1]
			sp -= 2
		case opLocalTeeV128: // copies the top v128 into local a
			l := fp + int(o.a)
			s[l], s[l+1] = s[sp-2], s[sp-1]
		case 0xFD00 | 0x4e: // v128.and: pops 2 v128, pushes v128
			s[sp-4] &= s[sp-2]
			s[sp-3] &= s[sp-1]
			sp -= 2
		case 0xFD00 | 0x50: // v128.or
			s[sp-4] |= s[sp-2]
			s[sp-3] |= s[sp-1]
			sp -= 2
		case 0xFD00 | 0x51: // v128.xor
			s[sp-4] ^= s[sp-2]
			s[sp-3] ^= s[sp-1]
			sp -= 2
		case 0xFD00 | 0xab: // i32x4.shl: pops i32 n, v128; pushes v128
			n := uint32(s[sp-1])
			s[sp-3], s[sp-2] = numeric.I32x4Shl(s[sp-3], n), numeric.I32x4Shl(s[sp-2], n)
			sp--
		case 0xFD00 | 0xac: // i32x4.shr_s
			n := uint32(s[sp-1])
			s[sp-3], s[sp-2] = numeric.I32x4ShrS(s[sp-3], n), numeric.I32x4ShrS(s[sp-2], n)
			sp--
		case 0xFD00 | 0xad: // i32x4.shr_u
			n := uint32(s[sp-1])
			s[sp-3], s[sp-2] = numeric.I32x4ShrU(s[sp-3], n), numeric.I32x4ShrU(s[sp-2], n)
			sp--
		case 0xFD00 | 0xae: // i32x4.add
			s[sp-4], s[sp-3] = numeric.I32x4Add(s[sp-4], s[sp-2]), numeric.I32x4Add(s[sp-3], s[sp-1])
			sp -= 2
		default:
			if !isVecKind(k) {
				break loop
			}
			var t TrapKind
			sp, t = m.execSIMD(o, fn, s, sp)
			if t != TrapNone {
				tk = t
				left--
				break loop
			}
		}
		pc++
		left--
	}
	m.steps += budget - left
	m.sp = sp
	if tk != TrapNone {
		fr.pc = pc
		m.setTrap(tk, fn.index, code[pc].offset)
		return left
	}
	fr.pc = pc
	return left
}
