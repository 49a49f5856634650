package trace

import "github.com/refereevm/referee/wasm"

// PC is a program counter: the function index in its module and the byte
// offset of the instruction in the module's code section.
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
	PC     PC     // next instruction of this frame (for callers: the return point)
	Locals []Value
}

// Step executes exactly one instruction (see docs/step.md).
func (m *Machine) Step() (StepInfo, error) { return StepInfo{}, errNotRunning }

// PC returns the next instruction to execute.
func (m *Machine) PC() PC { return PC{} }

// Stack returns the value stack, bottom first, typed.
func (m *Machine) Stack() []Value { return nil }

// Frames returns the call frames, outermost first.
func (m *Machine) Frames() []Frame { return nil }
