package diff

import (
	"context"
	"errors"
	"time"
)

// Deadlines under --interrupt cheap. wazero stops a run at its deadline
// only with close-on-context-done, which costs up to 20x on tight loops, so
// the cheap mode runs wazero without it. That is safe only for a run that
// ends by itself before the deadline: Go cannot preempt a goroutine running
// wazero's compiled code (the preemption signal finds no Go function at the
// interrupted pc), so a compiled run that outlasts the deadline holds its
// thread, and the first stop-the-world of the garbage collector then waits
// for it, freezing the whole process, verdict included (a transaction with
// gas for 2^48 steps and --timeout 5s had not returned after 60 s). The
// interpreter is Go code and can be abandoned, but an abandoned run burns a
// core until its gas ends.
//
// So under cheap, a wazero run goes uninterruptible only when its gas limit
// cannot outlast what is left of its budget at PlainGasRate, a floor on the
// gas per second any engine runs: the slowest code measured, dependent
// loads missing the cache across 16 MiB, ran at 79-107 Mgas/s on wazero's
// engines (docs/divergence.md). A run with more gas than that is
// interruptible. The choice changes only whether a run can stop at the
// deadline, never what it computes.

// PlainGasRate is the gas per second below which no engine is expected to
// run (an order of magnitude under the slowest measured).
const PlainGasRate = 10_000_000

// needsInterrupt reports whether a run of gas under ctx's deadline must be
// interruptible: ctx has a deadline, and gas at PlainGasRate could outlast
// it.
func needsInterrupt(ctx context.Context, gas uint64) bool {
	dl, ok := ctx.Deadline()
	if !ok {
		return false
	}
	left := time.Until(dl)
	return left <= 0 || float64(gas) > left.Seconds()*PlainGasRate
}

// gasGuarded is wazero under --interrupt cheap: plain for runs that end
// before their deadline by their gas alone, interruptible for the others.
// Contracts compile ahead on the plain engine; the interruptible one
// compiles a contract on its first long run.
type gasGuarded struct {
	plain, interruptible *Wazero
}

func newGasGuarded(compiler bool) *gasGuarded {
	return &gasGuarded{plain: NewWazero(compiler, false), interruptible: NewWazero(compiler, true)}
}

func (g *gasGuarded) Name() string { return g.plain.Name() }

func (g *gasGuarded) Compile(ctx context.Context, p *Prepared) error { return g.plain.Compile(ctx, p) }

func (g *gasGuarded) Run(ctx context.Context, req *Request) (Outcome, error) {
	if needsInterrupt(ctx, req.Tx.GasLimit) {
		return g.interruptible.Run(ctx, req)
	}
	return g.plain.Run(ctx, req)
}

// attachCache attaches both wazeros to the module cache (ModuleCache.Attach):
// each compiles for its own runtime, so each has its own entries, counted
// under the one engine name.
func (g *gasGuarded) attachCache(c *ModuleCache) error {
	return errors.Join(g.plain.attachCache(c), g.interruptible.attachCache(c))
}

func (g *gasGuarded) Close() error {
	return errors.Join(g.plain.Close(), g.interruptible.Close())
}

// newWazeroFor builds wazero (its compiler, or its interpreter) for c.
func newWazeroFor(compiler bool, c EngineConfig) Engine {
	if c.Interruptible && c.NoWazeroInterrupt {
		return newGasGuarded(compiler)
	}
	return NewWazero(compiler, c.wazero())
}
