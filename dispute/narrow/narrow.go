package narrow

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/wasm"
)

// AutoK is the default number of parts per round for par runs at once:
// the k whose round of 2(k−1) runs fills the cores in one wave, at least 2.
// More parts only add waves (runs) per round; fewer leave cores idle
// (docs/dispute.md, "Narrowing engines").
func AutoK(par int) int { return max(2, par/2+1) }

// DefaultMaxSteps is the default Options.MaxSteps: 2^32 steps, a few
// seconds of instrumented execution on wazero's compiler.
const DefaultMaxSteps = 1 << 32

// noHash as HashFrom hashes no result.
const noHash = ^uint64(0)

// ErrAgree reports that the two engines' runs are identical.
var ErrAgree = errors.New("the engines agree")

// ErrUnrunnable reports a target that neither engine can run at all: both
// refuse to compile or instantiate it (an import no host provides, say).
// It is bad input, not a divergence.
var ErrUnrunnable = errors.New("neither engine can run the target")

// Target is the execution to narrow: a call of Entry in Base, which is what
// every engine runs (for a block transaction, the metered contract).
type Target struct {
	Base  *wasm.Module
	Entry string
	Args  []uint64 // raw argument bits; none for a transaction entry

	// Transaction context (zero outside blocks): the host ABI's state and
	// transaction, and the transaction's index in its block.
	Tx      block.Tx
	TxIndex int
	State   *block.State
	// Metered says that Base is the gatekeeper's metered contract (a
	// block transaction), so the offsets a Result names are offsets in
	// it, not in the module as the block's author wrote it.
	Metered bool
}

// Engine is one side of a narrowing: a diff engine, and for "planted-op"
// the fault its module carries.
type Engine struct {
	Name  string
	Inner diff.Engine
	Plant *Plant
}

// Options configures Narrow.
type Options struct {
	K        int // parts per round; 0 = AutoK(Parallel)
	Parallel int // runs at once; 0 = GOMAXPROCS
	// MaxSteps bounds the whole runs: a run still going after MaxSteps steps
	// is stopped there and its state compared like any other (a planted
	// fault can make a loop endless). 0 = DefaultMaxSteps.
	MaxSteps uint64
}

// Observed is one engine's view of the narrowed step.
type Observed struct {
	Engine string `json:"engine"`
	Result uint64 `json:"result"` // the step's result bits (zero-extended), if it has one
	Pos    uint32 `json:"site"`   // the site each engine was about to execute after step−1
	// Failure is the engine's failure class when running to the step
	// failed (Result is then meaningless): the step crashes the engine.
	Failure string `json:"failure,omitempty"`
}

// Result is the outcome of a narrowing.
type Result struct {
	Step      uint64         `json:"step"` // 1-based: the first step after which the engines' states differ
	Site      Site           `json:"-"`
	Func      uint32         `json:"func"`
	Offset    uint32         `json:"offset"`
	Op        string         `json:"op"`
	HasResult bool           `json:"hasResult"` // the opcode has a typed result (observed)
	Operands  []uint64       `json:"operands"`  // the reference machine's operands of the step
	Reference uint64         `json:"reference"` // the reference machine's result of the step
	Engines   []Observed     `json:"engines"`
	Field     string         `json:"field"` // the first differing field of the states after the step
	Proof     *dispute.Proof `json:"-"`
	ProofPost [32]byte       `json:"-"`
	ProofNote string         `json:"proofNote,omitempty"` // why there is no proof
	Total     [2]uint64      `json:"totalSteps"`          // each engine's steps of the whole run
	K         int            `json:"k"`
	Rounds    int            `json:"rounds"`
	Runs      int            `json:"runs"`
	Wall      time.Duration  `json:"wallNanos"`
	// Metered: Func and Offset are in the metered contract (Target.Metered).
	Metered bool `json:"metered,omitempty"`
	// Base is the module whose function and offset the result names.
	Base *wasm.Module `json:"-"`
	// PlantNote says why a planted engine agreed: its planted instruction
	// never ran as often as the plant's N (set with ErrAgree only).
	PlantNote string `json:"plantNote,omitempty"`
	// Search is the rounds of the search, in order, for reports (not in
	// the JSON output, whose shape stays as documented).
	Search []Round `json:"-"`
}

// Round is one round of a narrowing: the interval [Lo, Hi], the points
// both engines were run to (Points[1 : len-1]; Points[0] = Lo and
// Points[len-1] = Hi), and the part kept: the first whose end states
// differ.
type Round struct {
	Lo, Hi uint64
	Points []uint64
	First  int
}

type side struct {
	e    Engine
	prog *diff.Prepared
}

// Narrow finds the first step of t at which engines a and b disagree: it
// re-executes both to k−1 points of the disputed interval per round, keeps
// the first part whose end states differ, and stops at a single step. It
// returns ErrAgree if whole runs agree.
func Narrow(ctx context.Context, t *Target, a, b Engine, o Options) (*Result, error) {
	start := time.Now()
	par := o.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	k := o.K
	if k == 0 {
		k = AutoK(par)
	}
	if k < 2 {
		return nil, fmt.Errorf("narrow: k = %d: want k >= 2", k)
	}
	sides := make([]side, 2)
	var sites []Site // the same for every plant
	for i, e := range []Engine{a, b} {
		in, err := Instrument(t.Base, t.Entry, e.Plant)
		if err != nil {
			return nil, fmt.Errorf("narrow: %s: %w", e.Name, err)
		}
		sites = in.Sites
		sides[i] = side{e: e, prog: prepared(in)}
	}
	res := &Result{K: k, Metered: t.Metered, Base: t.Base}
	st := t.State
	if st == nil {
		st = block.NewState(block.PreState{})
	}
	// run runs both engines to each of points, hashing the results of the
	// steps after from (stepcount_body.go): a round passes its interval's
	// start, whose results are known to be equal on both engines.
	run := func(points []uint64, from uint64) [][2]diff.Outcome {
		out := make([][2]diff.Outcome, len(points))
		type job struct{ p, s int }
		jobs := make(chan job)
		var wg sync.WaitGroup
		for w := 0; w < par; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					tx := t.Tx
					tx.Entry = EntryName
					req := &diff.Request{Prog: sides[j.s].prog, Tx: tx, TxIndex: t.TxIndex, State: st,
						Args: append(append([]uint64(nil), t.Args...), points[j.p], from)}
					out[j.p][j.s] = diff.RunSafe(ctx, sides[j.s].e.Inner, req)
				}
			}()
		}
		for p := range points {
			for s := range sides {
				jobs <- job{p, s}
			}
		}
		close(jobs)
		wg.Wait()
		res.Runs += 2 * len(points)
		return out
	}

	limit := o.MaxSteps
	if limit == 0 {
		limit = DefaultMaxSteps
	}
	// Whole runs first, unhashed: their end states differ if any effect
	// of the call differs, and the search then needs no hashed whole run.
	// Only when they agree do hashed whole runs decide whether some
	// intermediate result differed.
	first := run([]uint64{limit, 0}, noHash)
	full := first[0]
	if failed(sides, full) == nil && diff.Compare(&full[0], &full[1]) == nil {
		full = run([]uint64{limit}, 0)[0]
	}
	if err := failed(sides, full); err != nil && full[0].Failure != "" && full[1].Failure != "" {
		if full[0].Failure == diff.ClassRejected && full[1].Failure == diff.ClassRejected {
			return nil, fmt.Errorf("narrow: %w: %s", ErrUnrunnable, full[0].Detail)
		}
		return nil, fmt.Errorf("narrow: whole runs: %w", err)
	}
	// An engine failure (a crash, a refusal) is a state like any other:
	// narrowing finds the step at which one engine starts failing.
	for i := range full {
		res.Total[i] = global(&full[i], ExportSteps)
	}
	if diff.Compare(&full[0], &full[1]) == nil {
		for _, sd := range sides {
			if sd.e.Plant != nil {
				res.PlantNote = plantNote(ctx, t, sd.e, limit)
			}
		}
		res.Wall = time.Since(start)
		return res, ErrAgree
	}
	if err := failed(sides, first[1]); err != nil {
		return nil, fmt.Errorf("narrow: step 0: %w", err)
	}
	if d := diff.Compare(&first[1][0], &first[1][1]); d != nil {
		return nil, fmt.Errorf("narrow: the states differ in %s before the first step: instantiation differs", d.Field)
	}
	lo, hi := uint64(0), max(res.Total[0], res.Total[1])
	for hi-lo > 1 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("narrow: round %d [%d, %d]: %w", res.Rounds+1, lo, hi, err)
		}
		pts := dispute.Split(lo, hi, k)
		inner := pts[1 : len(pts)-1]
		outs := run(inner, lo)
		res.Rounds++
		nlo, nhi, first := pts[len(pts)-2], hi, len(pts)-2
		for i, o := range outs {
			if diff.Compare(&o[0], &o[1]) != nil {
				nlo, nhi, first = pts[i], inner[i], i
				break
			}
		}
		res.Search = append(res.Search, Round{Lo: lo, Hi: hi, Points: pts, First: first})
		lo, hi = nlo, nhi
	}
	// the window: the states before and after the step
	res.Step = hi
	win := run([]uint64{hi - 1, hi}, hi-1)
	if err := failed(sides, win[0]); err != nil {
		return nil, fmt.Errorf("narrow: step %d: %w", hi-1, err)
	}
	if d := diff.Compare(&win[0][0], &win[0][1]); d != nil {
		return nil, fmt.Errorf("narrow: states after step %d differ in %s on a re-run: an engine is not deterministic", hi-1, d.Field)
	}
	d := diff.Compare(&win[1][0], &win[1][1])
	if d == nil {
		return nil, fmt.Errorf("narrow: states after step %d agree on a re-run: an engine is not deterministic", hi)
	}
	res.Field = d.Field
	pos := uint32(global(&win[0][0], ExportPos))
	if int(pos) >= len(sites) || global(&win[0][0], ExportSteps) != hi-1 {
		return nil, fmt.Errorf("narrow: step %d: %s ended before it (steps %d)", hi, sides[0].e.Name, global(&win[0][0], ExportSteps))
	}
	res.Site = sites[pos]
	res.Func, res.Offset, res.Op = res.Site.Func, res.Site.Offset, res.Site.Op.String()
	res.HasResult = res.Site.Result != 0
	for i := range sides {
		res.Engines = append(res.Engines, Observed{Engine: sides[i].e.Name,
			Result: global(&win[1][i], ExportValue), Pos: uint32(global(&win[0][i], ExportPos)), Failure: win[1][i].Failure})
	}
	if err := observeReference(t, res); err != nil {
		return nil, err
	}
	res.Wall = time.Since(start)
	return res, nil
}

func failed(sides []side, o [2]diff.Outcome) error {
	for i := range o {
		if o[i].Failure != "" {
			return fmt.Errorf("%s: %s: %s", sides[i].e.Name, o[i].Failure, o[i].Detail)
		}
	}
	return nil
}

func prepared(in *Instrumented) *diff.Prepared {
	p := &diff.Prepared{Code: in.Code, Module: in.Module}
	p.Hash = sha(in.Code)
	for _, e := range in.Module.Exports {
		if e.Kind == wasm.ExternGlobal {
			p.Globals = append(p.Globals, e.Name)
		}
	}
	return p
}

// global returns the exported global name of o, 0 if absent.
func global(o *diff.Outcome, name string) uint64 {
	for _, g := range o.Globals {
		if g.Name == name {
			return g.Bits
		}
	}
	return 0
}

// plantNote runs e's planted module once more with its plant counter
// exported and says how often the planted instruction ran, if it never
// reached the plant's N (the reason such an engine agrees); "" otherwise.
func plantNote(ctx context.Context, t *Target, e Engine, limit uint64) string {
	in, err := instrument(t.Base, t.Entry, e.Plant, true)
	if err != nil {
		return ""
	}
	st := t.State
	if st == nil {
		st = block.NewState(block.PreState{})
	}
	tx := t.Tx
	tx.Entry = EntryName
	o := diff.RunSafe(ctx, e.Inner, &diff.Request{Prog: prepared(in), Tx: tx, TxIndex: t.TxIndex, State: st,
		Args: append(append([]uint64(nil), t.Args...), limit, limit)}) // stop at the limit, hash nothing
	n := global(&o, ExportPlanted)
	if o.Failure != "" || n >= e.Plant.Nth {
		return ""
	}
	return fmt.Sprintf("%s: the planted %s never fired: the run executes %s %d times, fewer than %d",
		e.Name, e.Plant, e.Plant.Op, n, e.Plant.Nth)
}

// Describe renders r for people, one fact a line.
func (r *Result) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "step     %d (of %d / %d)\n", r.Step, r.Total[0], r.Total[1])
	fmt.Fprintf(&b, "at       func[%d] +0x%x %s", r.Func, r.Offset, r.Op)
	if r.Metered {
		b.WriteString(" (offset in the metered contract: --write-module writes it)")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "operands %s\n", hexList(r.Operands))
	if r.HasResult {
		fmt.Fprintf(&b, "result   reference 0x%x", r.Reference)
		for _, e := range r.Engines {
			if e.Engine == "reference" && e.Failure == "" {
				continue // printed first, from the reference machine's own run
			}
			if e.Failure != "" {
				fmt.Fprintf(&b, ", %s failed (%s)", e.Engine, e.Failure)
				continue
			}
			fmt.Fprintf(&b, ", %s 0x%x", e.Engine, e.Result)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "differs  %s\n", r.Field)
	fmt.Fprintf(&b, "search   k=%d: %d rounds, %d engine runs, %s\n", r.K, r.Rounds, r.Runs, r.Wall.Round(time.Millisecond))
	return b.String()
}

func hexList(v []uint64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("0x%x", x)
	}
	return "[" + strings.Join(s, " ") + "]"
}
