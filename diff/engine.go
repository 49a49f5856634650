package diff

import (
	"context"
	"fmt"
	"time"

	"github.com/refereevm/referee/block"
)

// Engine runs one transaction of a prepared (gatekept and instrumented)
// contract, or one call of an exported function with arguments (the
// workloads), and reports everything observable about it.
//
// Run must be safe to call from several goroutines at once (CheckBlock runs
// the engines of one transaction concurrently, benchmarks may run blocks in
// parallel). It builds its own block.Call from req.State and req.Tx, reads
// req.State only, and never applies writes: CheckBlock commits the agreed
// receipt. A Go error from Run (or a panic, recovered by RunSafe) is turned
// into a failed Outcome: an error that is a *Failure keeps its class, any
// other is class engine-crash.
type Engine interface {
	Name() string
	Run(ctx context.Context, req *Request) (Outcome, error)
}

// Compiler is implemented by engines that compile ahead of Run. CheckBlock
// compiles every contract on such engines first, within the compile budget,
// and caches the result; Run compiles on demand otherwise.
type Compiler interface {
	Compile(ctx context.Context, p *Prepared) error
}

// Closer is implemented by engines holding resources (runtimes, tickers).
type Closer interface {
	Close() error
}

// Request is one run.
type Request struct {
	Prog    *Prepared    // the instrumented contract
	Tx      block.Tx     // contract address, entry, input, gas limit
	TxIndex int          // position in the block (the planted engine keys on it); -1 outside blocks
	State   *block.State // read-only during Run: the host ABI's storage
	Args    []uint64     // raw argument bits of the entry (i32/f32 in the low 32 bits); nil for transactions
}

// Failure classes: a run that produced no outcome. Wall-clock time decides
// only between these classes, never a result.
const (
	ClassEngineCrash   = "engine-crash"       // the engine panicked, died, or reported an error that is not a trap
	ClassEngineTimeout = "engine-timeout"     // the run or the compilation passed its wall-clock budget
	ClassRejected      = "rejected-by-engine" // the engine refused to compile or instantiate what the gatekeeper accepted
)

// Failure is an engine failure: no outcome to compare.
type Failure struct {
	Class  string
	Detail string
}

func (f *Failure) Error() string { return f.Class + ": " + f.Detail }

func failf(class, format string, args ...any) *Failure {
	return &Failure{Class: class, Detail: fmt.Sprintf(format, args...)}
}

// RunSafe runs e on req and always returns an Outcome: a panic inside the
// engine is recovered and becomes class engine-crash, an error becomes a
// failed outcome. Time is the run's wall-clock duration (reported, never
// compared).
func RunSafe(ctx context.Context, e Engine, req *Request) (out Outcome) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			out = failedOutcome(&Failure{Class: ClassEngineCrash, Detail: fmt.Sprintf("panic: %v", r)})
		}
		out.Engine = e.Name()
		out.Time = time.Since(start)
	}()
	o, err := e.Run(ctx, req)
	if err != nil {
		return failedOutcome(err)
	}
	return o
}

// failedOutcome turns an error into a failed outcome.
func failedOutcome(err error) Outcome {
	if f, ok := err.(*Failure); ok {
		return Outcome{Failure: f.Class, Detail: f.Detail}
	}
	return Outcome{Failure: ClassEngineCrash, Detail: err.Error()}
}
