package trace

import "github.com/refereevm/referee/wasm"

// PC is a program counter: the function index in its module and the byte
// offset of the instruction in the module's code section. A host function
// has Func == math.MaxUint32.
type PC struct {
	Func   uint32
	Offset uint32
}

// StepInfo describes one executed step.
type StepInfo struct {
	Step   uint64      // 1-based number of this step
	Func   uint32      // function index (module's index space) of the instruction
	Offset uint32      // byte offset of the instruction in the code section
	Op     wasm.Opcode // the Wasm opcode
	Top    Value       // top of the value stack after the step (Type==0 if empty)
	HasTop bool
}

// Frame is one call frame as seen by inspection.
type Frame struct {
	Func   uint32 // function index in its module
	Addr   uint32 // store address of the function
	PC     PC     // next instruction of this frame (for callers: the return point)
	Locals []Value
	// Blocks are the control frames open at PC, outermost first (the
	// function body itself is not listed). They are static: the compiler
	// resolved them, and Frames recomputes them from the code.
	Blocks []Block
}

// Block is an open block, loop or if (a control frame).
type Block struct {
	Op     wasm.Opcode // wasm.OpBlock, OpLoop or OpIf
	Offset uint32      // code-section offset of the instruction that opened it
	Height int         // operand-stack height (above the locals) below its params, in slots (a v128 takes two)
	Arity  int         // number of slots a branch to its label carries
}

// Step executes exactly one instruction (see docs/step.md). A guest trap
// is not an error: the machine moves to StatusTrapped and err == nil. err
// is non-nil only when no call is in progress.
func (m *Machine) Step() (StepInfo, error) {
	if m.status != StatusRunning || m.inHost || m.pendingHost || m.tracer != nil || m.outOfFuel() {
		return m.stepSlow()
	}
	// the common case: step1 without its branches, the top read inline
	fr := &m.frames[len(m.frames)-1]
	fc := fr.fn
	o := &fc.ops[fr.pc]
	fn, off, op := fc.index, o.offset, o.wasmOp()
	m.execGeneral(1) // every op; execFast would stop in front of a fused one
	var top Value
	hasTop := false
	if m.status == StatusRunning {
		fr := &m.frames[len(m.frames)-1]
		if m.sp > fr.fp+fr.fn.numLocals {
			if t := fr.fn.ops[fr.pc].top; t != wasm.V128 {
				top, hasTop = Value{Type: t, Bits: m.stack[m.sp-1]}, true
			} else {
				top, hasTop = V128(m.stack[m.sp-2], m.stack[m.sp-1]), true
			}
		}
	} else {
		top, hasTop = m.top()
	}
	return StepInfo{Step: m.steps, Func: fn, Offset: off, Op: op, Top: top, HasTop: hasTop}, nil
}

// stepSlow is Step outside its common case.
func (m *Machine) stepSlow() (StepInfo, error) {
	if m.status != StatusRunning {
		return StepInfo{}, errNotRunning
	}
	if m.inHost {
		return StepInfo{}, errInHost
	}
	info := m.step1()
	if m.tracer != nil {
		m.tracer(info)
	}
	return info, nil
}

// step1 executes one step and describes it. (The StepInfo is built in one
// literal at the end: filling a variable field by field made Go copy it
// through memory with a store-forwarding stall, the largest cost of Step.)
func (m *Machine) step1() StepInfo {
	var fn, off uint32
	var op wasm.Opcode
	if m.pendingHost {
		fn, op = hostFunc, wasm.OpCall
	} else {
		fr := &m.frames[len(m.frames)-1]
		o := &fr.fn.ops[fr.pc]
		fn, off, op = fr.fn.index, o.offset, o.wasmOp()
	}
	switch {
	case m.outOfFuel():
		m.fuelTrap()
	case m.pendingHost:
		m.exec(1)
	default:
		m.execGeneral(1) // every op; execFast would stop in front of a fused one
	}
	top, hasTop := m.top()
	return StepInfo{Step: m.steps, Func: fn, Offset: off, Op: op, Top: top, HasTop: hasTop}
}

// top returns the top of the running frame's operand stack (or the last
// result once the call is done).
func (m *Machine) top() (Value, bool) {
	switch m.status {
	case StatusRunning:
		if m.pendingHost {
			return Value{}, false
		}
		fr := &m.frames[len(m.frames)-1]
		if m.sp <= fr.fp+fr.fn.numLocals {
			return Value{}, false
		}
		if t := fr.fn.ops[fr.pc].top; t == wasm.V128 {
			return V128(m.stack[m.sp-2], m.stack[m.sp-1]), true
		} else {
			return Value{Type: t, Bits: m.stack[m.sp-1]}, true
		}
	case StatusDone:
		if n := len(m.results); n > 0 {
			return m.results[n-1], true
		}
	}
	return Value{}, false
}

// PC returns the next instruction to execute (while running), or the
// instruction that trapped (after a trap).
func (m *Machine) PC() PC {
	switch m.status {
	case StatusRunning:
		if m.pendingHost {
			return PC{Func: hostFunc}
		}
		fr := &m.frames[len(m.frames)-1]
		return PC{Func: fr.fn.index, Offset: fr.fn.ops[fr.pc].offset}
	case StatusTrapped:
		return PC{Func: m.trap.Func, Offset: m.trap.Offset}
	}
	return PC{}
}

// Stack returns the value stack, bottom first, typed: each frame's locals
// then its operands. After a call is done it holds the results.
func (m *Machine) Stack() []Value {
	switch m.status {
	case StatusDone:
		return m.Results()
	case StatusRunning:
	default:
		return nil
	}
	if m.pendingHost {
		f := &m.store.funcs[m.entry]
		return valuesOf(f.typ.Params, m.stack)
	}
	var out []Value
	for i := range m.frames {
		fr := &m.frames[i]
		out = append(out, slotValues(fr.fn.localTypes, m.stack[fr.fp:fr.fp+fr.fn.numLocals])...)
		end := m.sp
		if i+1 < len(m.frames) {
			end = m.frames[i+1].fp
		}
		types := m.operandTypes(i)
		base := fr.fp + fr.fn.numLocals
		if n := end - base; len(types) < n {
			types = append(append([]wasm.ValType(nil), types...), make([]wasm.ValType, n-len(types))...)
		}
		out = append(out, slotValues(types, m.stack[base:end])...)
	}
	return out
}

type opTypesKey struct {
	fn *funcCode
	pc int
}

// opInfo is the static state just before an op: the operand types and the
// open blocks.
type opInfo struct {
	types  []wasm.ValType
	blocks []Block
}

// infoAt returns the static state just before op pc of fn, replaying the
// compiler once per (function, pc) and caching the answer.
func (m *Machine) infoAt(fn *funcCode, pc int) *opInfo {
	k := opTypesKey{fn, pc}
	if in, ok := m.opTypes[k]; ok {
		return in
	}
	in := &opInfo{}
	if _, c, err := m.analyze(fn.inst, fn.codeIndex, pc); err == nil && c != nil {
		in.types = append([]wasm.ValType(nil), c.ts...)
		for _, b := range c.ctrls[1:] {
			in.blocks = append(in.blocks, Block{Op: b.kind, Offset: fn.ops[b.start].offset,
				Height: b.height, Arity: len(labelTypes(&b))})
		}
	}
	if m.opTypes == nil {
		m.opTypes = map[opTypesKey]*opInfo{}
	}
	m.opTypes[k] = in
	return in
}

// typesAt returns the static operand types just before op pc of fn.
func (m *Machine) typesAt(fn *funcCode, pc int) []wasm.ValType { return m.infoAt(fn, pc).types }

// operandTypes returns the static types of frame i's operand stack. For a
// caller frame these are the types below the callee's arguments.
func (m *Machine) operandTypes(i int) []wasm.ValType {
	fr := &m.frames[i]
	if i == len(m.frames)-1 {
		return m.typesAt(fr.fn, fr.pc)
	}
	call := &fr.fn.ops[fr.pc-1]
	ts := m.typesAt(fr.fn, fr.pc-1)
	var params int
	switch call.kind {
	case wasm.OpCall:
		params = slotCount(m.store.funcs[call.a].typ.Params) + 0
	case wasm.OpCallIndirect:
		params = slotCount(fr.fn.inst.mod.Types[call.b].Params) + 1
	}
	if params > len(ts) {
		return nil
	}
	return ts[:len(ts)-params]
}

// Frames returns the call frames, outermost first. After a trap it
// returns them as they stood when the instruction trapped (a backtrace: the
// innermost frame at the trapping instruction, or at the call of a host
// function that trapped, its locals as they were); none when the call's
// entry itself trapped. The post-mortem frames are not state: the
// commitment and snapshots of a trapped machine hold no frames.
func (m *Machine) Frames() []Frame {
	if m.status != StatusRunning && (m.status != StatusTrapped || m.trap.Func == hostFunc) {
		return nil
	}
	out := make([]Frame, len(m.frames))
	for i := range m.frames {
		fr := &m.frames[i]
		f := Frame{Func: fr.fn.index, Addr: fr.fn.addr, PC: PC{Func: fr.fn.index, Offset: fr.fn.ops[fr.pc].offset}}
		f.Locals = slotValues(fr.fn.localTypes, m.stack[fr.fp:fr.fp+fr.fn.numLocals])
		at := fr.pc
		if i+1 < len(m.frames) {
			at-- // a caller stands at its call, inside the same blocks
		}
		f.Blocks = m.infoAt(fr.fn, at).blocks
		out[i] = f
	}
	return out
}
