package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/report"
	"github.com/refereevm/referee/wasm"
)

const fuzzUsage = `  referee fuzz [--engines LIST] [--duration D] [--workers N] [--seed S] [--corpus DIR] [--simd] [--json] [--report FILE]
        differential fuzzing: generate valid modules, run every export on the
        engines (default: all built in) and store each new divergence in DIR
        (default findings), at once, then minimized; live progress on stderr,
        a summary at the end; exit 1 if the engines diverged on any module
        (like check; --exit-zero: 0), 0 if not; Ctrl-C stops and loses no finding;
        deterministic for a seed, worker count and --execs; engines as for
        check, except that planted[:OP] is the reference with a planted bug
        in a rare case of OP (i64.rem_s (default), i32.rotl, f32.min,
        i32.rem_s, i64.shr_s, i32.shr_u, i64.trunc_sat_f64_s,
        i32.trunc_f32_u, i64.ctz, f64.nearest, f64.neg, i32.load, i64.load,
        memory.fill, i8x16.add_sat_s; docs/cli.md gives each case), and raw
        adds a run of the module unmetered on the reference machine (a
        difference is a bug in the metering); --simd: every module also uses
        v128 values and the 236 vector instructions; --report writes a
        self-contained HTML page: execs/s and opcode coverage over time, the
        findings by signature, the time per engine
`

// fuzzFlags are the options of "referee fuzz".
type fuzzFlags struct {
	engines  string
	duration time.Duration
	workers  int
	seed     uint64
	dir      string
	json     bool
	execs    uint64
	tries    int
	gas      uint64
	every    time.Duration
	exitZero bool
	known    string
	simd     bool
	report   string
}

// fuzzCommand implements "referee fuzz".
func fuzzCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fuzz", flag.ContinueOnError)
	var f fuzzFlags
	fs.StringVar(&f.engines, "engines", "", "comma-separated engine `LIST` (default: every engine built in)")
	fs.DurationVar(&f.duration, "duration", 0, "stop after `D` (0: at Ctrl-C or after --execs)")
	fs.IntVar(&f.workers, "workers", 1, "`N` workers, each with its own seed stream")
	fs.Uint64Var(&f.seed, "seed", 1, "campaign seed `S`")
	fs.StringVar(&f.dir, "corpus", "findings", "store findings in `DIR`")
	fs.BoolVar(&f.json, "json", false, "print the summary as JSON")
	fs.Uint64Var(&f.execs, "execs", 0, "stop each worker after `N` modules (0: no limit)")
	fs.IntVar(&f.tries, "minimize-tries", 0, "predicate budget `N` of each minimization (0: default, <0: none)")
	fs.Uint64Var(&f.gas, "gas", fuzzGas, "gas `G` of each call")
	fs.DurationVar(&f.every, "progress", time.Second, "progress every `D` on stderr (0: none)")
	fs.BoolVar(&f.exitZero, "exit-zero", false, "exit 0 even when the engines diverged (for scripts that read the summary)")
	fs.StringVar(&f.known, "known", "", "classify divergences against the known engine bugs of `FILE` (default: the shipped list, docs/divergence.md; none: off); a known bug is counted, not stored")
	fs.BoolVar(&f.simd, "simd", false, "generate v128 values and vector instructions in every module")
	fs.StringVar(&f.report, "report", "", "write an HTML report of the campaign to `FILE`")
	pos, code, ok := parseFlags(fs, fuzzUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee fuzz: "+format+"\n", a...)
		return exitBad
	}
	if len(pos) != 0 {
		return bad("unexpected argument %q (run 'referee help fuzz')", pos[0])
	}
	if f.workers < 1 || f.workers > 1024 {
		return bad("--workers %d: want 1..1024", f.workers)
	}
	names := diff.AllEngineNames()
	if f.engines != "" {
		names = strings.Split(f.engines, ",")
	}
	engines, raw, err := fuzzEngines(names)
	if err != nil {
		return bad("--engines: %v", err)
	}
	defer diff.CloseEngines(engines)
	if len(engines) == 0 || len(engines) < 2 && !raw {
		return bad("--engines: want at least two engines to compare (or one and raw)")
	}
	if err := checkReportPath(f.report); err != nil {
		return bad("--report: %v", err)
	}
	st, err := corpus.Open(f.dir)
	if err != nil {
		return bad("--corpus: %v", err)
	}
	oracle := corpus.NewDiffOracle(engines)
	oracle.GasLimit, oracle.Raw = f.gas, raw
	var known *corpus.Classifier
	if f.known != "none" {
		var l *corpus.KnownList
		if f.known == "" {
			l = corpus.ShippedKnown()
		} else if l, err = corpus.LoadKnown(f.known); err != nil {
			return bad("--known: %v", err)
		}
		known = &corpus.Classifier{List: l, Engines: engines, Gate: oracle.Gate, Gas: f.gas}
	}
	times := &corpus.EngineTimes{}
	oracle.Times = times

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	live := newProgressLine(stderr)
	c := &fuzz.Campaign{
		Seed: f.seed, Workers: f.workers, Execs: f.execs, Oracle: oracle, Store: st,
		MinimizeTries: f.tries, Engines: names, ProgressEvery: f.every,
	}
	if known != nil {
		c.Known = known.Classify
	}
	if f.simd {
		c.Config = fuzz.SIMDCampaignConfig
	}
	if f.every > 0 {
		c.Progress = live.show
	}
	var samples fuzzSampler
	if f.report != "" {
		// The report samples progress at the progress interval (or every
		// second when progress lines are off) and prints only if asked.
		if c.ProgressEvery <= 0 {
			c.ProgressEvery = time.Second
		}
		show := c.Progress
		c.Progress = func(p fuzz.Progress) {
			samples.add(p)
			if show != nil {
				show(p)
			}
		}
	}
	sum, err := c.Run(ctx)
	live.end()
	if err != nil {
		return bad("%v", err)
	}
	if f.report != "" {
		d := fuzzReportData(names, f.dir, sum, samples.samples, times)
		if err := writeReport(f.report, report.FuzzPage(d)); err != nil {
			fmt.Fprintf(stderr, "referee fuzz: --report: %v\n", err)
			return exitBad
		}
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(fuzzJSON{Engines: names, Corpus: f.dir, Coverage: sum.Progress.Coverage(), Summary: sum})
	} else {
		writeFuzzText(stdout, names, f.dir, sum)
	}
	if sum.Progress.Findings > 0 && !f.exitZero {
		return exitNo // the engines diverged: a definite "no", as check says it
	}
	return exitOK
}

// fuzzEngines builds the engines of a campaign or a replay. Besides the
// names diff.Engines knows, "planted" and "planted:OP" (OP one of
// corpus.PlantedOps) are the planted-operator engine (corpus.PlantedOp):
// a campaign needs a bug that shows only on some inputs, where check's
// planted engine corrupts a whole transaction. "planted:FIELD@TX" is
// check's. "raw" is not an engine: it sets raw, which makes the oracle
// also run each module unmetered on the reference machine.
func fuzzEngines(names []string) (out []diff.Engine, raw bool, err error) {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return nil, false, fmt.Errorf("engine %q listed twice", n)
		}
		seen[n] = true
		if n == corpus.RawEngine {
			raw = true
			continue
		}
		op, planted := strings.CutPrefix(n, "planted:")
		if n == "planted" {
			op, planted = "", true
		}
		if planted && !strings.Contains(op, "@") {
			p, err := corpus.NewPlantedOp(op)
			if err != nil {
				return nil, false, err
			}
			out = append(out, p)
			continue
		}
		es, err := diff.Engines([]string{n}, diff.EngineConfig{Interruptible: true})
		if err != nil {
			return nil, false, err
		}
		out = append(out, es...)
	}
	return out, raw, nil
}

// fuzzGas is the default gas of one call: far above what a generated
// module's own fuel allows, small enough that a mutated module that lost
// its fuel check stops within a second.
const fuzzGas = 1 << 24

// fuzzJSON is the --json summary.
type fuzzJSON struct {
	Engines  []string `json:"engines"`
	Corpus   string   `json:"corpus"`
	Coverage float64  `json:"coverage"` // share of non-SIMD opcodes generated
	*fuzz.Summary
}

func progressText(p fuzz.Progress) string {
	s := fmt.Sprintf("fuzz %s: %d execs (%.0f/s), %d rejected, %d findings, %d unique, %d stored, %d known, opcode coverage %.1f%% (%d/%d)",
		p.Elapsed.Round(time.Second), p.Execs, p.ExecsPerSec, p.Rejected, p.Findings, p.Unique, p.Stored, p.Known,
		100*p.Coverage(), p.OpsCovered, p.OpsTotal)
	if p.SIMDCovered > 0 {
		s += fmt.Sprintf(", vector instructions %d/%d", p.SIMDCovered, wasm.SIMDOpcodes())
	}
	if p.TimedOut > 0 {
		// Timed-out checks decide nothing (they are neither findings nor
		// agreement), but an operator must see that engines ran out of time.
		s += fmt.Sprintf(", %d timed out", p.TimedOut)
	}
	return s
}

func writeFuzzText(w io.Writer, engines []string, dir string, s *fuzz.Summary) {
	fmt.Fprintf(w, "seed %d, %d workers, engines %s, corpus %s\n", s.Seed, s.Workers, strings.Join(engines, ","), dir)
	fmt.Fprintln(w, progressText(s.Progress))
	if len(s.Signatures) == 0 {
		fmt.Fprintln(w, "no divergence")
	}
	for _, r := range s.Signatures {
		fmt.Fprintf(w, "%s: %d modules, first after %s", r.Signature, r.Count, r.FoundAfter.Round(time.Millisecond))
		switch {
		case r.Existing:
			fmt.Fprintf(w, ", already stored as finding %s (first here: worker %d, iteration %d)", r.ID[:16], r.Worker, r.Iter)
		case r.ID != "":
			fmt.Fprintf(w, ", finding %s (worker %d, iteration %d, %d bytes)", r.ID[:16], r.Worker, r.Iter, r.Size)
		}
		if r.MinSize > 0 {
			fmt.Fprintf(w, ", minimized to %d functions, %d bytes", r.MinFuncs, r.MinSize)
		}
		fmt.Fprintln(w)
	}
	for _, k := range s.Known {
		fmt.Fprintf(w, "known %s: %d modules (%s), not stored\n", k.ID, k.Count, strings.Join(k.Signatures, ", "))
	}
	for _, e := range s.Errors {
		fmt.Fprintf(w, "note: %s\n", e)
	}
}

// progressLine prints progress on stderr: rewritten in place on a
// terminal, one line each time otherwise.
type progressLine struct {
	w    io.Writer
	tty  bool
	used bool
}

func newProgressLine(w io.Writer) *progressLine {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressLine{w: w, tty: tty}
}

func (l *progressLine) show(p fuzz.Progress) {
	if l.tty {
		fmt.Fprintf(l.w, "\r\033[K%s", progressText(p))
	} else {
		fmt.Fprintln(l.w, progressText(p))
	}
	l.used = true
}

func (l *progressLine) end() {
	if l.tty && l.used {
		fmt.Fprintln(l.w)
	}
}
