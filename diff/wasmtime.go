//go:build cgo

package diff

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/wasm"
)

func init() {
	engineMakers = append(engineMakers, struct {
		name string
		make func(EngineConfig) Engine
	}{"wasmtime", func(c EngineConfig) Engine { return NewWasmtime(c.Interruptible) }})
}

// epochTick is the period of the epoch ticker that interrupts wasmtime
// runs past their deadline.
const epochTick = 10 * time.Millisecond

// Wasmtime is the engine "wasmtime": wasmtime-go v39 with Cranelift (its
// optimizer off, 1 MiB of Wasm stack), fuel off (the instrumentation
// meters), only the Wasm 2.0 features (SIMD included, relaxed SIMD not), no NaN canonicalisation
// of its own. One wasmtime engine and linker serve
// every run; modules are cached by hash; each run has an instance in the
// state right after instantiation, reused across runs where the module
// allows it (wasmtime_store.go).
type Wasmtime struct {
	interruptible bool

	once    sync.Once
	initErr error
	engine  *wasmtime.Engine
	linker  *wasmtime.Linker
	stop    chan struct{}

	mu        sync.Mutex // guards stop, idlePages and closed
	idlePages uint64     // memory of the idle instances (wasmtime_store.go)
	closed    bool
	cache     *codeCache[*wtPlan]
	reused    reuseCount // runs on a reused instance
}

// NewWasmtime returns the wasmtime engine. interruptible enables epoch
// interruption: a ticker advances the epoch every 10 ms and each store's
// deadline is its context's, at the price of an epoch check at every loop
// header and function entry.
func NewWasmtime(interruptible bool) *Wasmtime {
	w := &Wasmtime{interruptible: interruptible}
	w.cache = newCodeCache(w.closePlan)
	return w
}

// Name returns "wasmtime".
func (*Wasmtime) Name() string { return "wasmtime" }

// wtRun is the run's host context; mem is the instance's exported memory
// once instantiated (nil: none, or not yet).
type wtRun struct {
	call *block.Call
	mem  *wasmtime.Memory
}

// wtMem adapts a wasmtime memory to block.Memory; the view is taken afresh
// on every access (memory.grow may move it).
type wtMem struct {
	m     *wasmtime.Memory
	store wasmtime.Storelike
}

func (w wtMem) Read(off, n uint32) ([]byte, bool) {
	d := w.m.UnsafeData(w.store)
	if uint64(off)+uint64(n) > uint64(len(d)) {
		return nil, false
	}
	return d[off : off+n], true
}

func (w wtMem) Write(off uint32, data []byte) bool {
	d := w.m.UnsafeData(w.store)
	if uint64(off)+uint64(len(data)) > uint64(len(d)) {
		return false
	}
	copy(d[off:], data)
	return true
}

func (w *Wasmtime) init() error {
	w.once.Do(func() {
		if err := checkNativeStack(2 * WasmtimeMaxWasmStack); err != nil {
			w.initErr = fmt.Errorf("wasmtime: %w", err)
			return
		}
		// With RUST_BACKTRACE=1 in the environment (common on developer
		// machines), wasmtime captures and symbolises a Rust backtrace for
		// every trap and host error: 30-100x the cost of a transaction
		// (decompressing the binary's debug sections). Library backtraces
		// are off unless asked for explicitly; panics keep RUST_BACKTRACE.
		if _, set := os.LookupEnv("RUST_LIB_BACKTRACE"); !set {
			os.Setenv("RUST_LIB_BACKTRACE", "0")
		}
		cfg := wasmtime.NewConfig()
		cfg.SetStrategy(wasmtime.StrategyCranelift)
		cfg.SetConsumeFuel(false)
		cfg.SetMaxWasmStack(WasmtimeMaxWasmStack)
		// Cranelift's optimizer is superlinear in the loads of a function:
		// one function of 8,500 loads at distinct offsets took 1.6 s of CPU
		// at OptLevelSpeed, nine of 4,000 took 4.0 s (35 s of wall time on a
		// loaded machine, past the compile budget), against 0.2 s without
		// it, while the workloads run at most ~1.25x slower
		// (docs/metering.md, "The static gatekeeper"). Compile time is
		// what the gate must bound; wasmtime is rarely the slowest engine.
		cfg.SetCraneliftOptLevel(wasmtime.OptLevelNone)
		cfg.SetEpochInterruption(w.interruptible)
		cfg.SetCraneliftNanCanonicalization(false)
		cfg.SetWasmRelaxedSIMD(false)
		cfg.SetWasmSIMD(true) // Wasm 2.0's fixed-width SIMD; relaxed SIMD stays off
		cfg.SetWasmThreads(false)
		cfg.SetWasmMultiMemory(false)
		cfg.SetWasmMemory64(false)
		cfg.SetWasmTailCall(false)
		cfg.SetWasmGC(false)
		cfg.SetWasmFunctionReferences(false)
		cfg.SetWasmWideArithmetic(false)
		w.engine = wasmtime.NewEngineWithConfig(cfg)
		w.linker = wasmtime.NewLinker(w.engine)
		for _, f := range block.HostFuncs() {
			f := f
			ty := wasmtime.NewFuncType(wtTypes(f.Type.Params), wtTypes(f.Type.Results))
			err := w.linker.FuncNew(block.ImportModule, f.Name, ty, func(c *wasmtime.Caller, args []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
				r := c.Data().(*wtSlot).run
				raw := make([]uint64, len(args))
				for i, a := range args {
					raw[i] = uint64(uint32(a.I32())) // the ABI has i32 parameters only
				}
				var mem block.Memory
				if r.mem != nil {
					mem = wtMem{r.mem, c}
				} else if ex := c.GetExport("memory"); ex != nil && ex.Memory() != nil {
					mem = wtMem{ex.Memory(), c}
				}
				res, err := r.call.Invoke(f.Name, mem, raw)
				if err != nil {
					return nil, wasmtime.NewTrap(err.Error())
				}
				out := make([]wasmtime.Val, len(res))
				for i, v := range res {
					out[i] = wasmtime.ValI32(int32(uint32(v)))
				}
				return out, nil
			})
			if err != nil {
				w.initErr = fmt.Errorf("wasmtime: define %s: %w", f.Name, err)
				return
			}
		}
		if w.interruptible {
			stop := make(chan struct{})
			w.mu.Lock()
			w.stop = stop
			w.mu.Unlock()
			go func() {
				// The epoch follows the clock, not the ticks: a ticker drops
				// ticks when its goroutine is late (a loaded machine), and a
				// deadline counted in ticks would then come late, past the
				// grace (seen: 6 s for a 5 s budget with four engines on two
				// cores). Each wake-up catches up the elapsed periods.
				start := time.Now()
				var epochs int64
				t := time.NewTicker(epochTick)
				defer t.Stop()
				for {
					select {
					case now := <-t.C:
						for due := int64(now.Sub(start) / epochTick); epochs < due; epochs++ {
							w.engine.IncrementEpoch()
						}
					case <-stop:
						return
					}
				}
			}()
		}
	})
	return w.initErr
}

func wtTypes(ts []wasm.ValType) []*wasmtime.ValType {
	out := make([]*wasmtime.ValType, len(ts))
	for i, t := range ts {
		switch t {
		case wasm.I32:
			out[i] = wasmtime.NewValType(wasmtime.KindI32)
		case wasm.I64:
			out[i] = wasmtime.NewValType(wasmtime.KindI64)
		case wasm.F32:
			out[i] = wasmtime.NewValType(wasmtime.KindF32)
		case wasm.F64:
			out[i] = wasmtime.NewValType(wasmtime.KindF64)
		default:
			panic("BUG: diff: host ABI type " + t.String())
		}
	}
	return out
}

// Compile compiles p (once per hash).
func (w *Wasmtime) Compile(ctx context.Context, p *Prepared) error {
	_, release, err := w.plan(p)
	release()
	return err
}

// plan returns how p runs, compiled, and the function that releases it.
func (w *Wasmtime) plan(p *Prepared) (*wtPlan, func(), error) {
	if err := w.init(); err != nil {
		return nil, func() {}, err
	}
	return w.cache.get(p.Hash, func() (*wtPlan, error) { return w.newPlan(p) })
}

// wtView looks each export up once per run (every lookup is a cgo call
// and an object with a finalizer).
type wtView struct {
	inst    *wasmtime.Instance
	store   *wasmtime.Store
	mem     *wasmtime.Memory // nil: no exported memory
	globals map[string]*wasmtime.Global
}

func newWtView(inst *wasmtime.Instance, store *wasmtime.Store) *wtView {
	v := &wtView{inst: inst, store: store, globals: map[string]*wasmtime.Global{}}
	if ex := inst.GetExport(store, "memory"); ex != nil {
		v.mem = ex.Memory()
	}
	return v
}

func (v *wtView) exportedGlobal(name string) *wasmtime.Global {
	g, ok := v.globals[name]
	if !ok {
		if ex := v.inst.GetExport(v.store, name); ex != nil {
			g = ex.Global()
		}
		v.globals[name] = g
	}
	return g
}

func (v *wtView) global(name string) (uint64, bool) {
	g := v.exportedGlobal(name)
	if g == nil {
		return 0, false
	}
	return valBits(g.Get(v.store))
}

func (v *wtView) memory() pagedMemory {
	if v.mem == nil {
		return sliceMem(nil)
	}
	return sliceMem(v.mem.UnsafeData(v.store))
}

// pages is the memory's size in 64 KiB pages.
func (v *wtView) pages() uint64 {
	if v.mem == nil {
		return 0
	}
	return uint64(len(v.mem.UnsafeData(v.store)) / 65536)
}

// Reference values are represented as on the other engines: a null
// reference is 0; a non-null externref is the host value the caller passed
// (an entry argument's bits, kept by wasmtime-go as a uint64); a non-null
// funcref is 1. Engines encode function references differently (the
// reference machine's store address + 1, wazero's pointer), so only null or
// not is comparable; finish (outcome.go) reduces every funcref an outcome
// carries to 0 or 1, as the fuzzing oracles do.

// funcRefBits is the bits of a funcref: 0 if null, else 1.
func funcRefBits(f *wasmtime.Func) uint64 {
	if f == nil {
		return 0
	}
	return 1
}

// externRefBits is the bits of an externref's host value: 0 if null, else
// the uint64 the caller passed; false if the value is not one of ours.
func externRefBits(x any) (uint64, bool) {
	switch v := x.(type) {
	case nil:
		return 0, true
	case uint64:
		return v, true
	}
	return 0, false
}

func valBits(v wasmtime.Val) (uint64, bool) {
	switch v.Kind() {
	case wasmtime.KindI32:
		return uint64(uint32(v.I32())), true
	case wasmtime.KindI64:
		return uint64(v.I64()), true
	case wasmtime.KindF32:
		return uint64(math.Float32bits(v.F32())), true
	case wasmtime.KindF64:
		return math.Float64bits(v.F64()), true
	case wasmtime.KindFuncref:
		return funcRefBits(v.Funcref()), true
	case wasmtime.KindExternref:
		return externRefBits(v.Externref())
	}
	return 0, false
}

// goBits is the bits of a single result as wasmtime-go's Func.Call returns
// it (the Go value of the result, which loses a null reference's kind):
// k is the result's declared kind.
func goBits(k wasmtime.ValKind, x any) (uint64, bool) {
	switch k {
	case wasmtime.KindFuncref:
		f, ok := x.(*wasmtime.Func)
		return funcRefBits(f), ok || x == nil
	case wasmtime.KindExternref:
		return externRefBits(x)
	}
	switch v := x.(type) {
	case int32:
		return uint64(uint32(v)), true
	case int64:
		return uint64(v), true
	case float32:
		return uint64(math.Float32bits(v)), true
	case float64:
		return math.Float64bits(v), true
	case wasmtime.Val:
		return valBits(v)
	}
	return 0, false
}

// wtArg converts an entry argument's bits to the value Func.Call takes for
// a parameter of kind k. A non-null funcref cannot be made from bits (a
// host has no function reference to pass): it is refused.
func wtArg(k wasmtime.ValKind, a uint64) (any, bool) {
	switch k {
	case wasmtime.KindI32:
		return int32(uint32(a)), true
	case wasmtime.KindI64:
		return int64(a), true
	case wasmtime.KindF32:
		return math.Float32frombits(uint32(a)), true
	case wasmtime.KindF64:
		return math.Float64frombits(a), true
	case wasmtime.KindFuncref:
		return wasmtime.ValFuncref(nil), a == 0
	case wasmtime.KindExternref:
		if a == 0 {
			return wasmtime.ValExternref(nil), true
		}
		return wasmtime.ValExternref(a), true
	}
	return nil, false
}

// callResults converts what Func.Call returned to result bits, by the
// declared result types.
func callResults(results []*wasmtime.ValType, res any) ([]uint64, error) {
	switch len(results) {
	case 0:
		return nil, nil
	case 1:
		b, ok := goBits(results[0].Kind(), res)
		if !ok {
			return nil, fmt.Errorf("wasmtime: result of type %T for a %v result", res, results[0].Kind())
		}
		return []uint64{b}, nil
	}
	vals, ok := res.([]wasmtime.Val)
	if !ok || len(vals) != len(results) {
		return nil, fmt.Errorf("wasmtime: results of type %T for %d results", res, len(results))
	}
	out := make([]uint64, len(vals))
	for i, v := range vals {
		b, ok := valBits(v)
		if !ok {
			return nil, fmt.Errorf("wasmtime: result %d of kind %v", i, v.Kind())
		}
		out[i] = b
	}
	return out, nil
}

// Run takes an instance in the state right after instantiation (a fresh
// one, or one reset after an earlier run: wasmtime_store.go), sets
// referee_gas to the gas limit and invokes the entry.
func (w *Wasmtime) Run(ctx context.Context, req *Request) (Outcome, error) {
	plan, release, err := w.plan(req.Prog)
	defer release()
	if err != nil {
		return Outcome{}, err
	}
	run := &wtRun{call: block.NewCall(req.State, req.Tx)}
	wi, err := w.instance(plan)
	if err != nil {
		var trap *wasmtime.Trap
		if errors.As(err, &trap) {
			if code := trap.Code(); code != nil && (*code == wasmtime.MemoryOutOfBounds || *code == wasmtime.TableOutOfBounds) {
				return instantiationTrap(req, run.call, wtTrapKind(*code), "wasmtime: instantiate: "+firstLine(err.Error())), nil
			}
		}
		return Outcome{}, failf(ClassRejected, "wasmtime: instantiate: %v", firstLine(err.Error()))
	}
	ok := false // an outcome was produced: the instance may be reused
	defer func() { w.release(plan, req.Prog, wi, ok) }()
	wi.slot.run = run
	store, inst, view := wi.store, wi.inst, wi.view
	w.setDeadline(ctx, store)
	run.mem = view.mem
	gas := view.exportedGlobal("referee_gas")
	if gas == nil {
		return Outcome{}, errors.New("wasmtime: no referee_gas global")
	}
	if err := gas.Set(store, wasmtime.ValI64(int64(req.Tx.GasLimit))); err != nil {
		return Outcome{}, fmt.Errorf("wasmtime: set referee_gas: %w", err)
	}
	initMem := initialMemory(req.Prog, view.memory())
	fn := inst.GetFunc(store, req.Tx.Entry)
	if fn == nil {
		return Outcome{}, failf(ClassRejected, "wasmtime: no exported function %q", req.Tx.Entry)
	}
	ftype := fn.Type(store)
	params := ftype.Params()
	if len(params) != len(req.Args) {
		return Outcome{}, failf(ClassRejected, "wasmtime: %q takes %d arguments, got %d", req.Tx.Entry, len(params), len(req.Args))
	}
	args := make([]any, len(req.Args))
	for i, a := range req.Args {
		v, ok := wtArg(params[i].Kind(), a)
		if !ok {
			return Outcome{}, failf(ClassRejected, "wasmtime: %q: argument %d of kind %v: unsupported (%#x)", req.Tx.Entry, i, params[i].Kind(), a)
		}
		args[i] = v
	}
	res, err := fn.Call(store, args...)
	if err == nil {
		out, err := callResults(ftype.Results(), res)
		if err != nil {
			return Outcome{}, failf(ClassEngineCrash, "%v", err)
		}
		ok = true
		return finish(req, run.call, false, "", out, view, initMem), nil
	}
	kind := ""
	if run.call.Trap() == nil { // a host trap comes back as an error without a trap code
		var trap *wasmtime.Trap
		if !errors.As(err, &trap) {
			return Outcome{}, failf(ClassEngineCrash, "wasmtime: %v", firstLine(err.Error()))
		}
		code := trap.Code()
		if code == nil {
			return Outcome{}, failf(ClassEngineCrash, "wasmtime: trap without a code: %v", firstLine(trap.Message()))
		}
		if *code == wasmtime.Interrupt {
			return Outcome{}, failf(ClassEngineTimeout, "wasmtime: interrupted at the deadline")
		}
		if kind = wtTrapKind(*code); kind == "" {
			return Outcome{}, failf(ClassEngineCrash, "wasmtime: unexpected trap code %d: %v", *code, firstLine(trap.Message()))
		}
	}
	o := finish(req, run.call, true, kind, nil, view, initMem)
	o.Detail = firstLine(err.Error())
	ok = true
	return o, nil
}

// wtTrapKind is the normalised kind of a wasmtime trap code, or "" for a
// code that is not a guest trap of Wasm 2.0.
func wtTrapKind(code wasmtime.TrapCode) string {
	switch code {
	case wasmtime.StackOverflow:
		return TrapCallStack
	case wasmtime.MemoryOutOfBounds:
		return "out of bounds memory access"
	case wasmtime.TableOutOfBounds, wasmtime.IndirectCallToNull:
		return TrapTableAccess
	case wasmtime.BadSignature:
		return "indirect call type mismatch"
	case wasmtime.IntegerOverflow:
		return "integer overflow"
	case wasmtime.IntegerDivisionByZero:
		return "integer divide by zero"
	case wasmtime.BadConversionToInteger:
		return "invalid conversion to integer"
	case wasmtime.UnreachableCodeReached:
		return "unreachable"
	}
	return ""
}

// setDeadline makes an interruptible engine's store stop at ctx's
// deadline: the epoch ticks every epochTick (no deadline: never).
func (w *Wasmtime) setDeadline(ctx context.Context, store *wasmtime.Store) {
	if !w.interruptible {
		return
	}
	ticks := uint64(1) << 62
	if dl, ok := ctx.Deadline(); ok {
		ticks = uint64(time.Until(dl)/epochTick) + 1
	}
	store.SetEpochDeadline(ticks)
}

// Close stops the epoch ticker and releases the stores and the compiled
// modules.
func (w *Wasmtime) Close() error {
	w.mu.Lock()
	w.closed = true // no more idle instances
	w.mu.Unlock()
	w.cache.closeAll()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop != nil {
		close(w.stop)
		w.stop = nil
	}
	return nil
}

// WasmtimeMaxWasmStack is the native stack wasmtime lets Wasm code use
// (wasmtime's default is 512 KiB). The meter's depth counter bounds what a
// contract can use to about 0.3 MiB on wasmtime (docs/metering.md, "Call
// depth"), so 1 MiB leaves a margin of 3.6 over the measured frames; past
// it wasmtime traps with StackOverflow, an engine-specific limit that must
// never be reached first. The thread that runs the Wasm
// code must have more native stack than this (checkNativeStack).
const WasmtimeMaxWasmStack = 1 << 20
