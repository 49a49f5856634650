package trace

import (
	"errors"
	"fmt"
	"math"
)

// Host tapes (docs/state-commitment.md §11, docs/RATIONALE.md "Why host
// calls are proven from a committed tape").
//
// A host function is Go code: no verifier can re-run it. Its effect on the
// machine is therefore made an input, committed up front: a HostTape lists,
// for every host call of a run in order, what the call did (HostEffect).
// A machine records the tape of a run (RecordHost: host functions run as
// usual and each call's effect is appended), and a fresh machine replays
// it (ReplayHost: each host call applies the next entry instead of running
// the Go function). Only a replaying machine commits its tape and can
// prove its host-call steps.
//
// A host function affects the machine only through its results, its error
// (a *Trap, or any other error as TrapUnreachable) and writes to memories
// with (*Memory).Write or SetPage, which a recording machine captures; it
// cannot reach the store in any other way (tables and globals have no
// setter, Page returns a copy during a recorded host call, and allocating in the store or instantiating
// from a host function is refused).

// HostWrite is one write a host function made to a memory.
type HostWrite struct {
	Mem  uint32 // store address of the memory
	Addr uint32 // byte address of the first byte written
	Data []byte // the bytes written
}

// HostEffect is what one host call did: the function called, then either
// its results or its trap, and the memory writes it made, in order. The
// writes come first: a host function that writes memory and then traps
// leaves its writes in memory, as when it runs live.
type HostEffect struct {
	Func    uint32   // store address of the host function called
	Results []uint64 // result slots (Value.Bits, 32-bit types zero-extended; a v128 is two: Bits, Hi); none if Trap != TrapNone
	Trap    TrapKind // TrapNone, or the kind the call trapped with
	Writes  []HostWrite
	// Err is the text of the host function's error when it trapped with
	// an error that is not a *Trap (Machine.HostError), for people. It is
	// not committed: a replaying machine reports it as its HostError.
	Err string
}

// HostTape is the ordered list of a run's host calls.
type HostTape []HostEffect

// Clone returns a deep copy of the tape.
func (t HostTape) Clone() HostTape {
	if t == nil {
		return nil
	}
	out := make(HostTape, len(t))
	for i, e := range t {
		e.Results = append([]uint64(nil), e.Results...)
		ws := make([]HostWrite, len(e.Writes))
		for j, w := range e.Writes {
			w.Data = append([]byte(nil), w.Data...)
			ws[j] = w
		}
		if e.Writes == nil {
			ws = nil
		}
		e.Writes = ws
		out[i] = e
	}
	return out
}

// MaxHostTape is the most entries a tape may have (its count is committed
// as a u32).
const MaxHostTape = math.MaxUint32

// hostMode says how host calls run.
type hostMode uint8

const (
	hostLive   hostMode = iota // host functions run; nothing is kept (not provable)
	hostRecord                 // host functions run; each effect is appended to the tape
	hostReplay                 // host calls apply the tape's entries; no Go code runs
)

// ErrHostTape is wrapped by ReplayHost's and RecordHost's errors.
var ErrHostTape = errors.New("host tape")

// RecordHost makes the machine record its host calls: host functions run
// as usual, and the effect of each one (results or trap, memory writes) is
// appended to the tape that HostTape returns. It starts a new, empty tape.
// Recording is not committed: a recording machine's root is that of a
// machine whose host functions run live, and its host-call steps are not
// provable; replay the recorded tape on a fresh machine to prove them.
func (m *Machine) RecordHost() error {
	if m.status == StatusRunning || m.inHost {
		return fmt.Errorf("%w: record: a call is in progress", ErrHostTape)
	}
	m.host = hostRecord
	m.tape = HostTape{}
	m.hostCursor = 0
	m.tapeGen++
	return nil
}

// ReplayHost makes every later host call apply the next entry of tape
// instead of running the host function (docs/state-commitment.md §11). The
// tape and the number of entries taken (HostCalls) become part of the
// state root, and host-call steps become provable. Call it before the call
// whose host calls the tape recorded (typically on a fresh machine with
// the same store, before the first call of the run that was recorded).
//
// It checks what the state commitment cannot express, so that no machine
// commits a tape it could not replay faithfully: every entry must name a
// host function in the store, have a trap kind the machine knows, and,
// when it does not trap with as many results as the function has, results
// valid for the function's result types (32-bit types zero-extended, a
// funcref null or a function in the store). Entries that name another
// function than the one called, carry the wrong number of results, or
// write out of bounds are valid tapes: the call traps (see hostReplay).
func (m *Machine) ReplayHost(tape HostTape) error {
	if m.status == StatusRunning || m.inHost {
		return fmt.Errorf("%w: replay: a call is in progress", ErrHostTape)
	}
	if err := m.checkTape(tape); err != nil {
		return err
	}
	m.host = hostReplay
	m.tape = tape.Clone()
	if m.tape == nil {
		m.tape = HostTape{}
	}
	m.hostCursor = 0
	m.tapeGen++
	return nil
}

// LiveHost makes host functions run live again, dropping any tape.
func (m *Machine) LiveHost() error {
	if m.status == StatusRunning || m.inHost {
		return fmt.Errorf("%w: live: a call is in progress", ErrHostTape)
	}
	m.host = hostLive
	m.tape = nil
	m.hostCursor = 0
	m.tapeGen++
	return nil
}

// HostTape returns a copy of the machine's tape: the one being recorded,
// or the one being replayed; nil when host functions run live.
func (m *Machine) HostTape() HostTape { return m.tape.Clone() }

// HostCalls returns the number of host calls taken from the tape being
// replayed (the committed cursor), or recorded so far; 0 when host
// functions run live.
func (m *Machine) HostCalls() uint64 { return m.hostCursor }

// Replaying reports whether host calls replay a tape.
func (m *Machine) Replaying() bool { return m.host == hostReplay }

// Recording reports whether host calls are being recorded.
func (m *Machine) Recording() bool { return m.host == hostRecord }

// runHost runs host function f (store address addr) on args, live or
// recording; res and err are what it returned.
func (m *Machine) runHost(addr uint32, f *funcInst, args []Value) (res []Value, err error) {
	if m.host != hostRecord {
		m.inHost = true
		res, err = f.host(m, args)
		m.inHost = false
		return res, err
	}
	e := &HostEffect{Func: addr}
	for i, mm := range m.store.mems {
		mm.rec, mm.addr = e, uint32(i)
	}
	defer func() { // also if the host function panics
		m.inHost = false
		for _, mm := range m.store.mems {
			mm.rec = nil
		}
	}()
	m.inHost = true
	res, err = f.host(m, args)
	m.pendingEffect = *e
	return res, err
}

// recordOutcome completes the effect of the host call runHost recorded
// with its outcome (tk, and the results when tk is TrapNone) and appends
// it to the tape.
func (m *Machine) recordOutcome(tk TrapKind, res []Value) {
	if m.host != hostRecord {
		return
	}
	e := m.pendingEffect
	m.pendingEffect = HostEffect{}
	e.Trap = tk
	if tk == TrapNone {
		e.Results = make([]uint64, 0, len(res))
		for _, r := range res {
			e.Results = appendSlots(e.Results, r)
		}
	} else if m.hostErr != nil {
		e.Err = m.hostErr.Error()
	}
	m.tape = append(m.tape, e)
	m.hostCursor++
}

// noteWrite records a write a host function made to memory mm.
func (mm *Memory) noteWrite(addr uint64, src []byte) {
	if mm.rec == nil || len(src) == 0 {
		return
	}
	mm.rec.Writes = append(mm.rec.Writes, HostWrite{Mem: mm.addr, Addr: uint32(addr), Data: append([]byte(nil), src...)})
}

// hostReplay is a host call of function addr (type ft results) under
// replay: it takes entry HostCalls() of the tape and applies it. The
// outcome is defined for every entry (docs/state-commitment.md §11):
//
//   - the tape is exhausted: trap unreachable, the cursor stays at the
//     tape's length;
//   - otherwise the entry is taken (the cursor advances) and, if it names
//     another function, carries results although it traps, carries a
//     number of results other than the function's although it does not
//     trap, or has a write to a memory not in the store or past its size:
//     trap unreachable, and none of its writes is applied;
//   - otherwise its writes are applied in order, then it traps with its
//     trap kind, or returns its results.
//
// The Go host function is not called. dispute.Verify computes the same.
func (m *Machine) hostReplay(addr uint32, f *funcInst) ([]uint64, TrapKind) {
	if m.hostCursor >= uint64(len(m.tape)) {
		m.hostErr = fmt.Errorf("host tape exhausted: host call %d of function %d, the tape has %d entries", m.hostCursor, addr, len(m.tape))
		return nil, TrapUnreachable
	}
	i := m.hostCursor
	m.hostCursor++
	e := &m.tape[i]
	if err := m.checkEffect(e, addr, f); err != nil {
		m.hostErr = fmt.Errorf("host tape entry %d: %w", i, err)
		return nil, TrapUnreachable
	}
	for _, w := range e.Writes {
		m.store.mems[w.Mem].write(uint64(w.Addr), w.Data)
	}
	if e.Trap != TrapNone {
		if e.Err != "" {
			m.hostErr = errors.New(e.Err)
		}
		return nil, e.Trap
	}
	return e.Results, TrapNone
}

// checkEffect reports why entry e cannot be applied to a call of function
// addr, or nil: checkCall, then every write's memory and bounds.
func (m *Machine) checkEffect(e *HostEffect, addr uint32, f *funcInst) error {
	if err := checkCall(e, addr, f); err != nil {
		return err
	}
	for j, w := range e.Writes {
		if uint64(w.Mem) >= uint64(len(m.store.mems)) {
			return fmt.Errorf("write %d: no memory %d", j, w.Mem)
		}
		if !m.store.mems[w.Mem].inBounds(uint64(w.Addr), uint64(len(w.Data))) {
			return fmt.Errorf("write %d: %d bytes at %#x past the size of memory %d", j, len(w.Data), w.Addr, w.Mem)
		}
	}
	return nil
}

// checkCall reports why entry e does not stand for a call of function addr
// (f): it names another function, or carries results although it traps, or
// another number of results than f returns although it does not trap.
func checkCall(e *HostEffect, addr uint32, f *funcInst) error {
	if e.Func != addr {
		return fmt.Errorf("recorded a call of function %d, not %d", e.Func, addr)
	}
	if e.Trap != TrapNone && len(e.Results) != 0 {
		return fmt.Errorf("traps (%s) but has %d results", e.Trap, len(e.Results))
	}
	if n := slotCount(f.typ.Results); e.Trap == TrapNone && len(e.Results) != n {
		return fmt.Errorf("has %d result slots, function %d returns %d", len(e.Results), addr, n)
	}
	return nil
}

// checkTape checks tape as ReplayHost documents.
func (m *Machine) checkTape(tape HostTape) error {
	if uint64(len(tape)) > MaxHostTape {
		return fmt.Errorf("%w: %d entries, at most %d", ErrHostTape, len(tape), uint64(MaxHostTape))
	}
	for i := range tape {
		e := &tape[i]
		if uint64(e.Func) >= uint64(len(m.store.funcs)) || m.store.funcs[e.Func].host == nil {
			return fmt.Errorf("%w: entry %d: function %d is not a host function in the store", ErrHostTape, i, e.Func)
		}
		if int(e.Trap) >= len(trapText) {
			return fmt.Errorf("%w: entry %d: trap kind %d", ErrHostTape, i, e.Trap)
		}
		rt := slotTypes(m.store.funcs[e.Func].typ.Results)
		if e.Trap == TrapNone && len(e.Results) == len(rt) {
			for j, r := range e.Results {
				if !validBits(rt[j], r, len(m.store.funcs)) {
					return fmt.Errorf("%w: entry %d: result %d: %#x is not a valid %s", ErrHostTape, i, j, r, rt[j])
				}
			}
		}
		if uint64(len(e.Results)) > math.MaxUint32 || uint64(len(e.Writes)) > math.MaxUint32 {
			return fmt.Errorf("%w: entry %d: too many results or writes", ErrHostTape, i)
		}
		for j, w := range e.Writes {
			if uint64(len(w.Data)) > math.MaxUint32 {
				return fmt.Errorf("%w: entry %d: write %d of %d bytes", ErrHostTape, i, j, len(w.Data))
			}
		}
	}
	return nil
}
