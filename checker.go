package referee

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

// ErrUnknownEngine is wrapped by the errors for an engine name a Checker
// does not know: bad input, like a malformed block.
var ErrUnknownEngine = errors.New("unknown engine")

// Defaults of Config.
const (
	DefaultCacheEntries = 1024      // modules kept: prepared and compiled, every engine together
	DefaultCacheBytes   = 256 << 20 // weighted bytes (diff.ModuleCache)
)

// Config configures a Checker. The zero value checks on every engine built
// in, in process, with the CLI's budgets.
type Config struct {
	// Engines are the engines a check may use, in the default comparison
	// order: names of diff.AllEngineNames, "planted" or "planted:FIELD@TX"
	// (docs/divergence.md). Empty: every engine built in.
	Engines []string
	// Interrupt says which engines stop themselves at a run's deadline:
	// "cheap" (default: wasmtime's epochs and the reference machine),
	// "all" (also wazero, up to 20x slower on tight loops), "none".
	Interrupt string
	// RunBudget is the wall-clock budget of one engine running one
	// transaction; past it the run is engine-timeout. 0:
	// diff.DefaultRunBudget; negative: none.
	RunBudget time.Duration
	// Isolate, if set, runs every engine but the planted ones in child
	// processes.
	Isolate *IsolateConfig
	// CacheEntries and CacheBytes bound the module cache (0: the defaults).
	CacheEntries int
	CacheBytes   int64
	// OnCompile, if set, is called after each compilation (the cache's
	// misses), with the engine, the time taken and the error.
	OnCompile func(engine string, d time.Duration, err error)
}

// IsolateConfig configures the child processes of an isolated Checker.
type IsolateConfig struct {
	// Cmd is the child's argv: a program that calls diff.ServeChild on its
	// stdin and stdout (the referee binary: "referee check --engine-child").
	Cmd []string
	Env []string // added to the environment of each child
	// Children is the pool size per engine (0: 1): at most that many runs
	// of one engine at once.
	Children int
	// OnRestart, if set, is called when a child is killed and replaced
	// (reason "crash", "timeout" or "cancel").
	OnRestart func(engine, reason string)
}

// Checker checks blocks. It keeps one instance of each configured engine
// for its lifetime, and a module cache they share. It is safe for
// concurrent use; Close it when done.
type Checker struct {
	names   []string
	engines map[string]diff.Engine
	cache   *diff.ModuleCache
	opts    diff.Options
	cfg     diff.EngineConfig

	mu     sync.Mutex
	closed bool
}

// NewChecker builds the configured engines.
func NewChecker(c Config) (*Checker, error) {
	names := c.Engines
	if len(names) == 0 {
		names = diff.AllEngineNames()
	}
	var ecfg diff.EngineConfig
	switch c.Interrupt {
	case "", "cheap":
		ecfg = diff.EngineConfig{Interruptible: true, NoWazeroInterrupt: true}
	case "all":
		ecfg = diff.EngineConfig{Interruptible: true}
	case "none":
	default:
		return nil, fmt.Errorf("interrupt mode %q is not cheap, all or none", c.Interrupt)
	}
	entries, bytes := c.CacheEntries, c.CacheBytes
	if entries == 0 {
		entries = DefaultCacheEntries
	}
	if bytes == 0 {
		bytes = DefaultCacheBytes
	}
	k := &Checker{names: names, engines: map[string]diff.Engine{}, cache: diff.NewModuleCache(entries, bytes), opts: diff.DefaultOptions(), cfg: ecfg}
	k.cache.OnCompile = c.OnCompile
	k.opts.Cache = k.cache
	switch {
	case c.RunBudget > 0:
		k.opts.RunBudget = c.RunBudget
	case c.RunBudget < 0:
		k.opts.RunBudget = 0
	}
	for _, n := range names {
		if _, dup := k.engines[n]; dup {
			k.Close()
			return nil, fmt.Errorf("engine %q listed twice", n)
		}
		e, err := k.build(n, c.Isolate)
		if err != nil {
			k.Close()
			return nil, err
		}
		k.engines[n] = e
	}
	return k, nil
}

// build returns the long-lived engine n.
func (k *Checker) build(n string, iso *IsolateConfig) (diff.Engine, error) {
	if iso != nil && !isPlanted(n) {
		e, err := diff.NewIsolated(n, iso.Cmd, iso.Env) // builds the engine once to check the name
		if err != nil {
			return nil, engineErr([]string{n}, err)
		}
		e.Children, e.OnRestart = iso.Children, iso.OnRestart
		return e, nil
	}
	es, err := engines([]string{n}, k.cfg)
	if err != nil {
		return nil, err
	}
	if _, err := k.cache.Attach(es[0]); err != nil {
		diff.CloseEngines(es)
		return nil, err
	}
	return es[0], nil
}

// engineError is an error of diff's engine registry, matching
// ErrUnknownEngine with the registry's own message.
type engineError struct{ err error }

// ErrNoCgo is the error for "wasmtime" in a binary built without cgo.
var ErrNoCgo = errors.New("wasmtime needs a cgo build (a C compiler); this binary was built with CGO_ENABLED=0")

// engines builds the named engines (diff.Engines), saying why wasmtime is
// missing when it is.
func engines(names []string, c diff.EngineConfig) ([]diff.Engine, error) {
	es, err := diff.Engines(names, c)
	if err != nil {
		return nil, engineErr(names, err)
	}
	return es, nil
}

// engineErr is err of building the named engines as an engineError,
// ErrNoCgo when one of them is the missing wasmtime.
func engineErr(names []string, err error) error {
	for _, n := range names {
		if n == "wasmtime" && !slices.Contains(diff.AllEngineNames(), n) {
			return engineError{ErrNoCgo}
		}
	}
	return engineError{err}
}

func (e engineError) Error() string   { return e.err.Error() }
func (e engineError) Unwrap() []error { return []error{ErrUnknownEngine, e.err} }

func isPlanted(n string) bool { return n == "planted" || strings.HasPrefix(n, "planted:") }

// Engines returns the configured engine names, in the default order.
func (k *Checker) Engines() []string { return slices.Clone(k.names) }

// Cache returns the module cache (for its statistics).
func (k *Checker) Cache() *diff.ModuleCache { return k.cache }

// Isolated returns the isolated engines, in the configured order (none
// without Config.Isolate).
func (k *Checker) Isolated() []*diff.Isolated {
	var out []*diff.Isolated
	for _, n := range k.names {
		if e, ok := k.engines[n].(*diff.Isolated); ok {
			out = append(out, e)
		}
	}
	return out
}

// CheckOptions are the per-check choices.
type CheckOptions struct {
	// Engines picks and orders engines for this check among the
	// configured ones; a planted engine ("planted", "planted:FIELD@TX")
	// may be named even if not configured (it is the reference machine
	// with a fault, built for the check). Empty: the configured ones.
	Engines []string
	// OnStart, if set, is called with the engines' names in comparison
	// order once they are resolved and the block has passed the gate,
	// before any engine runs.
	OnStart func(engines []string)
	// OnReceipt, if set, is called with each transaction's receipt as
	// soon as every engine agrees on it, in order.
	OnReceipt func(tx int, r block.Receipt)
}

// Check applies b on the engines and compares everything observable
// (diff.CheckBlock). The error is for bad input (a contract the
// gatekeeper refuses, an unknown engine: errors.Is(err, diff.ErrBadInput)
// or ErrUnknownEngine), a closed Checker or a cancelled context; a
// divergence is a Verdict.
func (k *Checker) Check(ctx context.Context, b *block.Block, o *CheckOptions) (*Verdict, error) {
	if o == nil {
		o = &CheckOptions{}
	}
	names := o.Engines
	if len(names) == 0 {
		names = k.names
	}
	k.mu.Lock()
	closed := k.closed
	k.mu.Unlock()
	if closed {
		return nil, errors.New("checker closed")
	}
	var es []diff.Engine
	var planted []diff.Engine
	defer func() { diff.CloseEngines(planted) }()
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("%w: engine %q listed twice", ErrUnknownEngine, n)
		}
		seen[n] = true
		if e, ok := k.engines[n]; ok {
			es = append(es, e)
			continue
		}
		if !isPlanted(n) {
			return nil, fmt.Errorf("%w %q (this checker has: %s)", ErrUnknownEngine, n, strings.Join(k.names, ", "))
		}
		pe, err := engines([]string{n}, k.cfg)
		if err != nil {
			return nil, err
		}
		planted = append(planted, pe...)
		es = append(es, pe...)
	}
	if o.OnStart != nil {
		// Gate first (through the cache, so CheckBlock's gating is free):
		// a block refused as bad input starts nothing.
		if _, err := k.cache.GateBlock(b, k.opts.Gate); err != nil {
			return nil, err
		}
		var ns []string
		for _, e := range es {
			ns = append(ns, e.Name())
		}
		o.OnStart(ns)
	}
	opts := k.opts
	opts.OnReceipt = o.OnReceipt
	rep, err := diff.CheckBlock(ctx, b, es, opts)
	if err != nil {
		return nil, err
	}
	return &Verdict{Block: b, Report: rep, Engines: slices.Clone(names)}, nil
}

// Close closes the engines (and stops isolated children).
func (k *Checker) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	for _, n := range k.names { // configured order: deterministic
		if e, ok := k.engines[n]; ok {
			diff.CloseEngines([]diff.Engine{e})
		}
	}
	return nil
}
