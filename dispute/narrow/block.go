package narrow

import (
	"context"
	"errors"
	"fmt"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

// BlockTarget returns transaction i of b as a Target: the contract as the
// gatekeeper prepared it (metered, what every engine runs) and the state
// the transactions before it leave, computed on the reference machine.
func BlockTarget(ctx context.Context, b *block.Block, i int) (*Target, error) {
	if i < 0 || i >= len(b.Txs) {
		return nil, fmt.Errorf("tx %d: the block has %d transactions", i, len(b.Txs))
	}
	progs, err := diff.GateBlock(b, diff.DefaultGateOptions())
	if err != nil {
		return nil, err
	}
	st := block.NewState(b.Pre)
	for j := 0; j < i; j++ {
		if err := advance(ctx, progs, st, b.Txs[j], j); err != nil {
			return nil, err
		}
	}
	return txTarget(progs, st, b.Txs[i], i), nil
}

// NarrowBlock narrows the first transaction of blk on which engines a and
// b disagree: transactions run in order, each on the state the reference
// machine leaves after the ones before it (as BlockTarget computes it), so
// a transaction on which the engines agree costs one whole run on each. It
// returns the transaction's index and Narrow's result, or ErrAgree with
// len(blk.Txs) when the engines agree on every transaction.
func NarrowBlock(ctx context.Context, blk *block.Block, a, b Engine, o Options) (int, *Result, error) {
	progs, err := diff.GateBlock(blk, diff.DefaultGateOptions())
	if err != nil {
		return 0, nil, err
	}
	st := block.NewState(blk.Pre)
	for i, tx := range blk.Txs {
		r, err := Narrow(ctx, txTarget(progs, st, tx, i), a, b, o)
		if !errors.Is(err, ErrAgree) {
			return i, r, err
		}
		if err := advance(ctx, progs, st, tx, i); err != nil {
			return i, nil, err
		}
	}
	return len(blk.Txs), nil, ErrAgree
}

func txTarget(progs map[string]*diff.Prepared, st *block.State, tx block.Tx, i int) *Target {
	return &Target{Base: progs[tx.Contract].Module, Entry: tx.Entry, Tx: tx, TxIndex: i, State: st, Metered: true}
}

// advance applies transaction j's writes, as the reference machine
// computes them, to st.
func advance(ctx context.Context, progs map[string]*diff.Prepared, st *block.State, tx block.Tx, j int) error {
	o := diff.RunSafe(ctx, diff.Reference{}, &diff.Request{Prog: progs[tx.Contract], Tx: tx, TxIndex: j, State: st})
	if o.Failure != "" {
		return fmt.Errorf("tx %d: reference: %s: %s", j, o.Failure, o.Detail)
	}
	if o.Receipt.Status == block.StatusOK && !st.Apply(tx.Contract, o.Receipt.Writes) {
		return fmt.Errorf("tx %d: its writes do not apply", j)
	}
	return nil
}
