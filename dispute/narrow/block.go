package narrow

import (
	"context"
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
		tx := b.Txs[j]
		o := diff.RunSafe(ctx, diff.Reference{}, &diff.Request{Prog: progs[tx.Contract], Tx: tx, TxIndex: j, State: st})
		if o.Failure != "" {
			return nil, fmt.Errorf("tx %d: reference: %s: %s", j, o.Failure, o.Detail)
		}
		if o.Receipt.Status == block.StatusOK && !st.Apply(tx.Contract, o.Receipt.Writes) {
			return nil, fmt.Errorf("tx %d: its writes do not apply", j)
		}
	}
	tx := b.Txs[i]
	return &Target{Base: progs[tx.Contract].Module, Entry: tx.Entry, Tx: tx, TxIndex: i, State: st}, nil
}
