package meter

import "github.com/refereevm/referee/wasm"

// The call-depth counter. A function that contains a call checks and
// raises referee_depth on entry, inside the exit blocks and outside $body
// (instrumentFunc):
//
//	global.get $depth; i32.const MaxCallDepth-w; i32.gt_u; br_if $depth
//	global.get $depth; i32.const w; i32.add; global.set $depth
//
// and lowers it on leaving, after $body's end and before every return:
//
//	global.get $depth; i32.const w; i32.sub; global.set $depth
//
// Every branch to the function's own label lands on $body's end, just before
// the decrement. A trap needs no decrement: it ends the transaction, and the
// host resets referee_depth before the next one. w = 1 + (params + locals
// + operand height + FrameOverhead) / FrameSlots is the frame's weight (the
// operand height from wasm.OperandHeights); a function heavier than
// MaxCallDepth traps whenever it is called.

// frameWeight returns the depth units of a frame of the given slots:
// params, declared locals, the most operand-stack values and the
// instrumentation's FrameOverhead.
func frameWeight(slots uint64) uint64 { return 1 + slots/FrameSlots }

// enter emits the depth check and increment at function entry, inside
// $oog (label 0) and $depth (label 1).
func (e *emitter) enter() {
	if e.weight > uint64(e.o.MaxCallDepth) {
		e.idx(wasm.OpBr, 1)
		return
	}
	e.idx(wasm.OpGlobalGet, e.g.depth)
	e.i32(e.o.MaxCallDepth - uint32(e.weight))
	e.op(wasm.OpI32GtU)
	e.brIf(1)
	e.idx(wasm.OpGlobalGet, e.g.depth)
	e.i32(uint32(e.weight))
	e.op(wasm.OpI32Add)
	e.idx(wasm.OpGlobalSet, e.g.depth)
}

// leave emits the depth decrement before a return path.
func (e *emitter) leave() {
	e.idx(wasm.OpGlobalGet, e.g.depth)
	e.i32(uint32(e.weight))
	e.op(wasm.OpI32Sub)
	e.idx(wasm.OpGlobalSet, e.g.depth)
}
