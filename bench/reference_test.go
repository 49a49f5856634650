package bench

import (
	"fmt"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// instantiateReference decodes, validates and instantiates w on a fresh
// reference machine.
func instantiateReference(tb testing.TB, w Workload, bin []byte) (*trace.Machine, *trace.Instance) {
	tb.Helper()
	mod, err := wasm.Decode(bin)
	if err != nil {
		tb.Fatalf("%s: decode: %v", w.Name, err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		tb.Fatalf("%s: validate: %v", w.Name, err)
	}
	m := trace.NewMachine(trace.Config{})
	inst, err := m.Instantiate(mod)
	if err != nil {
		tb.Fatalf("%s: instantiate: %v", w.Name, err)
	}
	return m, inst
}

// referenceArgs types raw argument bits as w's parameters.
func referenceArgs(w Workload, args []uint64) []trace.Value {
	vals := make([]trace.Value, len(args))
	for i, a := range args {
		vals[i] = trace.Value{Type: w.Params[i], Bits: a & ResultMask(w.Params[i])}
	}
	return vals
}

type referenceRunner struct {
	w    Workload
	m    *trace.Machine
	inst *trace.Instance
}

func openReference(tb testing.TB, w Workload, bin []byte) runner {
	m, inst := instantiateReference(tb, w, bin)
	return &referenceRunner{w: w, m: m, inst: inst}
}

func (r *referenceRunner) call(args []uint64) (uint64, error) {
	res, err := r.m.Invoke(r.inst, r.w.Export, referenceArgs(r.w, args))
	if err != nil {
		return 0, err
	}
	if len(res) != 1 || res[0].Type != r.w.Result {
		return 0, fmt.Errorf("got results %v, want one %s", res, r.w.Result)
	}
	return res[0].Bits, nil
}

func (r *referenceRunner) close() {}

// stepCounts caches referenceSteps by benchmark name.
var stepCounts = map[string]uint64{}

// referenceSteps returns the number of steps the reference machine takes for
// w's benchmark call, running it once on a fresh machine if not yet known,
// or 0 if the reference machine cannot run it (its own benchmark reports why).
func referenceSteps(tb testing.TB, w Workload) uint64 {
	if n, ok := stepCounts[w.BenchName()]; ok {
		return n
	}
	var n uint64
	if r, ok := tryOpenReference(w, readWorkload(tb, w)); ok {
		before := r.m.Steps()
		if got, err := r.call(w.Bench.Args); err == nil && got&ResultMask(w.Result) == w.Bench.Want&ResultMask(w.Result) {
			n = r.m.Steps() - before
		}
	}
	stepCounts[w.BenchName()] = n
	return n
}

// tryOpenReference is openReference reporting failure instead of failing a test.
func tryOpenReference(w Workload, bin []byte) (*referenceRunner, bool) {
	mod, err := wasm.Decode(bin)
	if err != nil || wasm.Validate(mod, wasm.DefaultLimits()) != nil {
		return nil, false
	}
	m := trace.NewMachine(trace.Config{})
	inst, err := m.Instantiate(mod)
	if err != nil {
		return nil, false
	}
	return &referenceRunner{w: w, m: m, inst: inst}, true
}
