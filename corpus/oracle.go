package corpus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// DiffOracle runs calls of a module's exports on diff's engines and
// reports the first divergence. The module passes diff's gatekeeper (so it
// is metered like a contract) and each call runs on a fresh instance with
// an empty block state, so calls are independent of each other.
type DiffOracle struct {
	Engines []diff.Engine // compared against the first, in order
	Gate    diff.GateOptions
	// GasLimit of each call (0: DefaultGasLimit).
	GasLimit uint64
	// RunBudget is the wall-clock budget of one engine running one call
	// (0: none). A call on which an engine passes it (class
	// engine-timeout) makes Check fail with ErrEngineTimeout: whether a
	// budget is passed depends on the machine's load, so it must never
	// decide between agreement and divergence.
	RunBudget time.Duration
	// Raw also runs each call of the module as is (not gated, not metered)
	// on the reference machine and compares it with the engines' agreed
	// outcome (oracle_raw.go): a difference is class instrumentation.
	Raw bool
	// Times, if set, adds up each engine's run time (diff.Outcome.Time,
	// compilation included) by engine index, for reports; Check never
	// reads it.
	Times *EngineTimes
}

// ErrEngineTimeout is wrapped by Check's error when an engine passed
// RunBudget (or failed with class engine-timeout) on a call: the module has
// no deterministic result, so it is neither agreement nor a divergence.
var ErrEngineTimeout = errors.New("engine passed its wall-clock run budget")

// DefaultGasLimit is the gas of one call when DiffOracle.GasLimit is 0.
const DefaultGasLimit = 1 << 32

// NewDiffOracle returns an oracle on engines with the block gatekeeper's
// options.
func NewDiffOracle(engines []diff.Engine) *DiffOracle {
	return &DiffOracle{Engines: engines, Gate: diff.DefaultGateOptions(), RunBudget: 30 * time.Second}
}

// EngineNames returns the engines' names in order, then RawEngine if Raw
// is set.
func (o *DiffOracle) EngineNames() []string {
	var out []string
	for _, e := range o.Engines {
		out = append(out, e.Name())
	}
	if o.Raw {
		out = append(out, RawEngine)
	}
	return out
}

// Check runs each call on every engine and returns the first divergence
// (nil if the engines agree on every call). Calls of exports the module
// does not have, or with the wrong number of arguments, are skipped (a
// minimized module may have lost them). Outcomes in which every engine
// failed with the same class are agreement. The error is non-nil if the
// gatekeeper refuses the module, an engine timed out on a call (it wraps
// ErrEngineTimeout) or ctx ended; a divergence is never reported once ctx
// has ended or after a timeout (neither run is a finding).
func (o *DiffOracle) Check(ctx context.Context, m *wasm.Module, calls []Call) (*Divergence, error) {
	if n := len(o.Engines); n < 2 && !(o.Raw && n == 1) {
		return nil, fmt.Errorf("oracle: want two engines, or one and the raw run, have %d", n)
	}
	p, crash, err := gate(m, o.Gate)
	if crash != nil || err != nil {
		return crash, err
	}
	gas := o.GasLimit
	if gas == 0 {
		gas = DefaultGasLimit
	}
	st := block.NewState(block.PreState{})
	for i, c := range calls {
		ft, ok := m.ExportedFuncType(c.Export)
		if !ok || len(ft.Params) != len(c.Args) {
			continue
		}
		req := &diff.Request{Prog: p, Tx: block.Tx{Entry: c.Export, GasLimit: gas}, TxIndex: -1, State: st, Args: c.Args}
		outs := make([]diff.Outcome, len(o.Engines))
		for j, e := range o.Engines {
			rctx, cancel := ctx, context.CancelFunc(func() {})
			if o.RunBudget > 0 {
				rctx, cancel = context.WithTimeout(ctx, o.RunBudget)
			}
			outs[j] = diff.RunSafe(rctx, e, req)
			cancel()
			if o.Times != nil {
				o.Times.add(j, outs[j].Time)
			}
			normalize(&outs[j], ft, p.Module)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, out := range outs {
			if out.Failure == diff.ClassEngineTimeout {
				return nil, fmt.Errorf("oracle: call %d (%s) on %s: %w", i, c.Export, out.Engine, ErrEngineTimeout)
			}
		}
		if allFailedAlike(outs) {
			continue
		}
		for j := 1; j < len(outs); j++ {
			if d := diff.Compare(&outs[0], &outs[j]); d != nil {
				return &Divergence{
					Call: i, Class: d.Class, Field: d.Field,
					Signature: diff.Signature(d, &outs[0], &outs[j]),
					Engines:   [2]string{outs[0].Engine, outs[j].Engine},
					Values:    [2]string{d.A, d.B},
					Outcomes:  summarize(outs),
				}, nil
			}
		}
		if o.Raw {
			if d := checkRaw(m, c, ft, &outs[0]); d != nil {
				d.Call, d.Outcomes = i, summarize(outs)
				return d, nil
			}
		}
	}
	return nil, nil
}

// ClassGateCrash is the class of a module on which referee's own
// gatekeeper or metering panicked: a finding against referee itself,
// with signature "gate-crash/gate". Its divergence has Call -1.
const ClassGateCrash = "gate-crash"

// gate runs diff.Gate on m, turning a panic into a gate-crash divergence.
func gate(m *wasm.Module, o diff.GateOptions) (p *diff.Prepared, crash *Divergence, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			crash = &Divergence{Call: -1, Class: ClassGateCrash, Field: "gate", Signature: ClassGateCrash + "/gate",
				Engines: [2]string{"gatekeeper", "gatekeeper"}, Values: [2]string{"valid module", "panic: " + msg}}
			p, err = nil, nil
		}
	}()
	p, err = diff.Gate(wasm.Encode(m), o)
	return p, nil, err
}

// Holds returns the predicate "calls on the module still diverge with
// this signature", for Minimize.
func (o *DiffOracle) Holds(ctx context.Context, calls []Call, signature string) Predicate {
	return func(m *wasm.Module) bool {
		d, err := o.Check(ctx, m, calls)
		return err == nil && d != nil && d.Signature == signature
	}
}

// normalize reduces funcref values (results and exported globals) to null
// or not: engines encode function references differently (the reference
// machine as store address + 1, wazero as a pointer), and which function
// a reference names is observable only through calls.
func normalize(o *diff.Outcome, ft wasm.FuncType, m *wasm.Module) {
	for i := range o.Results {
		if i < len(ft.Results) && ft.Results[i] == wasm.FuncRef && o.Results[i] != 0 {
			o.Results[i] = 1
		}
	}
	for i := range o.Globals {
		if t, _ := m.ExportedGlobalType(o.Globals[i].Name); o.Globals[i].Bits != 0 && t == wasm.FuncRef {
			o.Globals[i].Bits = 1
		}
	}
}

func allFailedAlike(outs []diff.Outcome) bool {
	for _, o := range outs {
		if o.Failure == "" || o.Failure != outs[0].Failure {
			return false
		}
	}
	return true
}
