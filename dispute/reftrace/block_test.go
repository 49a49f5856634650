package reftrace

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
)

// TestBlockTxProofs: steps of block transactions, host calls included,
// have one-step proofs whose post-state is the root after one more step
// (every step of the short ones; about 100 spread over a 1.3M-step one),
// and the replaying machine ends as the reference engine's run does.
func TestBlockTxProofs(t *testing.T) {
	for _, tt := range []struct {
		block  string
		tx     int
		stride uint64 // prove every stride-th step
	}{
		{"token.json", 0, 1},     // transfer: storage reads and writes, a log
		{"token.json", 2, 1},     // abort through the host
		{"traps.json", 1, 1},     // a guest trap
		{"mixed.json", 4, 13001}, // a later transaction: the state before it matters
	} {
		b, err := block.Load(filepath.Join("..", "..", "examples", "blocks", tt.block))
		if err != nil {
			t.Fatal(err)
		}
		bt, err := NewBlockTx(context.Background(), b, tt.tx, diff.DefaultGateOptions())
		if err != nil {
			t.Fatal(err)
		}
		m, err := bt.Setup(trace.Config{})()
		if err != nil {
			t.Fatal(err)
		}
		if !m.Replaying() {
			t.Fatal("the machine does not replay a host tape: its host steps are not provable")
		}
		c := trace.NewCommitter(m)
		proven, hostSteps := 0, 0
		for m.Status() == trace.StatusRunning {
			if m.Steps()%tt.stride == 0 {
				pre := c.Root()
				p, err := dispute.Prove(c)
				if err != nil {
					t.Fatalf("%s tx %d step %d: prove: %v", tt.block, tt.tx, m.Steps()+1, err)
				}
				post, err := dispute.Verify(pre, p.Bytes)
				if err != nil {
					t.Fatalf("%s tx %d step %d: verify: %v", tt.block, tt.tx, m.Steps()+1, err)
				}
				if _, err := m.Step(); err != nil {
					t.Fatal(err)
				}
				if got := c.Root(); got != post {
					t.Fatalf("%s tx %d step %d: proof's post-state %x, root after the step %x", tt.block, tt.tx, m.Steps(), post, got)
				}
				proven++
				if info, _ := dispute.DescribeProof(p.Bytes); info.Op == "call" {
					hostSteps++
				}
				continue
			}
			if _, err := m.Run(tt.stride - m.Steps()%tt.stride); err != nil {
				t.Fatal(err)
			}
		}
		if proven < 20 || (tt.stride == 1 && hostSteps == 0) {
			t.Errorf("%s tx %d: %d steps proven, %d calls: the test checks too little", tt.block, tt.tx, proven, hostSteps)
		}
		o := diff.RunSafe(context.Background(), diff.Reference{}, &diff.Request{Prog: bt.Prog, Tx: bt.Tx, TxIndex: tt.tx, State: bt.State})
		if trapped := m.Status() == trace.StatusTrapped; o.Failure != "" || trapped != (o.Receipt.Status != block.StatusOK) {
			t.Errorf("%s tx %d: replayed machine %s, reference engine receipt %s %s", tt.block, tt.tx, m.Status(), o.Receipt, o.Failure)
		}
	}
}
