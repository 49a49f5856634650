package meter

import "github.com/refereevm/referee/wasm"

// The call-depth counter. A function that contains a call is rewritten to
//
//	global.get $depth; i32.const MaxCallDepth-w; i32.gt_u
//	if  i32.const 2; global.set $exit; unreachable  end
//	global.get $depth; i32.const w; i32.add; global.set $depth
//	block (result <the function's results>)
//	  <the original body; its final end closes this block>
//	global.get $depth; i32.const 1; i32.sub; global.set $depth
//	end
//
// with the same decrement before every return. w = 1 + (params+locals) /
// FrameSlots is the frame's weight; a function heavier than MaxCallDepth
// traps whenever it is called. The wrapper block catches
// every branch to the function's own label (br, br_if, br_table): such a
// branch has the same relative depth in the new body and now lands on the
// block's end, just before the decrement. A trap needs no decrement: it ends
// the transaction, and the host resets referee_depth before the next one.

// frameWeight returns the depth units of a frame with the given number of
// params and declared locals.
func frameWeight(slots uint64) uint64 { return 1 + slots/FrameSlots }

// enter emits the depth check and increment at function entry.
func (e *emitter) enter() {
	if e.weight > uint64(e.o.MaxCallDepth) {
		e.trap(ExitCallDepth, false)
		return
	}
	e.idx(wasm.OpGlobalGet, e.g.depth)
	e.i32(e.o.MaxCallDepth - uint32(e.weight))
	e.op(wasm.OpI32GtU)
	e.ifEmpty()
	e.trap(ExitCallDepth, false)
	e.op(wasm.OpEnd)
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
