package trace

import (
	"errors"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Status is the run state of a machine.
type Status uint8

// Machine states.
const (
	StatusIdle    Status = iota // no call in progress
	StatusRunning               // a call is in progress (Step/Run continue it)
	StatusDone                  // the last call returned; Results holds its values
	StatusTrapped               // the last call trapped; TrapKind says why
)

// String names the status ("idle", "running", "done", "trapped").
func (s Status) String() string {
	switch s {
	case StatusIdle:
		return "idle"
	case StatusRunning:
		return "running"
	case StatusDone:
		return "done"
	case StatusTrapped:
		return "trapped"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Default limits of Config.
const (
	DefaultMaxStackValues = 1 << 20
	DefaultMaxCallDepth   = 10000
	DefaultMaxMemoryPages = 65536
	DefaultMaxTableElems  = 1 << 20
)

// Config holds the deterministic limits of a machine. Zero fields take
// their defaults.
type Config struct {
	MaxSteps       uint64 // fuel: total steps before TrapStepLimit; 0 = unlimited
	MaxStackValues int    // value-stack slots; 0 = DefaultMaxStackValues
	MaxCallDepth   int    // frames; 0 = DefaultMaxCallDepth
	MaxMemoryPages uint32 // cap on any memory in 64 KiB pages; 0 = 65536
	MaxTableElems  uint32 // cap on any table's size in elements; 0 = DefaultMaxTableElems
}

// errNotRunning is returned by Step and Run when no call is in progress.
var errNotRunning = errors.New("machine is not running")

// errInHost is returned by Step and Run called from inside a host function.
var errInHost = errors.New("machine is running a host function")

// Machine is the reference machine: a store of functions, tables,
// memories and globals shared by the instances created in it, plus the
// state of at most one call in progress (value stack, call frames, step
// counter). All of its state is listed in the struct and the types it
// points to; see docs/step.md.
type Machine struct {
	cfg Config

	// store holds every function, table, memory and global ever allocated
	// (by Instantiate, AddHostFunc and RegisterSpectest), by address.
	store store
	// registered maps an import module name to the instance Register gave.
	// It is only looked up, never iterated.
	registered map[string]*Instance

	// status of the current (or last) call.
	status Status
	// stack is the value stack: one uint64 per value (i32/f32 zero-extended,
	// references as in Value.Bits). Each frame's locals (params first) start
	// at its fp; its operands follow. Only stack[:sp] is meaningful.
	stack []uint64
	sp    int
	// frames are the active call frames, outermost first; the last one is
	// the running function. Its pc is the index of the next op to execute.
	frames []frame
	// steps counts every step executed by this machine since NewMachine.
	steps uint64
	// entry is the store address of the function the current call started.
	entry uint32
	// pendingHost is set when Call targeted a host function: the next step
	// runs it.
	pendingHost bool
	// trap describes the trap when status == StatusTrapped.
	trap Trap
	// results holds the results when status == StatusDone.
	results []Value

	// tracer, if set, is called after every step.
	tracer func(StepInfo)
	// opTypes caches the operand types and open blocks at (function, op
	// index), computed by replaying the compiler for Stack() and Frames();
	// only looked up, never iterated,
	// and not part of the machine's state.
	opTypes map[opTypesKey]*opInfo
	// typeIDs numbers the distinct function types seen (see
	// funcInst.typeID); only looked up, never iterated.
	typeIDs map[string]uint32
	// hostArgs is scratch space for host calls.
	hostArgs []Value
	// inHost is set while a host function runs: it may inspect the
	// machine but not run it.
	inHost bool
	// hostErr is the error of a host function that ended the call.
	hostErr error

	// host says whether host functions run live, are recorded, or are
	// replayed from tape (trace/host_tape.go). In replay mode the tape and
	// hostCursor (entries taken) are state, and committed.
	host       hostMode
	tape       HostTape
	hostCursor uint64
	// tapeGen changes whenever tape is replaced, so that a Committer
	// rebuilds its tape tree; not state.
	tapeGen uint64
	// pendingEffect is the effect of the host call being recorded.
	pendingEffect HostEffect
}

// frame is one activation of a compiled (Wasm) function.
type frame struct {
	fn *funcCode // the function running in this frame
	pc int       // index in fn.ops of the next op to execute
	fp int       // index in Machine.stack of local 0
}

// NewMachine returns an empty machine with the limits in cfg.
func NewMachine(cfg Config) *Machine {
	if cfg.MaxStackValues <= 0 {
		cfg.MaxStackValues = DefaultMaxStackValues
	}
	if cfg.MaxCallDepth <= 0 {
		cfg.MaxCallDepth = DefaultMaxCallDepth
	}
	if cfg.MaxMemoryPages == 0 || cfg.MaxMemoryPages > DefaultMaxMemoryPages {
		cfg.MaxMemoryPages = DefaultMaxMemoryPages
	}
	if cfg.MaxTableElems == 0 {
		cfg.MaxTableElems = DefaultMaxTableElems
	}
	return &Machine{cfg: cfg, registered: map[string]*Instance{}, typeIDs: map[string]uint32{}}
}

// typeID returns the number of function type t among the distinct types
// this machine has seen, assigning the next number to a new one.
func (m *Machine) typeID(t wasm.FuncType) uint32 {
	k := make([]byte, 0, len(t.Params)+len(t.Results)+1)
	for _, p := range t.Params {
		k = append(k, byte(p))
	}
	k = append(k, 0)
	for _, r := range t.Results {
		k = append(k, byte(r))
	}
	id, ok := m.typeIDs[string(k)]
	if !ok {
		id = uint32(len(m.typeIDs))
		m.typeIDs[string(k)] = id
	}
	return id
}

// Config returns the machine's limits (with defaults filled in).
func (m *Machine) Config() Config { return m.cfg }

// Status returns the state of the current or last call.
func (m *Machine) Status() Status { return m.status }

// Results returns the results of the last call (after StatusDone).
func (m *Machine) Results() []Value {
	if m.status != StatusDone {
		return nil
	}
	return append([]Value(nil), m.results...)
}

// TrapKind returns the trap of the last call (after StatusTrapped).
func (m *Machine) TrapKind() TrapKind {
	if m.status != StatusTrapped {
		return TrapNone
	}
	return m.trap.Kind
}

// Trap returns the trap of the last call, or nil if it did not trap.
func (m *Machine) Trap() *Trap {
	if m.status != StatusTrapped {
		return nil
	}
	t := m.trap
	return &t
}

// Steps returns the total number of steps this machine executed.
func (m *Machine) Steps() uint64 { return m.steps }

// SetTracer installs f to be called after every step, in Step and Run
// alike; nil turns tracing off.
func (m *Machine) SetTracer(f func(StepInfo)) { m.tracer = f }

// Invoke calls the export named export of inst with args, runs it to
// completion and returns its results, or a *Trap.
func (m *Machine) Invoke(inst *Instance, export string, args []Value) ([]Value, error) {
	ex, ok := inst.Export(export)
	if !ok || ex.Kind != wasm.ExternFunc {
		return nil, fmt.Errorf("invoke %q: no exported function with that name", export)
	}
	if err := m.Call(ex, args); err != nil {
		return nil, fmt.Errorf("invoke %q: %w", export, err)
	}
	st := m.status // Call may already have trapped (entry frame over a limit)
	if st == StatusRunning {
		var err error
		if st, err = m.Run(0); err != nil {
			return nil, fmt.Errorf("invoke %q: %w", export, err)
		}
	}
	switch st {
	case StatusDone:
		return m.Results(), nil
	case StatusTrapped:
		return nil, m.Trap()
	}
	return nil, fmt.Errorf("BUG: invoke %q: run ended in status %s", export, st)
}
