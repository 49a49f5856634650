package meter

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// outcome is what a test observes of one invocation of an instrumented
// module on one engine.
type outcome struct {
	results []uint64 // raw bits (i32/f32 in the low 32 bits)
	trapped bool
	gasLeft uint64
	exit    uint32
	depth   uint32
}

func (o outcome) String() string {
	return fmt.Sprintf("results=%#x trapped=%v gasLeft=%d exit=%d depth=%d",
		o.results, o.trapped, o.gasLeft, o.exit, o.depth)
}

// testEngine instantiates a binary afresh and invokes one export. The gas
// limit is the StartGas the module was instrumented with.
type testEngine struct {
	name string
	run  func(tb testing.TB, bin []byte, export string, args []uint64) outcome
}

var testEngines = []testEngine{
	{name: "reference", run: runReference},
	{name: "wazero-interp", run: func(tb testing.TB, bin []byte, export string, args []uint64) outcome {
		return runWazero(tb, wazero.NewRuntimeConfigInterpreter(), bin, export, args)
	}},
	{name: "wazero-compiler", run: func(tb testing.TB, bin []byte, export string, args []uint64) outcome {
		return runWazero(tb, wazero.NewRuntimeConfigCompiler(), bin, export, args)
	}},
}

// decodeValid decodes and validates bin with the default limits.
func decodeValid(tb testing.TB, bin []byte) *wasm.Module {
	tb.Helper()
	m, err := wasm.Decode(bin)
	if err != nil {
		tb.Fatalf("decode: %v", err)
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		tb.Fatalf("validate: %v", err)
	}
	return m
}

// instrument instruments bin with o and returns the encoded result, which
// must validate.
func instrument(tb testing.TB, bin []byte, o Options) []byte {
	tb.Helper()
	m := decodeValid(tb, bin)
	im, err := Instrument(m, o)
	if err != nil {
		tb.Fatalf("instrument: %v", err)
	}
	out := wasm.Encode(im)
	decodeValid(tb, out)
	return out
}

// typedArgs turns raw argument bits into reference-machine values.
func typedArgs(tb testing.TB, m *wasm.Module, export string, args []uint64) []trace.Value {
	tb.Helper()
	for _, e := range m.Exports {
		if e.Name == export && e.Kind == wasm.ExternFunc {
			ft, ok := m.FuncType(e.Index)
			if !ok || len(ft.Params) != len(args) {
				tb.Fatalf("export %q: bad type or argument count", export)
			}
			vs := make([]trace.Value, len(args))
			for i, a := range args {
				if ft.Params[i] == wasm.I32 || ft.Params[i] == wasm.F32 {
					a &= 0xffffffff
				}
				vs[i] = trace.Value{Type: ft.Params[i], Bits: a}
			}
			return vs
		}
	}
	tb.Fatalf("no exported function %q", export)
	return nil
}

func runReference(tb testing.TB, bin []byte, export string, args []uint64) outcome {
	tb.Helper()
	m := decodeValid(tb, bin)
	mach := trace.NewMachine(trace.Config{})
	inst, err := mach.Instantiate(m)
	if err != nil {
		tb.Fatalf("reference: instantiate: %v", err)
	}
	var o outcome
	res, err := mach.Invoke(inst, export, typedArgs(tb, m, export, args))
	var trap *trace.Trap
	switch {
	case errors.As(err, &trap):
		o.trapped = true
	case err != nil:
		tb.Fatalf("reference: invoke: %v", err)
	}
	for _, v := range res {
		o.results = append(o.results, v.Bits)
	}
	get := func(name string) uint64 {
		ext, ok := inst.Export(name)
		if !ok {
			tb.Fatalf("reference: no export %q", name)
		}
		return mach.GlobalValue(ext).Bits
	}
	o.gasLeft, o.exit, o.depth = get(ExportGas), uint32(get(ExportExit)), uint32(get(ExportDepth))
	return o
}

func runWazero(tb testing.TB, cfg wazero.RuntimeConfig, bin []byte, export string, args []uint64) outcome {
	tb.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, bin)
	if err != nil {
		tb.Fatalf("wazero: instantiate: %v", err)
	}
	fn := mod.ExportedFunction(export)
	if fn == nil {
		tb.Fatalf("wazero: no exported function %q", export)
	}
	var o outcome
	res, err := fn.Call(ctx, args...)
	o.trapped = err != nil
	for i, r := range res {
		if t := fn.Definition().ResultTypes()[i]; t == api.ValueTypeI32 || t == api.ValueTypeF32 {
			r &= 0xffffffff
		}
		o.results = append(o.results, r)
	}
	get := func(name string) uint64 {
		g := mod.ExportedGlobal(name)
		if g == nil {
			tb.Fatalf("wazero: no export %q", name)
		}
		return g.Get()
	}
	o.gasLeft, o.exit, o.depth = get(ExportGas), uint32(get(ExportExit)), uint32(get(ExportDepth))
	return o
}
