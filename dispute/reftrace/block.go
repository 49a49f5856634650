package reftrace

import (
	"context"
	"fmt"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// BlockTx is one transaction of a block as the reference machine runs it
// in a check: the contract as the gatekeeper prepared it (metered, the
// module every engine runs), its gas global starting at the transaction's
// gas limit, and the host ABI referee-v1 bound to the state the
// transactions before it leave (computed on the reference machine, as
// referee narrow does).
type BlockTx struct {
	Index int
	Tx    block.Tx
	Prog  *diff.Prepared
	State *block.State // before the transaction; read only
	// Tracer, if set, is the tracer of every machine Machine builds, set
	// before instantiation.
	Tracer func(trace.StepInfo)
}

// NewBlockTx gates b and computes the state before transaction i.
func NewBlockTx(ctx context.Context, b *block.Block, i int, o diff.GateOptions) (*BlockTx, error) {
	if i < 0 || i >= len(b.Txs) {
		return nil, fmt.Errorf("tx %d: the block has %d transactions", i, len(b.Txs))
	}
	progs, err := diff.GateBlock(b, o)
	if err != nil {
		return nil, err
	}
	st, err := diff.StateBefore(ctx, b, progs, i)
	if err != nil {
		return nil, err
	}
	tx := b.Txs[i]
	return &BlockTx{Index: i, Tx: tx, Prog: progs[tx.Contract], State: st}, nil
}

// Setup returns the Setup of the transaction's call. A contract calls the
// host ABI, whose steps are proven from a host tape (docs/state-commitment.md
// §11): the first Setup runs the call to its end (or to cfg.MaxSteps)
// recording its host calls, and every machine it returns replays that
// tape, so every step, host calls included, has a one-step proof and all
// machines commit the same tape.
func (t *BlockTx) Setup(cfg trace.Config) Setup {
	return recordReplay(func(record bool, tape trace.HostTape) (*trace.Machine, error) {
		return t.Machine(cfg, record, tape)
	})
}

// Machine returns a machine at step 0 of the call: host functions live
// (record false, tape nil), recording (record true) or replaying tape.
func (t *BlockTx) Machine(cfg trace.Config, record bool, tape trace.HostTape) (*trace.Machine, error) {
	m := trace.NewMachine(cfg)
	if t.Tracer != nil {
		m.SetTracer(t.Tracer)
	}
	call := block.NewCall(t.State, t.Tx)
	var mem *trace.Memory
	diff.BindABI(m, call, func() *trace.Memory { return mem })
	if err := hostMode(m, record, tape); err != nil {
		return nil, err
	}
	inst, err := m.Instantiate(diff.WithGas(t.Prog.Module, t.Tx.GasLimit))
	if err != nil {
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	if ex, ok := inst.Export("memory"); ok && ex.Kind == wasm.ExternMemory {
		mem = m.Memory(ex.Addr)
	}
	ex, ok := inst.Export(t.Tx.Entry)
	if !ok || ex.Kind != wasm.ExternFunc {
		return nil, fmt.Errorf("no exported function %q", t.Tx.Entry)
	}
	if err := m.Call(ex, nil); err != nil {
		return nil, fmt.Errorf("call %s: %w", t.Tx.Entry, err)
	}
	return m, nil
}

// RunTo runs m to the state after n machine steps (counted from the start
// of instantiation), or to the end of its call when n < 0. It is an error
// if the call ends before step n or instantiation already took more.
func RunTo(m *trace.Machine, n int64) error {
	if n >= 0 && uint64(n) < m.Steps() {
		return fmt.Errorf("step %d: instantiation already took %d steps", n, m.Steps())
	}
	if m.Status() == trace.StatusRunning {
		limit := uint64(0)
		if n >= 0 {
			limit = uint64(n) - m.Steps()
		}
		if limit > 0 || n < 0 {
			if _, err := m.Run(limit); err != nil {
				return err
			}
		}
	}
	if n >= 0 && m.Steps() != uint64(n) {
		return fmt.Errorf("step %d: the call ended (%s) at step %d", n, m.Status(), m.Steps())
	}
	return nil
}
