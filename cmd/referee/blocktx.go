package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute/reftrace"
	"github.com/refereevm/referee/trace"
)

// stepMachine builds the machine of the call that pos names, at step 0:
// MODULE.wasm FUNC [ARG...] (tx < 0), or transaction tx of BLOCK.json.
func stepMachine(pos []string, tx int, maxSteps uint64) (*trace.Machine, error) {
	cfg := trace.Config{MaxSteps: maxSteps}
	if tx >= 0 {
		bt, path, err := loadBlockTx(pos, tx)
		if err != nil {
			return nil, err
		}
		m, err := bt.Setup(cfg)()
		if err != nil {
			return nil, fmt.Errorf("%s: tx %d: %w", path, tx, err)
		}
		return m, nil
	}
	if len(pos) < 2 {
		if len(pos) == 1 && strings.HasSuffix(pos[0], ".json") {
			return nil, fmt.Errorf("%s: a block needs --tx I, the transaction", pos[0])
		}
		return nil, errors.New("want MODULE.wasm FUNC [ARG...]")
	}
	t, err := loadCallTarget(pos[0], pos[1], pos[2:])
	if err != nil {
		return nil, err
	}
	m, err := reftrace.FromDecoded(t.mod, t.name, t.args, cfg)()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.path, err)
	}
	return m, nil
}

// loadBlockTx reads BLOCK.json (the only positional argument) and returns
// its transaction i as check runs it on the reference machine: the
// metered contract, the host ABI, and the state the transactions before
// it leave. Errors name the file.
func loadBlockTx(pos []string, i int) (*reftrace.BlockTx, string, error) {
	if len(pos) != 1 {
		return nil, "", fmt.Errorf("with --tx, want one BLOCK.json, got %d arguments", len(pos))
	}
	b, err := loadBlock(pos[0], false)
	if err != nil {
		return nil, "", err
	}
	bt, err := reftrace.NewBlockTx(context.Background(), b, i, diff.DefaultGateOptions())
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", pos[0], err)
	}
	return bt, pos[0], nil
}

// jsonTxDone is the summary line of run --tx --json.
type jsonTxDone struct {
	Status  string        `json:"status"` // "done"
	Tx      int           `json:"tx"`
	Steps   uint64        `json:"steps"`
	Receipt block.Receipt `json:"receipt"`
}

// runBlockTx is "referee run BLOCK.json --tx I": the transaction on the
// reference machine, traced if asked, then its receipt. Exit 0 for an ok
// receipt, 1 for any other (abort, trap, out of gas) or the step limit.
func runBlockTx(c *runConfig) int {
	bt, path, err := loadBlockTx(c.pos, c.tx)
	if err != nil {
		return c.fail("%v", err)
	}
	if c.trace {
		bt.Tracer = stepWriter(c.out, c.json)
	}
	m, err := bt.Machine(trace.Config{MaxSteps: c.maxSteps}, false, nil)
	if err == nil {
		err = reftrace.RunTo(m, -1)
	}
	if err != nil {
		return c.fail("%s: tx %d: %v", path, c.tx, err)
	}
	if m.TrapKind() == trace.TrapStepLimit {
		printTrap(c.out, c.json, m.Steps(), m.Trap(), m.Frames())
		return exitNo
	}
	// The receipt is the reference engine's, as check computes it (the
	// machine above is the same run; the engine adds the receipt rules).
	o := diff.RunSafe(context.Background(), diff.Reference{}, &diff.Request{Prog: bt.Prog, Tx: bt.Tx, TxIndex: c.tx, State: bt.State})
	if o.Failure != "" {
		return c.fail("%s: tx %d: reference: %s: %s", path, c.tx, o.Failure, o.Detail)
	}
	if c.json {
		_ = jsonLine(c.out, jsonTxDone{Status: "done", Tx: c.tx, Steps: m.Steps(), Receipt: o.Receipt})
	} else {
		fmt.Fprintf(c.out, "%s: %s\nsteps %d\n", txLabelOf(c.tx, bt.Tx), o.Receipt, m.Steps())
	}
	if o.Receipt.Status != block.StatusOK {
		return exitNo
	}
	return exitOK
}

// jsonLine writes v as one line of JSON.
func jsonLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
