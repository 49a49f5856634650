package reftrace

import (
	"crypto/sha256"
	"fmt"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// Setup builds a fresh machine at step 0 of the execution: modules
// instantiated and the call started (StatusRunning). Every call must
// build the same machine, so that snapshots restore into it.
type Setup func() (*trace.Machine, error)

// RootFunc commits to a machine's state.
type RootFunc func(m *trace.Machine) ([32]byte, error)

// ProveFunc returns the one-step proof of m's next step. It may step m.
type ProveFunc func(m *trace.Machine) ([]byte, error)

// SnapshotRoot is the stand-in state root: sha256 of m.Snapshot().
func SnapshotRoot(m *trace.Machine) ([32]byte, error) {
	b, err := m.Snapshot()
	if err != nil {
		return [32]byte{}, fmt.Errorf("snapshot root: %w", err)
	}
	return sha256.Sum256(b), nil
}

// MerkleRoot is the state root of docs/state-commitment.md
// (Machine.Root, built from scratch at each call).
func MerkleRoot(m *trace.Machine) ([32]byte, error) { return m.Root(), nil }

// MerkleProver is the one-step proof of docs/proof-format.md, which
// dispute.ProofChecker checks against MerkleRoot roots.
func MerkleProver(m *trace.Machine) ([]byte, error) { return trace.NewCommitter(m).Witness() }

// Merkle returns MerkleRoot and MerkleProver made incremental: they share
// one trace.Committer per machine (a Committer owns its machine's dirty
// bits, so the root and the prover must use the same one), and a root
// after a few steps or a Restore re-hashes only what changed.
func Merkle() (RootFunc, ProveFunc) {
	var c *trace.Committer
	get := func(m *trace.Machine) *trace.Committer {
		if c == nil || c.Machine() != m {
			c = trace.NewCommitter(m)
		}
		return c
	}
	return func(m *trace.Machine) ([32]byte, error) { return get(m).Root(), nil },
		func(m *trace.Machine) ([]byte, error) { return get(m).Witness() }
}

// SnapshotProver is the stand-in prover: the pre-state's snapshot.
func SnapshotProver(m *trace.Machine) ([]byte, error) { return m.Snapshot() }

// Trace is a dispute.Trace over one call on the reference machine.
type Trace struct {
	setup Setup
	root  RootFunc
	prove ProveFunc
	every uint64
	base  uint64 // the machine's step counter at step 0
	n     uint64
	cps   [][]byte // cps[i]: snapshot at step i·every

	cur     *trace.Machine
	curStep uint64
	curOK   bool

	// Restores and Stepped count the work spent answering RootAt and
	// ProveStep, for the cost tables.
	Restores, Stepped uint64
}

var _ dispute.Trace = (*Trace)(nil)

// New runs the execution once to its end, keeping a snapshot every
// `every` steps (0: 4096), and returns its trace. root and prove default
// to SnapshotRoot and SnapshotProver when nil.
func New(setup Setup, every uint64, root RootFunc, prove ProveFunc) (*Trace, error) {
	if every == 0 {
		every = 4096
	}
	if root == nil {
		root = SnapshotRoot
	}
	if prove == nil {
		prove = SnapshotProver
	}
	m, err := setup()
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	t := &Trace{setup: setup, root: root, prove: prove, every: every, base: m.Steps(), cur: m}
	for {
		cp, err := m.Snapshot()
		if err != nil {
			return nil, fmt.Errorf("snapshot at step %d: %w", m.Steps()-t.base, err)
		}
		t.cps = append(t.cps, cp)
		if m.Status() != trace.StatusRunning {
			break
		}
		st, err := m.Run(every)
		if err != nil {
			return nil, fmt.Errorf("run from step %d: %w", m.Steps()-t.base-every, err)
		}
		if st != trace.StatusRunning && (m.Steps()-t.base)%every == 0 {
			// Ended exactly on a checkpoint: the loop records it.
			continue
		}
		if st != trace.StatusRunning {
			break
		}
	}
	t.n = m.Steps() - t.base
	t.curStep, t.curOK = t.n, true
	return t, nil
}

// Len returns the number of steps of the execution.
func (t *Trace) Len() uint64 { return t.n }

// Checkpoints returns how many snapshots the trace keeps.
func (t *Trace) Checkpoints() int { return len(t.cps) }

// seek moves the cursor machine to step s.
func (t *Trace) seek(s uint64) error {
	if s > t.n {
		return fmt.Errorf("step %d beyond the trace's %d steps", s, t.n)
	}
	cp := s / t.every
	if !t.curOK || t.curStep > s || t.curStep < cp*t.every {
		if err := t.cur.Restore(t.cps[cp]); err != nil {
			return fmt.Errorf("restore checkpoint at step %d: %w", cp*t.every, err)
		}
		t.curStep, t.curOK = cp*t.every, true
		t.Restores++
	}
	if d := s - t.curStep; d > 0 {
		if _, err := t.cur.Run(d); err != nil {
			t.curOK = false
			return fmt.Errorf("run from step %d to %d: %w", t.curStep, s, err)
		}
		t.Stepped += d
		t.curStep = t.cur.Steps() - t.base
		if t.curStep != s {
			t.curOK = false
			return fmt.Errorf("run stopped at step %d, want %d", t.curStep, s)
		}
	}
	return nil
}

// RootAt returns the root after step steps.
func (t *Trace) RootAt(step uint64) ([32]byte, error) {
	if err := t.seek(step); err != nil {
		return [32]byte{}, err
	}
	return t.root(t.cur)
}

// ProveStep returns the proof of the step from step to step+1.
func (t *Trace) ProveStep(step uint64) ([]byte, error) {
	if step >= t.n {
		return nil, fmt.Errorf("step %d: no transition after the trace's %d steps", step, t.n)
	}
	if err := t.seek(step); err != nil {
		return nil, err
	}
	t.curOK = false // the prover may step the machine
	return t.prove(t.cur)
}

// ReexecChecker checks SnapshotProver proofs against SnapshotRoot roots:
// the proof must hash to pre, restore into a fresh machine at the
// disputed step, and one step from it must give a state hashing to post.
// It is the stand-in arbiter until real one-step proofs exist.
type ReexecChecker struct{ Setup Setup }

// CheckStep implements dispute.StepChecker.
func (c ReexecChecker) CheckStep(step uint64, pre, post [32]byte, proof []byte) (bool, error) {
	if sha256.Sum256(proof) != pre {
		return false, nil
	}
	m, err := c.Setup()
	if err != nil {
		return false, fmt.Errorf("setup: %w", err)
	}
	base := m.Steps()
	if err := m.Restore(proof); err != nil {
		return false, fmt.Errorf("proof: %w", err)
	}
	if m.Steps()-base != step {
		return false, fmt.Errorf("proof: state at step %d, want %d", m.Steps()-base, step)
	}
	if m.Status() != trace.StatusRunning {
		return false, fmt.Errorf("proof: machine at step %d is not running", step)
	}
	if _, err := m.Step(); err != nil {
		return false, fmt.Errorf("step %d: %w", step, err)
	}
	got, err := SnapshotRoot(m)
	if err != nil {
		return false, err
	}
	return got == post, nil
}

// FromModule returns a Setup that decodes and validates a module,
// instantiates it (with the spectest host module registered) and starts a
// call to its export fn with args.
//
// When the module imports functions, its host calls are proven from a
// host tape (docs/state-commitment.md §11): the first Setup runs the call
// once to its end recording them, and every machine it returns replays
// that tape, so that every step, host calls included, has a one-step
// proof (MerkleProver) and all machines commit the same tape.
func FromModule(bin []byte, fn string, args []trace.Value, cfg trace.Config) (Setup, error) {
	mod, err := wasm.Decode(bin)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	return FromDecoded(mod, fn, args, cfg), nil
}

// FromDecoded is FromModule for a module already decoded and validated.
func FromDecoded(mod *wasm.Module, fn string, args []trace.Value, cfg trace.Config) Setup {
	build := func(record bool, tape trace.HostTape) (*trace.Machine, error) {
		m := trace.NewMachine(cfg)
		m.RegisterSpectest()
		if err := hostMode(m, record, tape); err != nil {
			return nil, err
		}
		inst, err := m.Instantiate(mod)
		if err != nil {
			return nil, fmt.Errorf("instantiate: %w", err)
		}
		ex, ok := inst.Export(fn)
		if !ok || ex.Kind != wasm.ExternFunc {
			return nil, fmt.Errorf("no exported function %q", fn)
		}
		if err := m.Call(ex, args); err != nil {
			return nil, fmt.Errorf("call %s: %w", fn, err)
		}
		return m, nil
	}
	if mod.NumImports(wasm.ExternFunc) == 0 {
		return func() (*trace.Machine, error) { return build(false, nil) }
	}
	return recordReplay(build)
}

// recordReplay is the Setup of a call that makes host calls: the first
// Setup runs a recording machine (build(true, nil)) to its end, and every
// machine it returns replays that tape (build(false, tape)).
func recordReplay(build func(record bool, tape trace.HostTape) (*trace.Machine, error)) Setup {
	var tape trace.HostTape // recorded by the first Setup
	return func() (*trace.Machine, error) {
		if tape == nil {
			rec, err := build(true, nil)
			if err != nil {
				return nil, err
			}
			if rec.Status() == trace.StatusRunning {
				if _, err := rec.Run(0); err != nil {
					return nil, fmt.Errorf("record the host tape: %w", err)
				}
			}
			if tape = rec.HostTape(); tape == nil {
				tape = trace.HostTape{} // replay, never run live
			}
		}
		return build(false, tape)
	}
}

// hostMode sets how m's host calls run: live (record false, tape nil),
// recorded into a tape (record), or replayed from tape.
func hostMode(m *trace.Machine, record bool, tape trace.HostTape) error {
	switch {
	case record:
		return m.RecordHost()
	case tape != nil:
		return m.ReplayHost(tape)
	}
	return nil
}
