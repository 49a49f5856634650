package meter

import "github.com/refereevm/referee/wasm"

// dynamic emits a charge proportional to the i32 on top of the stack (the
// delta of memory.grow and table.grow, the length of the bulk operations),
// leaving the stack as it was:
//
//	local.set $n
//	local.get $n; i64.extend_i32_u; [i64.const 31; i64.add; i64.const 5; i64.shr_u]
//	i64.const perUnit; i64.mul; local.set $c
//	global.get $gas; local.get $c; i64.lt_u; br_if $oog
//	global.get $gas; local.get $c; i64.sub; global.set $gas
//	local.get $n
//
// words rounds the length up to 32-byte words first. The product is below
// 2^32 * MaxCost, so it cannot wrap. The charge is made whether or not the
// operation then fails or traps. nest is as for charge.
func (e *emitter) dynamic(perUnit uint64, words bool, nest uint32) {
	if perUnit == 0 {
		return
	}
	n := e.scratchLocal(wasm.I32)
	c := e.scratchLocal(wasm.I64)
	e.idx(wasm.OpLocalSet, n)
	e.idx(wasm.OpLocalGet, n)
	e.op(wasm.OpI64ExtendI32U)
	if words {
		e.i64(31)
		e.op(wasm.OpI64Add)
		e.i64(5)
		e.op(wasm.OpI64ShrU)
	}
	e.i64(perUnit)
	e.op(wasm.OpI64Mul)
	e.idx(wasm.OpLocalSet, c)
	e.idx(wasm.OpGlobalGet, e.g.gas)
	e.idx(wasm.OpLocalGet, c)
	e.op(wasm.OpI64LtU)
	e.brIf(nest + 1)
	e.idx(wasm.OpGlobalGet, e.g.gas)
	e.idx(wasm.OpLocalGet, c)
	e.op(wasm.OpI64Sub)
	e.idx(wasm.OpGlobalSet, e.g.gas)
	e.idx(wasm.OpLocalGet, n)
}
