package fuzz

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// The differential harness: a module and a list of calls run on the
// reference machine and on wazero, and each run is summarised as an
// outcome that can be compared with ==-like equality.

// call is one invocation of an export with its arguments, of the main
// module or (provider set) of the module it imports from.
type call struct {
	export   string
	args     []trace.Value
	provider bool
}

// result is the outcome of instantiation or of one call: a trap class, or
// the result values normalised to comparable bits.
type result struct {
	trap string // "" if the call returned
	vals []uint64
}

func (r result) String() string {
	if r.trap != "" {
		return "trap: " + r.trap
	}
	return fmt.Sprintf("ok %#x", r.vals)
}

func (r result) equal(o result) bool {
	if r.trap != o.trap || len(r.vals) != len(o.vals) {
		return false
	}
	for i := range r.vals {
		if r.vals[i] != o.vals[i] {
			return false
		}
	}
	return true
}

// run is the outcome of one engine on one module: instantiation, each call
// in order, then the exported globals and memory.
type run struct {
	inst    result
	calls   []result
	globals []uint64 // exported globals in export order, normalised
	memSize uint32   // pages of the exported memory
	memHash uint64   // FNV-1a of its bytes
}

// trapClass maps a reference trap to the class the engines can agree on:
// wazero reports all table faults as "invalid table access" and both stack
// limits as "stack overflow".
func trapClass(k trace.TrapKind) string {
	switch k {
	case trace.TrapOutOfBoundsTable, trace.TrapUndefinedElement, trace.TrapUninitializedElement:
		return "table"
	case trace.TrapCallStackExhausted, trace.TrapValueStackExhausted:
		return "stack"
	}
	return k.String()
}

// wazeroTrapClass maps a wazero error to a trap class, or "" if it is not
// a trap.
func wazeroTrapClass(err error) string {
	msg := err.Error()
	for _, c := range []struct{ text, class string }{
		{"invalid table access", "table"},
		{"stack overflow", "stack"},
		{"unreachable", "unreachable"},
		{"integer divide by zero", "integer divide by zero"},
		{"integer overflow", "integer overflow"},
		{"invalid conversion to integer", "invalid conversion to integer"},
		{"out of bounds memory access", "out of bounds memory access"},
		{"indirect call type mismatch", "indirect call type mismatch"},
	} {
		if strings.Contains(msg, "wasm error: "+c.text) {
			return c.class
		}
	}
	return ""
}

// norm reduces a value's bits to what engines must agree on: the low 32
// bits of 32-bit values, and only null-or-not for funcref (engines encode
// function references differently). An externref keeps its host value.
func norm(t wasm.ValType, bits uint64) uint64 {
	switch t {
	case wasm.I32, wasm.F32:
		return bits & 0xffffffff
	case wasm.FuncRef:
		if bits != 0 {
			return 1
		}
	}
	return bits
}

// rawArg is the wazero encoding of a reference-machine argument.
func rawArg(v trace.Value) uint64 { return v.Bits }

func fnv(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// planLinkedCalls is planCalls for a main module that imports from
// provider: each call is also preceded by a reset of the provider's fuel.
func planLinkedCalls(provider, m *wasm.Module, s *Source) []call {
	var calls []call
	for _, c := range planCalls(m, s) {
		if c.export == ResetFuelExport {
			calls = append(calls, call{export: ResetFuelExport, provider: true})
		}
		calls = append(calls, c)
	}
	return calls
}

// planCalls lists the calls the harness makes: every exported function
// (but the fuel reset) in export order, then all of them again with other
// arguments (so that the second round sees the state the first one left),
// with arguments from s; when the module has a fuel counter each call is
// preceded by a reset.
func planCalls(m *wasm.Module, s *Source) []call {
	var calls []call
	hasReset := false
	for _, e := range m.Exports {
		if e.Kind == wasm.ExternFunc && e.Name == ResetFuelExport {
			hasReset = true
		}
	}
	for round := 0; round < 2; round++ {
		for _, e := range m.Exports {
			if e.Kind != wasm.ExternFunc || e.Name == ResetFuelExport {
				continue
			}
			ft, _ := m.FuncType(e.Index)
			if hasReset {
				calls = append(calls, call{export: ResetFuelExport})
			}
			calls = append(calls, call{export: e.Name, args: Args(s, ft.Params)})
		}
	}
	return calls
}

// maxRefSteps bounds a reference run; the generator's fuel keeps real runs
// far below it.
const maxRefSteps = 50_000_000

// executed records which opcodes the reference machine executed.
type executed struct {
	seen  [0x10000]bool
	steps uint64
}

// runReference runs the calls on a fresh reference machine.
func runReference(m *wasm.Module, calls []call) (run, error) {
	return runReferenceTraced(nil, m, calls, nil)
}

// runReferenceTraced is runReference that first instantiates provider (if
// not nil) and registers it as ProviderModule, and records executed opcodes
// in ex when it is not nil.
func runReferenceTraced(provider, m *wasm.Module, calls []call, ex *executed) (run, error) {
	var r run
	mc := trace.NewMachine(trace.Config{MaxSteps: maxRefSteps})
	var pinst *trace.Instance
	if provider != nil {
		var err error
		if pinst, err = mc.Instantiate(provider); err != nil {
			var tr *trace.Trap
			if !errors.As(err, &tr) {
				return r, fmt.Errorf("reference: instantiate provider: %w", err)
			}
			r.inst = result{trap: "provider: " + trapClass(tr.Kind)}
			return r, nil
		}
		mc.Register(ProviderModule, pinst)
	}
	if ex != nil {
		mc.SetTracer(func(si trace.StepInfo) {
			ex.seen[si.Op] = true
			ex.steps++
		})
	}
	inst, err := mc.Instantiate(m)
	if err != nil {
		var tr *trace.Trap
		if !errors.As(err, &tr) {
			return r, fmt.Errorf("reference: instantiate: %w", err)
		}
		r.inst = result{trap: trapClass(tr.Kind)}
		return r, nil
	}
	for _, c := range calls {
		target := inst
		if c.provider {
			target = pinst
		}
		vals, err := mc.Invoke(target, c.export, c.args)
		if err != nil {
			var tr *trace.Trap
			if !errors.As(err, &tr) {
				return r, fmt.Errorf("reference: %s: %w", c.export, err)
			}
			if tr.Kind == trace.TrapStepLimit {
				return r, fmt.Errorf("reference: %s: step limit: generator fuel failed", c.export)
			}
			r.calls = append(r.calls, result{trap: trapClass(tr.Kind)})
			continue
		}
		res := result{vals: []uint64{}}
		for _, v := range vals {
			res.vals = append(res.vals, norm(v.Type, v.Bits))
		}
		r.calls = append(r.calls, res)
	}
	for _, e := range m.Exports {
		switch e.Kind {
		case wasm.ExternGlobal:
			ex, _ := inst.Export(e.Name)
			v := mc.GlobalValue(ex)
			r.globals = append(r.globals, norm(v.Type, v.Bits))
		case wasm.ExternMemory:
			ex, _ := inst.Export(e.Name)
			mem := mc.Memory(ex.Addr)
			r.memSize = mem.Size()
			buf := make([]byte, uint64(mem.Size())*65536)
			mem.Read(0, buf)
			r.memHash = fnv(buf)
		}
	}
	return r, nil
}

// wazeroEngine runs modules on one wazero runtime.
type wazeroEngine struct {
	name string
	rt   wazero.Runtime
}

func newWazero(ctx context.Context, name string, cfg wazero.RuntimeConfig) *wazeroEngine {
	return &wazeroEngine{name: name, rt: wazero.NewRuntimeWithConfig(ctx, cfg)}
}

func (w *wazeroEngine) close(ctx context.Context) { w.rt.Close(ctx) }

// run runs the calls on a fresh instance of bin.
func (w *wazeroEngine) run(ctx context.Context, m *wasm.Module, bin []byte, calls []call) (run, error) {
	return w.runLinked(ctx, nil, m, bin, calls)
}

// runLinked is run that first instantiates provider (if not nil) under the
// name ProviderModule.
func (w *wazeroEngine) runLinked(ctx context.Context, provider, m *wasm.Module, bin []byte, calls []call) (run, error) {
	var r run
	var pmod api.Module
	if provider != nil {
		pc, err := w.rt.CompileModule(ctx, wasm.Encode(provider))
		if err != nil {
			return r, fmt.Errorf("%s: compile provider: %w", w.name, err)
		}
		defer pc.Close(ctx)
		pmod, err = w.rt.InstantiateModule(ctx, pc, wazero.NewModuleConfig().WithName(ProviderModule))
		if err != nil {
			if c := wazeroTrapClass(err); c != "" {
				r.inst = result{trap: "provider: " + c}
				return r, nil
			}
			return r, fmt.Errorf("%s: instantiate provider: %w", w.name, err)
		}
		defer pmod.Close(ctx)
	}
	compiled, err := w.rt.CompileModule(ctx, bin)
	if err != nil {
		return r, fmt.Errorf("%s: compile: %w", w.name, err)
	}
	defer compiled.Close(ctx)
	mod, err := w.rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		if c := wazeroTrapClass(err); c != "" {
			r.inst = result{trap: c}
			return r, nil
		}
		return r, fmt.Errorf("%s: instantiate: %w", w.name, err)
	}
	defer mod.Close(ctx)
	for _, c := range calls {
		fn := mod.ExportedFunction(c.export)
		if c.provider {
			fn = pmod.ExportedFunction(c.export)
		}
		raw := make([]uint64, len(c.args))
		for i, a := range c.args {
			raw[i] = rawArg(a)
		}
		vals, err := fn.Call(ctx, raw...)
		if err != nil {
			cl := wazeroTrapClass(err)
			if cl == "" {
				return r, fmt.Errorf("%s: %s: %w", w.name, c.export, err)
			}
			r.calls = append(r.calls, result{trap: cl})
			continue
		}
		res := result{vals: []uint64{}}
		for i, t := range fn.Definition().ResultTypes() {
			res.vals = append(res.vals, norm(wazeroType(t), vals[i]))
		}
		r.calls = append(r.calls, res)
	}
	for _, e := range m.Exports {
		switch e.Kind {
		case wasm.ExternGlobal:
			g := mod.ExportedGlobal(e.Name)
			r.globals = append(r.globals, norm(wazeroType(g.Type()), g.Get()))
		case wasm.ExternMemory:
			mem := mod.ExportedMemory(e.Name)
			r.memSize = mem.Size() / 65536
			buf, _ := mem.Read(0, mem.Size())
			r.memHash = fnv(buf)
		}
	}
	return r, nil
}

func wazeroType(t api.ValueType) wasm.ValType { return wasm.ValType(t) }

// diffRuns describes the first difference between two runs, or "".
func diffRuns(calls []call, a, b run) string {
	if !a.inst.equal(b.inst) {
		return fmt.Sprintf("instantiate: %v vs %v", a.inst, b.inst)
	}
	if len(a.calls) != len(b.calls) {
		return fmt.Sprintf("%d vs %d calls", len(a.calls), len(b.calls))
	}
	for i := range a.calls {
		if !a.calls[i].equal(b.calls[i]) {
			return fmt.Sprintf("call %d %s%v: %v vs %v", i, calls[i].export, calls[i].args, a.calls[i], b.calls[i])
		}
	}
	for i := range a.globals {
		if i >= len(b.globals) || a.globals[i] != b.globals[i] {
			return fmt.Sprintf("exported global %d: %#x vs %#x", i, a.globals[i], b.globals)
		}
	}
	if a.memSize != b.memSize || a.memHash != b.memHash {
		return fmt.Sprintf("memory: %d pages hash %#x vs %d pages hash %#x", a.memSize, a.memHash, b.memSize, b.memHash)
	}
	return ""
}

// Findings against wazero v1.12.0 that are not ours (docs/divergence.md
// and testdata/regress/). A module that can
// reach one of them is not compared.
const (
	findingActiveData    = "F1 wazero keeps active data segments after instantiation: memory.init from one does not trap"
	findingExternrefElem = "F2 wazero leaves passive externref element segments empty: table.init from one traps"
	findingTypedSelect   = "F3 wazero's validator ignores a typed select's annotation: select (result f32) on f64 operands is accepted"
	findingCompilePanic  = "F4 wazero's CompileModule panics on a call to a later function whose type index is out of range"
)

// knownBug returns the finding a module may trigger on wazero, or "".
func knownBug(m *wasm.Module) string {
	for _, c := range m.Codes {
		for pc := uint32(0); pc < uint32(len(c.Body)); {
			in, next, err := wasm.ReadInstr(c.Body, pc)
			if err != nil {
				return ""
			}
			pc = next
			switch in.Op {
			case wasm.OpMemoryInit:
				if int(in.Index) < len(m.Datas) && m.Datas[in.Index].Mode == wasm.SegmentActive {
					return findingActiveData
				}
			case wasm.OpTableInit:
				if int(in.Index) < len(m.Elems) && m.Elems[in.Index].Type == wasm.ExternRef && m.Elems[in.Index].Mode == wasm.SegmentPassive {
					return findingExternrefElem
				}
			}
		}
	}
	return ""
}
