package diff

import (
	"context"
	"fmt"

	"github.com/refereevm/referee/block"
)

// StateBefore returns the state that transactions 0..i-1 of b leave, as
// the reference machine computes them from the prepared contracts progs
// (GateBlock's): the state transaction i reads. Each earlier transaction
// costs one run.
func StateBefore(ctx context.Context, b *block.Block, progs map[string]*Prepared, i int) (*block.State, error) {
	if i < 0 || i > len(b.Txs) {
		return nil, fmt.Errorf("tx %d: the block has %d transactions", i, len(b.Txs))
	}
	st := block.NewState(b.Pre)
	for j, tx := range b.Txs[:i] {
		o := RunSafe(ctx, Reference{}, &Request{Prog: progs[tx.Contract], Tx: tx, TxIndex: j, State: st})
		if o.Failure != "" {
			return nil, fmt.Errorf("tx %d: reference: %s: %s", j, o.Failure, o.Detail)
		}
		if o.Receipt.Status == block.StatusOK && !st.Apply(tx.Contract, o.Receipt.Writes) {
			return nil, fmt.Errorf("tx %d: its writes do not apply", j)
		}
	}
	return st, nil
}
