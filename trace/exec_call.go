package trace

import (
	"errors"
	"fmt"
	"math"

	"github.com/refereevm/referee/wasm"
)

// Call starts a call to function fn with args; the machine becomes
// StatusRunning. Calling a Wasm function pushes its frame without a step
// (the first step is the callee's first instruction); calling a host
// function makes the next step run it.
func (m *Machine) Call(fn Extern, args []Value) error {
	if m.status == StatusRunning || m.inHost {
		return errors.New("call: a call is already in progress")
	}
	if fn.Kind != wasm.ExternFunc || int(fn.Addr) >= len(m.store.funcs) {
		return fmt.Errorf("call: %v is not a function", fn)
	}
	f := &m.store.funcs[fn.Addr]
	if len(args) != len(f.typ.Params) {
		return fmt.Errorf("call: function takes %d arguments, got %d", len(f.typ.Params), len(args))
	}
	for i, a := range args {
		if a.Type != f.typ.Params[i] {
			return fmt.Errorf("call: argument %d is %s, want %s", i, a.Type, f.typ.Params[i])
		}
		if !m.validRef(a) {
			return fmt.Errorf("call: argument %d: %v is not a function in the store", i, a)
		}
	}
	m.frames = m.frames[:0]
	m.sp = 0
	m.results = nil
	m.trap = Trap{}
	m.hostErr = nil
	m.entry = fn.Addr
	m.pendingHost = false
	nargs := slotCount(f.typ.Params)
	if len(m.stack) < nargs {
		// Never more than the limit (unless the arguments alone exceed it,
		// which enter then traps): the fast paths check frames against
		// len(m.stack), so the slice must not outgrow MaxStackValues.
		m.stack = make([]uint64, max(nargs, min(64, m.cfg.MaxStackValues)))
	}
	k := 0
	for _, a := range args {
		for _, b := range appendSlots(nil, a) {
			m.stack[k] = b
			k++
		}
	}
	m.sp = nargs
	m.status = StatusRunning
	if f.code == nil {
		m.pendingHost = true
		return nil
	}
	if tk := m.enter(f.code, m.sp); tk != TrapNone {
		m.setTrap(tk, f.code.index, f.code.ops[0].offset)
		return nil
	}
	m.sp = m.frames[0].fp + f.code.numLocals
	return nil
}

// validRef reports whether v, if a funcref, is null or names a function
// in the store (host code could otherwise smuggle in a bad address).
func (m *Machine) validRef(v Value) bool {
	return v.Type != wasm.FuncRef || v.Bits == 0 || v.Bits-1 < uint64(len(m.store.funcs))
}

// normBits returns v's bits with the high half cleared for 32-bit types.
func normBits(v Value) uint64 {
	if v.Type == wasm.I32 || v.Type == wasm.F32 {
		return uint64(uint32(v.Bits))
	}
	return v.Bits
}

// enter pushes a frame for callee whose params are the top of the stack
// at sp: it checks the call-depth and value-stack limits, grows the stack
// if needed and zeroes the declared locals. The caller sets sp to
// fp + numLocals.
func (m *Machine) enter(callee *funcCode, sp int) TrapKind {
	if len(m.frames) >= m.cfg.MaxCallDepth {
		return TrapCallStackExhausted
	}
	fp := sp - callee.numParams
	need := fp + callee.frameSize
	// The limit is checked even when the slice is already big enough: the
	// slice's length is an allocation detail (Call starts with 64 slots),
	// the limit is the configuration's, and the proof verifier uses it.
	if need > m.cfg.MaxStackValues {
		return TrapValueStackExhausted
	}
	if need > len(m.stack) {
		n := max(2*len(m.stack), need, 1024)
		n = min(n, m.cfg.MaxStackValues)
		ns := make([]uint64, n)
		copy(ns, m.stack[:sp])
		m.stack = ns
	}
	clear(m.stack[sp : fp+callee.numLocals])
	m.frames = append(m.frames, frame{fn: callee, pc: 0, fp: fp})
	return TrapNone
}

// callHost runs host function f (store address addr) on the top of the
// stack at sp and pushes its results; it returns the new sp. done is the
// number of steps exec has run but not yet added to m.steps: it is added
// for the duration of the host call so that host code sees a current
// Steps(). Under replay the tape's next entry stands for the call.
func (m *Machine) callHost(addr uint32, f *funcInst, sp int, done uint64) (int, TrapKind) {
	n := slotCount(f.typ.Params)
	if m.host == hostReplay {
		sp -= n
		m.sp = sp
		res, tk := m.hostReplay(addr, f)
		if tk != TrapNone {
			return sp, tk
		}
		for _, r := range res {
			m.stack[sp] = r
			sp++
		}
		return sp, TrapNone
	}
	args := appendValues(m.hostArgs[:0], f.typ.Params, m.stack[sp-n:sp])
	m.hostArgs = args[:0]
	sp -= n
	m.sp = sp
	m.steps += done
	res, err := m.runHost(addr, f, args)
	m.steps -= done
	tk := m.hostResult(f, res, err)
	m.recordOutcome(tk, res)
	if tk != TrapNone {
		return sp, tk
	}
	for _, r := range res {
		for _, b := range appendSlots(nil, r) {
			m.stack[sp] = b
			sp++
		}
	}
	return sp, TrapNone
}

// hostResult checks a host function's outcome: a *Trap error becomes its
// kind, any other error or ill-typed results trap as unreachable (the
// error is kept in hostErr).
func (m *Machine) hostResult(f *funcInst, res []Value, err error) TrapKind {
	if err != nil {
		var t *Trap
		if errors.As(err, &t) && t.Kind != TrapNone {
			return t.Kind
		}
		m.hostErr = err
		return TrapUnreachable
	}
	if len(res) != len(f.typ.Results) {
		m.hostErr = fmt.Errorf("host function returned %d results, want %d", len(res), len(f.typ.Results))
		return TrapUnreachable
	}
	for i, r := range res {
		if r.Type != f.typ.Results[i] || !m.validRef(r) || r.Type != wasm.V128 && r.Hi != 0 {
			m.hostErr = fmt.Errorf("host function result %d is %v, want a %s", i, r, f.typ.Results[i])
			return TrapUnreachable
		}
	}
	return TrapNone
}

// runEntryHost is the one step of a call whose entry is a host function.
func (m *Machine) runEntryHost() {
	m.pendingHost = false
	f := &m.store.funcs[m.entry]
	if m.host == hostReplay {
		res, tk := m.hostReplay(m.entry, f)
		m.sp = 0
		if tk != TrapNone {
			m.setTrap(tk, hostFunc, 0)
			return
		}
		for _, r := range res {
			m.stack[m.sp] = r
			m.sp++
		}
		m.finish()
		return
	}
	args := valuesOf(f.typ.Params, m.stack)
	res, err := m.runHost(m.entry, f, args)
	tk := m.hostResult(f, res, err)
	m.recordOutcome(tk, res)
	if tk != TrapNone {
		m.sp = 0
		m.setTrap(tk, hostFunc, 0)
		return
	}
	m.sp = 0
	for _, r := range res {
		for _, b := range appendSlots(nil, r) {
			m.stack[m.sp] = b
			m.sp++
		}
	}
	m.finish()
}

// hostFunc is the PC.Func reported for a host function.
const hostFunc = math.MaxUint32

// finish ends the call: the results are stack[:sp].
func (m *Machine) finish() {
	f := &m.store.funcs[m.entry]
	m.results = valuesOf(f.typ.Results, m.stack)
	m.status = StatusDone
}

// setTrap ends the call with a trap at the given instruction.
func (m *Machine) setTrap(k TrapKind, fn, offset uint32) {
	m.status = StatusTrapped
	m.trap = Trap{Kind: k, Func: fn, Offset: offset, Step: m.steps}
}

// HostError returns the error of the host function that ended the last
// call, if any.
func (m *Machine) HostError() error { return m.hostErr }

// fuelTrap is the step taken when the step limit is reached: it executes
// nothing and traps with TrapStepLimit at the next instruction.
func (m *Machine) fuelTrap() {
	m.steps++
	pc := m.PC()
	m.setTrap(TrapStepLimit, pc.Func, pc.Offset)
}

// outOfFuel reports whether the step limit forbids another instruction.
func (m *Machine) outOfFuel() bool {
	return m.cfg.MaxSteps != 0 && m.steps >= m.cfg.MaxSteps
}

// Run executes until the call returns, traps, or limit more steps ran
// (0 = no limit beyond Config.MaxSteps). It has the same semantics as
// repeated Step; with a tracer set it is repeated Step.
func (m *Machine) Run(limit uint64) (Status, error) {
	if m.status != StatusRunning {
		return m.status, errNotRunning
	}
	if m.inHost {
		return m.status, errInHost
	}
	if m.tracer != nil {
		for i := uint64(0); m.status == StatusRunning && (limit == 0 || i < limit); i++ {
			m.tracer(m.step1())
		}
		return m.status, nil
	}
	target := uint64(math.MaxUint64)
	if limit != 0 && m.steps <= math.MaxUint64-limit {
		target = m.steps + limit
	}
	for m.status == StatusRunning && m.steps < target {
		budget := target - m.steps
		if m.cfg.MaxSteps != 0 {
			if m.steps >= m.cfg.MaxSteps {
				m.fuelTrap()
				break
			}
			budget = min(budget, m.cfg.MaxSteps-m.steps)
		}
		m.exec(budget)
	}
	return m.status, nil
}
