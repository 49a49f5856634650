package fuzz

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// plantedOracle is a campaign oracle that counts only the divergences a
// planted bug causes: the campaign runs its modules on base and the
// planted engine, and a divergence between them counts only if the
// planted engine also differs from the reference machine on the same
// calls (otherwise it is base's own divergence from the reference, which
// a campaign without the plant shows too). The first check after the
// first divergence that counts cancels the campaign (cancelling in that
// check itself would make the campaign discard it as interrupted).
type plantedOracle struct {
	run, confirm *corpus.DiffOracle // nil confirm: base is the reference
	cancel       context.CancelFunc

	mu    sync.Mutex
	first time.Time
}

func (o *plantedOracle) Check(ctx context.Context, m *wasm.Module, calls []corpus.Call) (*corpus.Divergence, error) {
	o.mu.Lock()
	done := !o.first.IsZero()
	o.mu.Unlock()
	if done {
		o.cancel()
		return nil, context.Canceled
	}
	d, err := o.run.Check(ctx, m, calls)
	if d == nil || err != nil {
		return d, err
	}
	if o.confirm != nil {
		if dd, err := o.confirm.Check(ctx, m, calls); dd == nil || err != nil {
			return nil, err
		}
	}
	o.mu.Lock()
	if o.first.IsZero() {
		o.first = time.Now()
	}
	o.mu.Unlock()
	return d, nil
}

// plantedFind is the result of one hunt for a planted bug.
type plantedFind struct {
	found bool
	execs uint64        // modules run before the campaign stopped (both workers)
	iter  uint64        // iteration of the earliest finding (per worker)
	after time.Duration // wall clock from the start to the first finding
}

// huntPlanted runs a campaign of seed on 2 workers against the planted
// bug until a divergence it causes shows, each worker has made execs
// modules (0: no limit), or budget passes (0: none). base is the engine
// the planted one is compared with (nil: the reference machine).
// vectorOp reports whether an operator name is a vector instruction's.
func vectorOp(name string) bool {
	for _, p := range []string{"v128.", "i8x16.", "i16x8.", "i32x4.", "i64x2.", "f32x4.", "f64x2."} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func huntPlanted(t testing.TB, bug string, base diff.Engine, seed, execs uint64, budget time.Duration) plantedFind {
	p, err := corpus.NewPlantedOp(bug)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if budget > 0 {
		ctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	o := &plantedOracle{cancel: cancel}
	if base == nil {
		o.run = corpus.NewDiffOracle([]diff.Engine{diff.Reference{}, p})
	} else {
		o.run = corpus.NewDiffOracle([]diff.Engine{base, p})
		o.confirm = corpus.NewDiffOracle([]diff.Engine{diff.Reference{}, p})
	}
	// No wall-clock budget per run: the gas limit bounds every run, so no
	// verdict depends on the machine's load.
	o.run.RunBudget, o.run.GasLimit = 0, 1<<24
	if o.confirm != nil {
		o.confirm.RunBudget, o.confirm.GasLimit = 0, 1<<24
	}
	start := time.Now()
	c := &Campaign{Seed: seed, Workers: 2, Execs: execs, Oracle: o, MinimizeTries: -1}
	if vectorOp(bug) {
		c.Config = SIMDCampaignConfig // a vector instruction's bug needs SIMD modules (referee fuzz --simd)
	}
	s, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := plantedFind{execs: s.Progress.Execs}
	for _, sig := range s.Signatures {
		if !r.found || sig.Iter < r.iter {
			r.found, r.iter = true, sig.Iter
		}
	}
	if r.found {
		r.after = o.first.Sub(start)
	}
	return r
}

// plantedBudget is the number of modules per worker within which the
// deterministic test must find each planted bug with seed 1 (found at
// iterations well below it; see TestPlantedBugsFound's log).
const plantedBudget = 1500

// TestPlantedBugsFound is the planted-bug set's regression test: a
// campaign of seed 1 on 2 workers, comparing the reference machine with
// the planted engine, must show a divergence for every bug of
// corpus.PlantedBugs within plantedBudget modules per worker. The verdict
// is deterministic (a campaign's modules depend only on its seed; the
// campaign stops at the first finding, which cannot turn a find into a
// miss); the iterations it logs may vary by a few, as either worker may
// find first. TestPlantedTimeToFind measures the time against wazero's
// compiler.
func TestPlantedBugsFound(t *testing.T) {
	budget := uint64(plantedBudget)
	if testing.Short() {
		budget = plantedBudget / 3
	}
	for _, b := range corpus.PlantedBugs() {
		t.Run(b.Name, func(t *testing.T) {
			if testing.Short() && !shortPlanted[b.Name] {
				t.Skip("short: only the bugs the issue named")
			}
			r := huntPlanted(t, b.Name, nil, 1, budget, 0)
			if !r.found {
				t.Fatalf("planted %s (%s) not found in %d modules (2 workers x %d)", b.Name, b.Case, r.execs, budget)
			}
			t.Logf("%s: found at iteration %d (%d modules run)", b.Name, r.iter, r.execs)
		})
	}
}

// shortPlanted are the bugs TestPlantedBugsFound hunts with -short: the
// two issue 17 found the generator missing.
var shortPlanted = map[string]bool{"f32.min": true, "i32.rem_s": true}

// TestPlantedTimeToFind measures, for every planted bug, the time a
// campaign on 2 workers against wazero's compiler takes to show a
// divergence the bug causes, for seeds 1..REFEREE_PLANTED_SEEDS (default
// 3), each bounded by REFEREE_PLANTED_TTF (a duration, e.g. 60s; unset:
// the test is skipped). It prints a Markdown table: per bug, the median
// and worst time and iteration (per worker; deterministic up to which
// worker finds first) over the seeds, and how many seeds found it.
// REFEREE_PLANTED_BASE names the engine compared with (default
// wazero-compiler; "reference" is the fast pure-Go check of
// TestPlantedBugsFound) and REFEREE_PLANTED_ONLY a comma-separated subset
// of the bugs. A wall-clock figure, so an opt-in run, never a verdict of
// go test.
func TestPlantedTimeToFind(t *testing.T) {
	limit, err := time.ParseDuration(os.Getenv("REFEREE_PLANTED_TTF"))
	if err != nil || limit <= 0 {
		t.Skip("set REFEREE_PLANTED_TTF=60s to measure time-to-find per planted bug")
	}
	seeds := 3
	if n, err := strconv.Atoi(os.Getenv("REFEREE_PLANTED_SEEDS")); err == nil && n > 0 {
		seeds = n
	}
	only := os.Getenv("REFEREE_PLANTED_ONLY") // comma-separated bug names, or all
	baseName := os.Getenv("REFEREE_PLANTED_BASE")
	if baseName == "" {
		baseName = "wazero-compiler"
	}
	var base diff.Engine // nil: the reference machine
	if baseName != "reference" {
		es, err := diff.Engines([]string{baseName}, diff.EngineConfig{Interruptible: true})
		if err != nil {
			t.Fatal(err)
		}
		defer diff.CloseEngines(es)
		base = es[0]
	}
	var rows []string
	for _, b := range corpus.PlantedBugs() {
		if only != "" && !strings.Contains(","+only+",", ","+b.Name+",") {
			continue
		}
		var times []time.Duration
		var iters []uint64 // ^0 for a miss
		found := 0
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			r := huntPlanted(t, b.Name, base, seed, 0, limit)
			if r.found {
				found++
				times, iters = append(times, r.after), append(iters, r.iter)
			} else {
				times, iters = append(times, limit), append(iters, ^uint64(0))
			}
			t.Logf("%s seed %d: found %v after %s, iteration %d, %d modules", b.Name, seed, r.found, r.after.Round(10*time.Millisecond), r.iter, r.execs)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		sort.Slice(iters, func(i, j int) bool { return iters[i] < iters[j] })
		tm := func(d time.Duration) string {
			if d >= limit {
				return "> " + limit.String()
			}
			return d.Round(10 * time.Millisecond).String()
		}
		it := func(i uint64) string {
			if i == ^uint64(0) {
				return "miss"
			}
			return strconv.FormatUint(i, 10)
		}
		rows = append(rows, fmt.Sprintf("| %s | %d/%d | %s | %s | %s | %s |", b.Name, found, seeds,
			tm(times[len(times)/2]), tm(times[len(times)-1]), it(iters[len(iters)/2]), it(iters[len(iters)-1])))
	}
	fmt.Printf("against %s, 2 workers, seeds 1..%d, %s each\n| bug | seeds found | median time | worst time | median iteration | worst iteration |\n|---|---|---|---|---|---|\n%s\n",
		baseName, seeds, limit, strings.Join(rows, "\n"))
}
