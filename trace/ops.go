package trace

import "github.com/refereevm/referee/wasm"

// op is one compiled Wasm instruction. Ops are 1:1 with the instructions of
// a function body, in order, so the op index is an instruction counter and
// kind is the Wasm opcode itself (traces show familiar numbers).
//
// Field use by kind (all other fields are zero):
//
//	nop, block, loop, end  b = number of no-op ops (these four kinds) that
//	           directly follow; exec may retire them in the same dispatch
//	end        the function-final end has kind opEndReturn instead
//	if         a = op index to continue at when the condition is false
//	           (the op after else, or the op after end)
//	else       a = op index after the matching end
//	br, br_if  a = target op index, b = arity n (values kept),
//	           c = number of values dropped below the kept ones; a branch to
//	           the function's label has kind opBrReturn or opBrIfReturn
//	br_table   a = first entry in funcCode.brTargets, b = number of entries
//	           (labels then the default); pc == retTarget returns
//	call       a = store address of the callee
//	call_indirect  a = store address of the table, b = type index in the
//	           module, c = its Machine.typeID
//	local.*    a = the local's first slot (params first; a v128 local
//	           takes two slots, so for a function without v128 locals this
//	           is the local index)
//	global.*   a = store address of the global
//	table.get/set/size/grow/fill  a = store address of the table
//	table.init a = store address of the table, b = element segment index
//	table.copy a = store address of the destination table, b = of the source
//	elem.drop  b = element segment index
//	memory.init, data.drop  b = data segment index
//	loads, stores  c = the memarg offset
//	*.const    c = the value's bits (i32/f32 zero-extended)
//	ref.func   c = store address of the function + 1
//	0xFDnn     vector instruction nn (kind 0xFD00|nn): memory ops c = the
//	           memarg offset, a = the lane; extract/replace_lane a = the
//	           lane; v128.const and i8x16.shuffle c = bytes 0..7 of the
//	           immediate (little-endian), a = bytes 8..11, b = bytes 12..15
//	branches, calls, returns count slots (a v128 takes two)
type op struct {
	kind wasm.Opcode
	// top is the type of the operand-stack top just before this op (0 if
	// the frame's operand stack is empty). It depends only on the op's
	// position, so after any step the type of the top is code[pc].top.
	top    wasm.ValType
	offset uint32 // byte offset of the instruction in the code section
	a, b   uint32
	c      uint64
}

// Internal op kinds, for instructions whose behaviour the compiler
// specialises; wasmOp maps them back to the Wasm opcode for traces. They
// use single-byte values that Wasm 2.0 leaves unassigned, so that every op
// the main loop handles has a kind below 0x100 and its switch compiles to
// one jump table.
const (
	opEndReturn  wasm.Opcode = 0x06 + iota // the function-final end: returns
	opBrReturn                             // br to the function's label: returns
	opBrIfReturn                           // br_if to the function's label: pops i32, returns if non-zero
)

// Internal kinds of the parametric and variable instructions on a v128,
// which moves two slots (trace/exec_simd.go). The local and global ones
// keep the order of their Wasm opcodes (get, set, tee; get, set).
const (
	opDropV128      wasm.Opcode = 0x12 + iota // drop of a v128
	opSelectV128                              // select of two v128
	opLocalGetV128                            // local.get of a v128 local (a = its first slot)
	opLocalSetV128                            // local.set of a v128 local
	opLocalTeeV128                            // local.tee of a v128 local
	opGlobalGetV128                           // global.get of a v128 global
	opGlobalSetV128                           // global.set of a v128 global
)

// retTarget as a brTarget.pc means the branch returns from the function.
const retTarget = ^uint32(0)

// wasmOp returns the Wasm opcode of o.
func (o *op) wasmOp() wasm.Opcode {
	switch o.kind {
	case opEndReturn:
		return wasm.OpEnd
	case opBrReturn:
		return wasm.OpBr
	case opBrIfReturn:
		return wasm.OpBrIf
	case opDropV128:
		return wasm.OpDrop
	case opSelectV128:
		return wasm.OpSelect
	case opLocalGetV128, opLocalSetV128, opLocalTeeV128:
		return o.kind - opLocalGetV128 + wasm.OpLocalGet
	case opGlobalGetV128, opGlobalSetV128:
		return o.kind - opGlobalGetV128 + wasm.OpGlobalGet
	}
	return o.kind
}

// brTarget is one resolved branch of a br_table: continue at op index pc,
// keeping the top n values and dropping drop values below them.
type brTarget struct {
	pc, n, drop uint32
}
