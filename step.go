package referee

import (
	"context"
	"fmt"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/dispute/reftrace"
	"github.com/refereevm/referee/trace"
)

// ParseBlock parses a block whose contracts carry their code inline
// (codeBase64); a block that names a code file is refused, so nothing a
// block says makes the library read a file. name is what errors call the
// input.
func ParseBlock(name string, data []byte) (*block.Block, error) {
	return block.ParseInline(name, data)
}

// Step is the one-step proof of a block transaction's step: the proof's
// bytes, the roots it goes from and to, and the instruction.
type Step struct {
	N     uint64   // the step proven: the transition from the state after N-1 steps to the state after N
	Pre   [32]byte // the state root after N-1 steps
	Post  [32]byte // the state root after N steps
	Op    string   // the instruction, e.g. "i64.const"
	Proof []byte   // docs/proof-format.md; VerifyStep checks it
}

// txMachine sets transaction tx of b up as referee prove --tx does and runs
// it to step n (n < 0: its end), returning the machine's committer.
func txMachine(ctx context.Context, b *block.Block, tx int, n int64) (*trace.Committer, error) {
	bt, err := reftrace.NewBlockTx(ctx, b, tx, diff.DefaultGateOptions())
	if err != nil {
		return nil, err
	}
	m, err := bt.Setup(trace.Config{})()
	if err != nil {
		return nil, fmt.Errorf("tx %d: %w", tx, err)
	}
	c := trace.NewCommitter(m)
	if err := reftrace.RunTo(m, n); err != nil {
		return nil, fmt.Errorf("tx %d: %w", tx, err)
	}
	return c, nil
}

// TxRoot returns the state root of transaction tx of b after step machine
// steps (step < 0: at the end of the call), as referee root --tx prints
// it: the metered contract on the reference machine with the host ABI, on
// the state the transactions before it leave, host calls replayed from the
// transaction's host tape.
func TxRoot(ctx context.Context, b *block.Block, tx int, step int64) ([32]byte, error) {
	c, err := txMachine(ctx, b, tx, step)
	if err != nil {
		return [32]byte{}, err
	}
	return c.Root(), nil
}

// ProveTx returns the one-step proof of step step+1 of transaction tx of
// b (from the state after step steps), checked before it is returned: its
// post-state is the machine's root after that step.
func ProveTx(ctx context.Context, b *block.Block, tx int, step uint64) (*Step, error) {
	c, err := txMachine(ctx, b, tx, int64(step))
	if err != nil {
		return nil, err
	}
	p, err := dispute.Prove(c)
	if err != nil {
		return nil, fmt.Errorf("tx %d step %d: %w", tx, step+1, err)
	}
	post, err := dispute.Verify(p.Pre, p.Bytes)
	if err != nil {
		return nil, fmt.Errorf("tx %d step %d: %w", tx, step+1, err)
	}
	if _, err := c.Machine().Step(); err != nil {
		return nil, fmt.Errorf("tx %d step %d: %w", tx, step+1, err)
	}
	if c.Root() != post {
		return nil, fmt.Errorf("BUG: referee: tx %d step %d: the verified post-state is not the machine's", tx, step+1)
	}
	info, _ := dispute.DescribeProof(p.Bytes)
	return &Step{N: step + 1, Pre: p.Pre, Post: post, Op: info.Op, Proof: p.Bytes}, nil
}

// VerifyStep checks a one-step proof from its bytes alone against the
// pre-state root the caller trusts and returns the post-state root it
// proves (dispute.Verify).
func VerifyStep(pre [32]byte, proof []byte) (post [32]byte, err error) {
	return dispute.Verify(pre, proof)
}
