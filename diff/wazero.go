package diff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/wasm"
)

// Wazero is the engine "wazero-interp" or "wazero-compiler": wazero
// v1.12.0 with the ABI bound as host module "referee". It keeps one runtime
// and caches compiled modules by hash; each run instantiates afresh.
type Wazero struct {
	compiler      bool
	interruptible bool

	once    sync.Once
	initErr error
	rt      wazero.Runtime

	cache *codeCache[wazero.CompiledModule]

	// compiles counts compilations (tests). A second run of a module being
	// compiled waits for that compilation (the cache builds each key once)
	// instead of compiling a duplicate: the duplicate's Close would delete
	// the first's code, since wazero before v1.12 deletes compiled code by
	// module ID ("source module must be compiled before instantiation").
	compiles atomic.Int64
}

// NewWazero returns wazero's compiler (compiler true) or interpreter.
// interruptible makes a run stop at its context's deadline
// (WithCloseOnContextDone: wazero then checks the context at every loop
// header and function entry, which costs time on tight loops); without it a
// run stops only through the instrumentation's gas.
func NewWazero(compiler, interruptible bool) *Wazero {
	return &Wazero{compiler: compiler, interruptible: interruptible,
		cache: newCodeCache(func(cm wazero.CompiledModule) { cm.Close(context.Background()) })}
}

// Name returns "wazero-compiler" or "wazero-interp".
func (w *Wazero) Name() string {
	if w.compiler {
		return "wazero-compiler"
	}
	return "wazero-interp"
}

// wzRunKey carries the run's host context to the host functions.
type wzRunKey struct{}

type wzRun struct{ call *block.Call }

// wzMem adapts a wazero memory to block.Memory.
type wzMem struct{ m api.Memory }

func (w wzMem) Read(off, n uint32) ([]byte, bool)  { return w.m.Read(off, n) }
func (w wzMem) Write(off uint32, data []byte) bool { return w.m.Write(off, data) }

func (w *Wazero) init(ctx context.Context) error {
	w.once.Do(func() {
		cfg := wazero.NewRuntimeConfigInterpreter()
		if w.compiler {
			cfg = wazero.NewRuntimeConfigCompiler()
		}
		cfg = cfg.WithCloseOnContextDone(w.interruptible)
		w.rt = wazero.NewRuntimeWithConfig(context.Background(), cfg)
		hb := w.rt.NewHostModuleBuilder(block.ImportModule)
		for _, f := range block.HostFuncs() {
			f := f
			np := len(f.Type.Params)
			fn := api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
				r := ctx.Value(wzRunKey{}).(*wzRun)
				var mem block.Memory
				if m := mod.ExportedMemory("memory"); m != nil {
					mem = wzMem{m}
				}
				res, err := r.call.Invoke(f.Name, mem, stack[:np])
				if err != nil {
					panic(err) // wazero turns the panic into the call's error: the guest traps
				}
				copy(stack, res)
			})
			hb = hb.NewFunctionBuilder().WithGoModuleFunction(fn, valTypes(f.Type.Params), valTypes(f.Type.Results)).Export(f.Name)
		}
		_, w.initErr = hb.Instantiate(context.Background())
	})
	return w.initErr
}

func valTypes(ts []wasm.ValType) []api.ValueType {
	out := make([]api.ValueType, len(ts))
	for i, t := range ts {
		switch t {
		case wasm.I32:
			out[i] = api.ValueTypeI32
		case wasm.I64:
			out[i] = api.ValueTypeI64
		case wasm.F32:
			out[i] = api.ValueTypeF32
		case wasm.F64:
			out[i] = api.ValueTypeF64
		default:
			panic("BUG: diff: host ABI type " + t.String())
		}
	}
	return out
}

// Compile compiles p (once per hash).
func (w *Wazero) Compile(ctx context.Context, p *Prepared) error {
	_, release, err := w.compiled(p)
	release()
	return err
}

// compiled returns p compiled and the function that releases it.
func (w *Wazero) compiled(p *Prepared) (wazero.CompiledModule, func(), error) {
	if err := w.init(context.Background()); err != nil {
		return nil, func() {}, fmt.Errorf("%s: host module: %w", w.Name(), err)
	}
	return w.cache.get(p.Hash, func() (wazero.CompiledModule, error) {
		w.compiles.Add(1)
		cm, err := w.rt.CompileModule(context.Background(), p.Code)
		if err != nil {
			return nil, failf(ClassRejected, "%s: compile: %v", w.Name(), err)
		}
		return cm, nil
	})
}

type wzView struct{ mod api.Module }

func (v wzView) global(name string) (uint64, bool) {
	g := v.mod.ExportedGlobal(name)
	if g == nil {
		return 0, false
	}
	b := g.Get()
	if t := g.Type(); t == api.ValueTypeI32 || t == api.ValueTypeF32 {
		b &= 0xffffffff
	}
	return b, true
}

func (v wzView) memory() pagedMemory {
	m := v.mod.ExportedMemory("memory")
	if m == nil {
		return sliceMem(nil)
	}
	b, _ := m.Read(0, m.Size())
	return sliceMem(b)
}

// Run instantiates the compiled module, sets referee_gas to the gas limit
// and invokes the entry.
func (w *Wazero) Run(ctx context.Context, req *Request) (Outcome, error) {
	cm, release, err := w.compiled(req.Prog)
	defer release()
	if err != nil {
		return Outcome{}, err
	}
	run := &wzRun{call: block.NewCall(req.State, req.Tx)}
	ctx = context.WithValue(ctx, wzRunKey{}, run)
	mod, err := w.rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		if ctx.Err() != nil {
			return Outcome{}, failf(ClassEngineTimeout, "%s: instantiate: %v", w.Name(), ctx.Err())
		}
		if k, ok := segmentTrapKind(err.Error()); ok {
			return instantiationTrap(req, run.call, k, w.Name()+": instantiate: "+firstLine(err.Error())), nil
		}
		return Outcome{}, failf(ClassRejected, "%s: instantiate: %v", w.Name(), err)
	}
	defer mod.Close(context.Background())
	gas, ok := mod.ExportedGlobal("referee_gas").(api.MutableGlobal)
	if !ok {
		return Outcome{}, fmt.Errorf("%s: referee_gas is not a mutable global", w.Name())
	}
	gas.Set(req.Tx.GasLimit)
	view := wzView{mod}
	initMem := initialMemory(req.Prog, view.memory())
	fn := mod.ExportedFunction(req.Tx.Entry)
	if fn == nil {
		return Outcome{}, failf(ClassRejected, "%s: no exported function %q", w.Name(), req.Tx.Entry)
	}
	res, err := fn.Call(ctx, req.Args...)
	if err == nil {
		rts := fn.Definition().ResultTypes()
		out := make([]uint64, len(res))
		for i, r := range res {
			if rts[i] == api.ValueTypeI32 || rts[i] == api.ValueTypeF32 {
				r &= 0xffffffff
			}
			out[i] = r
		}
		return finish(req, run.call, false, "", out, view, initMem), nil
	}
	var exit *sys.ExitError
	if ctx.Err() != nil || errors.As(err, &exit) {
		return Outcome{}, failf(ClassEngineTimeout, "%s: %v", w.Name(), firstLine(err.Error()))
	}
	kind := ""
	if run.call.Trap() == nil {
		msg := err.Error()
		k, ok := strings.CutPrefix(firstLine(msg), "wasm error: ")
		if !ok {
			return Outcome{}, failf(ClassEngineCrash, "%s: %v", w.Name(), firstLine(msg))
		}
		kind = NormalizeTrap(k)
	}
	o := finish(req, run.call, true, kind, nil, view, initMem)
	o.Detail = firstLine(err.Error())
	return o, nil
}

// Close releases the compiled modules and the runtime.
func (w *Wazero) Close() error {
	w.cache.closeAll()
	if w.rt != nil {
		return w.rt.Close(context.Background())
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
