package diff

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/refereevm/referee/block"
)

// ErrBadInput is the class of CheckBlock errors caused by the block itself
// (a contract the gatekeeper refuses, an entry that is not a [] -> []
// export): the CLI's exit code 2.
var ErrBadInput = errors.New("bad block")

// InputError names the block field at fault.
type InputError struct {
	Field string // e.g. "pre.contracts[1].code", "txs[3].entry"
	Err   error
}

func (e *InputError) Error() string        { return e.Field + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error        { return e.Err }
func (e *InputError) Is(target error) bool { return target == ErrBadInput }

// Options configures CheckBlock.
type Options struct {
	Gate GateOptions
	// RunBudget is the wall-clock budget of one engine running one
	// transaction (0: none). Passing it makes the run class
	// engine-timeout; it never changes a result.
	RunBudget time.Duration
	// Grace is how long past RunBudget an engine that does not stop by
	// itself is waited for before its run is abandoned (0: DefaultGrace).
	Grace time.Duration
	// Cache, if set, keeps the gatekeeper's prepared modules across blocks
	// (engines attached to it keep their compiled modules there too).
	Cache *ModuleCache
	// OnReceipt, if set, is called with each transaction's index and
	// receipt as soon as every engine agrees on it, in order, before the
	// next transaction is compared (referee check prints receipts so).
	OnReceipt func(tx int, r block.Receipt)
}

// DefaultRunBudget is the run budget the CLI uses.
const DefaultRunBudget = 60 * time.Second

// DefaultOptions returns the options the CLI uses.
func DefaultOptions() Options {
	return Options{Gate: DefaultGateOptions(), RunBudget: DefaultRunBudget}
}

// Report is the result of CheckBlock.
type Report struct {
	Engines []string // in the order outcomes are compared
	// Txs holds, per transaction checked, every engine's outcome in
	// engine order. On a divergence it ends with the divergent one.
	Txs [][]Outcome
	// Receipts are the agreed receipts (the first engine's), one per
	// transaction before any divergence.
	Receipts   []block.Receipt
	Divergence *Divergence
	// Commitment is the post-state commitment; set only without divergence.
	Commitment [32]byte
	// EngineTime is each engine's total wall-clock time (never compared).
	EngineTime []time.Duration
	// Programs are the prepared contracts by address (for replay bundles).
	Programs map[string]*Prepared
}

// Divergence is the first disagreement of a block.
type Divergence struct {
	Tx        int // transaction index
	Class     string
	Field     string
	Signature string
	Engines   [2]string // the first engine and the first one disagreeing with it
	Values    [2]string // the field's value on each
}

// CheckBlock applies b on every engine. The engines run concurrently, each
// through the block's transactions in order on its own copy of the state;
// the outcomes are compared transaction by transaction, in engine order,
// against the first engine's, so scheduling never changes the report. The
// first difference stops the check with a Divergence; on agreement the
// transaction's storage writes (of an ok receipt) are applied to the
// checked state (each engine has applied the same writes to its copy).
// Without divergence the report carries the post-state commitment. The
// error is non-nil only for bad input (ErrBadInput) or a cancelled
// context.
func CheckBlock(ctx context.Context, b *block.Block, engines []Engine, o Options) (*Report, error) {
	if len(engines) == 0 {
		return nil, errors.New("no engines")
	}
	progs, err := gateBlock(b, o.Gate, o.Cache)
	if err != nil {
		return nil, err
	}
	rep := &Report{EngineTime: make([]time.Duration, len(engines)), Programs: progs}
	for _, e := range engines {
		rep.Engines = append(rep.Engines, e.Name())
	}
	compileFail := precompile(ctx, b, progs, engines, o.Gate)
	st := block.NewState(b.Pre)
	// One worker per engine runs the whole block in order on its own copy
	// of the state, applying its own ok receipts: while the engines agree
	// their states are the same as st, so no engine waits for the others
	// between transactions (no barrier per transaction). The outcomes are
	// compared transaction by transaction below; after the first
	// divergence the workers' results are ignored and they are cancelled.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dones := make([]chan Outcome, len(engines))
	for j, e := range engines {
		dones[j] = make(chan Outcome, len(b.Txs)) // never blocks a worker
		go func() {
			est := block.NewState(b.Pre)
			for i, tx := range b.Txs {
				if wctx.Err() != nil {
					return
				}
				var out Outcome
				if f := compileFail[j][tx.Contract]; f != nil {
					out = Outcome{Engine: e.Name(), Failure: f.Class, Detail: f.Detail}
				} else {
					rctx, rcancel := wctx, context.CancelFunc(func() {})
					if o.RunBudget > 0 {
						rctx, rcancel = context.WithTimeout(wctx, o.RunBudget)
					}
					out = RunSafe(rctx, e, &Request{Prog: progs[tx.Contract], Tx: tx, TxIndex: i, State: est})
					rcancel()
				}
				dones[j] <- out
				if out.Failure != "" {
					return // a failure is a divergence: the check stops here
				}
				if out.Receipt.Status == block.StatusOK {
					est.Apply(tx.Contract, out.Receipt.Writes)
				}
			}
		}()
	}
	for i, tx := range b.Txs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		outs := awaitOutcomes(engines, dones, o.RunBudget, o.Grace)
		row := outs
		for j := range row {
			rep.EngineTime[j] += row[j].Time
		}
		rep.Txs = append(rep.Txs, row)
		if dv := firstDivergence(i, row); dv != nil {
			rep.Divergence = dv
			return rep, nil
		}
		r := row[0].Receipt
		rep.Receipts = append(rep.Receipts, r)
		if o.OnReceipt != nil {
			o.OnReceipt(i, r)
		}
		if r.Status == block.StatusOK && !st.Apply(tx.Contract, r.Writes) {
			panic("BUG: diff: transaction on a contract missing from the state: " + tx.Contract)
		}
	}
	rep.Commitment = st.Commitment()
	return rep, nil
}

// DefaultGrace is how long CheckBlock waits past the run budget for an
// engine to stop by itself before it abandons the run as engine-timeout.
const DefaultGrace = time.Second

// awaitOutcomes collects the next outcome of every engine. With a run
// budget, an engine that has not answered within the budget plus the grace
// of the start of the wait (one that
// cannot be interrupted, or is stuck in a compilation or host code) gets
// an engine-timeout outcome and is left behind: a timeout is a divergence,
// so the check stops there, and the abandoned goroutine ends when its run
// does (--isolate kills it instead).
func awaitOutcomes(engines []Engine, dones []chan Outcome, budget, grace time.Duration) []Outcome {
	outs := make([]Outcome, len(engines))
	if grace <= 0 {
		grace = DefaultGrace
	}
	var timeout <-chan time.Time
	if budget > 0 {
		t := time.NewTimer(budget + grace)
		defer t.Stop()
		timeout = t.C
	}
	for j, e := range engines {
		if timeout == closedTimer { // after one abandoned engine, the others get no further grace
			select {
			case outs[j] = <-dones[j]:
				continue
			default:
			}
		}
		select {
		case outs[j] = <-dones[j]:
		case <-timeout:
			outs[j] = Outcome{Engine: e.Name(), Failure: ClassEngineTimeout,
				Detail: fmt.Sprintf("%s: no answer %v past the run budget %v; run abandoned", e.Name(), grace, budget), Time: budget + grace}
			timeout = closedTimer
		}
	}
	return outs
}

// closedTimer fires at once.
var closedTimer = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// firstDivergence compares every outcome with the first, in engine order.
// A failed first outcome (no outcome to compare) is a divergence by
// itself: it is reported against the second engine, or alone when it is
// the only one (Engines[1] and Values[1] empty).
func firstDivergence(tx int, outs []Outcome) *Divergence {
	for j := range outs {
		a, b := &outs[0], &outs[j]
		var diff *Difference
		if j == 0 {
			if a.Failure == "" {
				continue
			}
			if len(outs) > 1 {
				b = &outs[1]
			}
			diff = Compare(a, b)
		} else if diff = Compare(a, b); diff == nil {
			continue
		}
		dv := &Divergence{
			Tx: tx, Class: diff.Class, Field: diff.Field,
			Signature: Signature(diff, a, b),
			Engines:   [2]string{a.Engine, b.Engine},
			Values:    [2]string{diff.A, diff.B},
		}
		if a == b {
			dv.Engines[1], dv.Values[1] = "", ""
		}
		return dv
	}
	return nil
}

// String describes the divergence for people: "class C, field F: A says X,
// B says Y" (only A when the first engine failed alone).
func (d *Divergence) String() string {
	s := fmt.Sprintf("class %s, field %s: %s says %s", d.Class, d.Field, d.Engines[0], d.Values[0])
	if d.Engines[1] != "" {
		s += fmt.Sprintf(", %s says %s", d.Engines[1], d.Values[1])
	}
	return s
}

// GateBlock passes every contract through the gatekeeper and checks it
// against the ABI, and checks every transaction's entry. It returns the
// prepared contracts by address.
func GateBlock(b *block.Block, o GateOptions) (map[string]*Prepared, error) {
	return gateBlock(b, o, nil)
}

// gateBlock is GateBlock through cache (nil: none).
func gateBlock(b *block.Block, o GateOptions, cache *ModuleCache) (map[string]*Prepared, error) {
	progs := map[string]*Prepared{}
	for i, c := range b.Pre.Contracts {
		field := fmt.Sprintf("pre.contracts[%d].code", i)
		p, err := cache.Gate(c.Code, o)
		if err != nil {
			return nil, &InputError{Field: field, Err: err}
		}
		if err := block.CheckContract(p.Original); err != nil {
			return nil, &InputError{Field: field, Err: err}
		}
		progs[c.Address] = p
	}
	for i, tx := range b.Txs {
		p, ok := progs[tx.Contract]
		if !ok {
			return nil, &InputError{Field: fmt.Sprintf("txs[%d].contract", i), Err: fmt.Errorf("no contract %s in the pre-state", tx.Contract)}
		}
		if err := block.CheckEntry(p.Original, tx.Entry); err != nil {
			return nil, &InputError{Field: fmt.Sprintf("txs[%d].entry", i), Err: err}
		}
	}
	return progs, nil
}

// precompile compiles every contract on every engine that compiles ahead
// (Compiler), engines concurrently, each within the compile budget. It
// returns the failures by engine and contract address.
func precompile(ctx context.Context, b *block.Block, progs map[string]*Prepared, engines []Engine, o GateOptions) []map[string]*Failure {
	out := make([]map[string]*Failure, len(engines))
	var wg sync.WaitGroup
	for j, e := range engines {
		out[j] = map[string]*Failure{}
		c, ok := e.(Compiler)
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, ct := range b.Pre.Contracts { // pre-state order: deterministic
				p := progs[ct.Address]
				err := compileWithin(ctx, o.CompileBudget, e.Name(), func() error { return c.Compile(ctx, p) })
				if err != nil {
					out[j][ct.Address] = failedFailure(err)
				}
			}
		}()
	}
	wg.Wait()
	return out
}

func failedFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	return &Failure{Class: ClassRejected, Detail: err.Error()}
}
