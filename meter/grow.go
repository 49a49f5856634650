package meter

import "github.com/refereevm/referee/wasm"

// dynamic emits a charge proportional to the i32 on top of the stack (the
// delta of memory.grow and table.grow, the length of the bulk operations),
// leaving the stack as it was:
//
//	local.set $n
//	local.get $g
//	local.get $n; i64.extend_i32_u; [i64.const 31; i64.add; i64.const 5; i64.shr_u]
//	i64.const perUnit; i64.mul
//	i64.sub; local.tee $g; i64.const 0; i64.lt_s; br_if $oog
//	local.get $n
//
// words rounds the length up to 32-byte words first. The product is below
// 2^32 * MaxCost = 2^56, so it cannot wrap. The charge is made whether or
// not the operation then fails or traps. nest is as for charge.
func (e *emitter) dynamic(perUnit uint64, words bool, nest uint32) {
	if perUnit == 0 {
		return
	}
	n := e.scratchLocal(wasm.I32)
	e.idx(wasm.OpLocalSet, n)
	e.idx(wasm.OpLocalGet, e.gas)
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
	e.subCheck(nest)
	e.idx(wasm.OpLocalGet, n)
}

// bulkCap emits a check that the length on top of the stack (the i32 n of
// memory.copy, memory.init, table.copy, table.init) is at most max,
// leaving the stack as it was; a longer one traps with ExitBulkLimit before
// any charge:
//
//	local.tee $n; i32.const max; i32.gt_u
//	if; i32.const ExitBulkLimit; global.set $exit; unreachable; end
//	local.get $n
//
// max 0 emits nothing (no cap).
func (e *emitter) bulkCap(max uint32) {
	if max == 0 {
		return
	}
	n := e.scratchLocal(wasm.I32)
	e.idx(wasm.OpLocalTee, n)
	e.i32(max)
	e.op(wasm.OpI32GtU)
	e.ifEmpty()
	e.i32(ExitBulkLimit)
	e.idx(wasm.OpGlobalSet, e.g.exit)
	e.op(wasm.OpUnreachable)
	e.op(wasm.OpEnd)
	e.idx(wasm.OpLocalGet, n)
}
