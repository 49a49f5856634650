package diff

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/wasm"
)

// ErrGate is the class of errors of the gatekeeper: a module that no engine
// may compile. CheckBlock reports it as bad input.
var ErrGate = errors.New("refused by the gatekeeper")

// GateOptions configures the gatekeeper.
type GateOptions struct {
	// Limits bounds sizes, counts, locals and nesting (wasm.Validate);
	// blocks use meter.BlockLimits; zero fields take wasm.DefaultLimits.
	Limits wasm.ResourceLimits
	// Meter is the instrumentation every engine runs.
	Meter meter.Options
	// CompileBudget is the wall-clock budget of one engine compiling one
	// module (0: DefaultCompileBudget).
	CompileBudget time.Duration
}

// DefaultCompileBudget is the compile-time budget per engine and module.
const DefaultCompileBudget = 10 * time.Second

// DefaultGateOptions returns the options used for blocks.
func DefaultGateOptions() GateOptions {
	return GateOptions{Limits: meter.BlockLimits(), Meter: meter.DefaultOptions(), CompileBudget: DefaultCompileBudget}
}

// Prepared is a module that passed the gatekeeper, instrumented: what every
// engine compiles. It is read-only once built.
type Prepared struct {
	Code    []byte       // the instrumented binary
	Hash    [32]byte     // sha256 of Code: the engines' compile cache key
	Module  *wasm.Module // Code decoded
	Globals []string     // names of the exported globals, in export order
	// Original is the module before instrumentation (nil when built by
	// LoadPrepared from an instrumented binary).
	Original *wasm.Module

	preparedMemory // the memory right after instantiation, filled in on first use (memory.go)
}

// Gate is the static gatekeeper: it decodes bin, validates it against the
// limits (Wasm 2.0, SIMD included, without threads or relaxed SIMD: the
// decoder knows neither the threads opcodes nor shared memories and
// refuses relaxed SIMD by name), and
// instruments it. The dynamic half, the compile-time budget, is applied by
// CheckBlock around each engine's Compile.
func Gate(bin []byte, o GateOptions) (*Prepared, error) {
	lim := o.Limits
	if lim.MaxModuleSize == 0 {
		lim.MaxModuleSize = wasm.DefaultLimits().MaxModuleSize
	}
	orig, err := decodeValid(bin, lim)
	if err != nil {
		return nil, err
	}
	code, err := meter.Prepare(bin, lim, o.Meter)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGate, err)
	}
	// The instrumented module must satisfy the configured limits raised by
	// what instrumentation adds, and nothing stricter: a module the gate
	// accepted is never refused here.
	p, err := loadPrepared(code, meter.InstrumentedLimits(lim))
	if err != nil {
		return nil, fmt.Errorf("BUG: instrumented module: %w", err)
	}
	p.Original = orig
	return p, nil
}

func decodeValid(bin []byte, lim wasm.ResourceLimits) (*wasm.Module, error) {
	if lim.MaxModuleSize != 0 && uint64(len(bin)) > uint64(lim.MaxModuleSize) {
		return nil, fmt.Errorf("%w: module of %d bytes: %w: more than MaxModuleSize (%d bytes)", ErrGate, len(bin), wasm.ErrLimit, lim.MaxModuleSize)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrGate, err)
	}
	if err := wasm.Validate(m, lim); err != nil {
		return nil, fmt.Errorf("%w: validate: %w", ErrGate, err)
	}
	return m, nil
}

// LoadPrepared decodes and validates an already instrumented binary (an
// isolated child receives one from its parent, which gated the original
// with limits the child does not know) and indexes its exports. Validation
// checks the structure only: every resource limit is lifted, so that
// whatever the parent's gate accepted loads here.
func LoadPrepared(code []byte) (*Prepared, error) {
	return loadPrepared(code, wasm.LiftedLimits())
}

func loadPrepared(code []byte, lim wasm.ResourceLimits) (*Prepared, error) {
	m, err := wasm.Decode(code)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := wasm.Validate(m, lim); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	p := &Prepared{Code: code, Hash: sha256.Sum256(code), Module: m}
	for _, e := range m.Exports {
		if e.Kind == wasm.ExternGlobal {
			p.Globals = append(p.Globals, e.Name)
		}
	}
	if _, ok := p.exportIndex(meter.ExportGas, wasm.ExternGlobal); !ok {
		return nil, fmt.Errorf("no exported global %q: not instrumented", meter.ExportGas)
	}
	return p, nil
}

func (p *Prepared) exportIndex(name string, kind wasm.ExternKind) (uint32, bool) {
	for _, e := range p.Module.Exports {
		if e.Name == name && e.Kind == kind {
			return e.Index, true
		}
	}
	return 0, false
}

// compileWithin runs compile and waits at most budget for it. Past the
// budget it returns an engine-timeout failure at once and leaves the
// compilation to finish in the background (it cannot be interrupted in
// process; --isolate kills the child instead). A compile error is class
// rejected-by-engine; a panic is engine-crash.
func compileWithin(ctx context.Context, budget time.Duration, engine string, compile func() error) error {
	if budget <= 0 {
		budget = DefaultCompileBudget
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- failf(ClassEngineCrash, "%s: compile panicked: %v", engine, r)
			}
		}()
		done <- compile()
	}()
	t := time.NewTimer(budget)
	defer t.Stop()
	select {
	case err := <-done:
		var f *Failure
		if err != nil && !errors.As(err, &f) {
			return failf(ClassRejected, "%s: compile: %v", engine, err)
		}
		return err
	case <-t.C:
		return failf(ClassEngineTimeout, "%s: compile took longer than %v", engine, budget)
	case <-ctx.Done():
		return failf(ClassEngineTimeout, "%s: compile interrupted: %v", engine, ctx.Err())
	}
}
