package fuzz

import (
	"math"

	"github.com/refereevm/referee/wasm"
)

// The guard sequences below leave the tracked stack as they found it: they
// rewrite the value(s) on top in place.

// canonicalize replaces a NaN of float type t on top of the stack by the
// canonical NaN:
//
//	local.tee $t; t.const nan; local.get $t; local.get $t; t.eq; select
func (f *fgen) canonicalize(t wasm.ValType) {
	l := f.scratchLocal(t)
	f.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: l})
	eq := wasm.OpF32Eq
	if t == wasm.F64 {
		f.constOf(t, 0x7ff8000000000000)
		eq = wasm.OpF64Eq
	} else {
		f.constOf(t, 0x7fc00000)
	}
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.op(eq)
	f.op(wasm.OpSelect)
}

// guardDivisor replaces a divisor of 0 or -1 on top of the stack by 1, so
// that neither division by zero nor signed overflow can trap:
//
//	local.set $t; t.const 1; local.get $t; local.get $t; t.const 1; t.add;
//	t.const 1; t.le_u; select
func (f *fgen) guardDivisor(t wasm.ValType) {
	l := f.scratchLocal(t)
	add, leU := wasm.OpI32Add, wasm.OpI32LeU
	if t == wasm.I64 {
		add, leU = wasm.OpI64Add, wasm.OpI64LeU
	}
	f.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: l})
	f.constOf(t, 1)
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.constOf(t, 1)
	f.op(add)
	f.constOf(t, 1)
	f.op(leU)
	f.op(wasm.OpSelect)
}

// guardTrunc replaces an operand of the trapping truncation op on top of
// the stack by 0 unless lo < x < hi (false for NaN):
//
//	local.tee $t; t.const 0; local.get $t; t.const lo; t.gt;
//	local.get $t; t.const hi; t.lt; i32.and; select
func (f *fgen) guardTrunc(op wasm.Opcode, t wasm.ValType) {
	lo, hi := truncBounds(op)
	l := f.scratchLocal(t)
	gt, lt := wasm.OpF32Gt, wasm.OpF32Lt
	bits := func(v float64) uint64 { return uint64(math.Float32bits(float32(v))) }
	if t == wasm.F64 {
		gt, lt = wasm.OpF64Gt, wasm.OpF64Lt
		bits = math.Float64bits
	}
	f.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: l})
	f.constOf(t, 0)
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.constOf(t, bits(lo))
	f.op(gt)
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.constOf(t, bits(hi))
	f.op(lt)
	f.op(wasm.OpI32And)
	f.op(wasm.OpSelect)
}

// bound reduces the i32 on top of the stack to [0, b] with a remainder by
// the constant b+1 (which cannot trap).
func (f *fgen) bound(b uint32) {
	if b == math.MaxUint32 {
		return
	}
	f.i32Const(b + 1)
	f.op(wasm.OpI32RemU)
}

// boundedI32s pushes fresh i32 operands, the i-th reduced to [0, bounds[i]]
// when bounds[i] >= 0.
func (f *fgen) boundedI32s(bounds ...int64) {
	for _, b := range bounds {
		f.leaf(wasm.I32)
		if b >= 0 {
			f.bound(uint32(b))
		}
	}
}
