package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

const corpusUsage = `  referee corpus list|show|replay|minimize [ID] [--corpus DIR] [--json]
  referee corpus import [--target FUZZ] [--engines LIST] [--corpus DIR] [--json] CRASH...
  referee corpus merge [--corpus DIR] [--json] FINDINGS-DIR...
        list the stored findings, show one (its record: engines, calls,
        divergence, outcomes), or replay one: re-run its minimized module
        (--original: the module as found) on its engines (--engines: others)
        and show the divergence; replay exits 1 if it still diverges, 0 if not;
        minimize (re)minimizes a finding from its module as found (after a
        campaign was stopped mid-minimization); ID may be any unique prefix;
        import stores each crash file (libFuzzer's, or a go test -fuzz
        failure file) of a target whose inputs are modules (FuzzDifferential,
        FuzzInstrument, FuzzRun, FuzzDecode, or a .wasm) as a minimized
        finding, exit 0 (3 if the engines agree on every file); merge copies
        the findings of other directories in, one per signature, the
        smallest reproducer (both idempotent, safe beside a campaign)
`

// corpusCommand implements "referee corpus".
func corpusCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corpus", flag.ContinueOnError)
	dir := fs.String("corpus", "findings", "the findings directory `DIR`")
	jsonOn := fs.Bool("json", false, "print JSON")
	enginesFlag := fs.String("engines", "", "replay on these engines (`LIST`; default: the finding's)")
	original := fs.Bool("original", false, "replay the module as found, with all its calls")
	target := fs.String("target", "", "import: the fuzz target `FUZZ` the crash files belong to (default: from the file's name or directory)")
	tries := fs.Int("minimize-tries", 0, "import: predicate budget `N` of each minimization (0: default)")
	pos, code, ok := parseFlags(fs, corpusUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee corpus: "+format+"\n", a...)
		return exitBad
	}
	if len(pos) == 0 {
		return bad("want list, show ID or replay ID (run 'referee help corpus')")
	}
	open := corpus.OpenExisting // list, show, replay, minimize only read: never create DIR
	if pos[0] == "import" || pos[0] == "merge" {
		open = corpus.Open // they write findings: DIR is made if needed
	}
	st, err := open(*dir)
	if errors.Is(err, corpus.ErrNoStore) && pos[0] == "list" {
		if *jsonOn {
			return writeJSON(stdout, []*corpus.Finding{}) + exitNothing
		}
		fmt.Fprintf(stdout, "no findings: %s does not exist\n", *dir)
		return exitNothing
	}
	if err != nil {
		return bad("--corpus: %v", err)
	}
	verb := pos[0]
	switch {
	case verb == "import":
		return importCommand(st, pos[1:], *target, *enginesFlag, *tries, *jsonOn, stdout, stderr)
	case verb == "merge":
		return mergeCommand(st, pos[1:], *jsonOn, stdout, stderr)
	case verb == "list" && len(pos) == 1:
		list, err := st.List()
		if err != nil {
			return bad("%v", err)
		}
		if *jsonOn {
			return writeJSON(stdout, list)
		}
		if len(list) == 0 {
			fmt.Fprintf(stdout, "no findings in %s\n", *dir)
			return exitNothing
		}
		for _, f := range list {
			min := "not minimized"
			if m := f.Minimized; m != nil {
				min = fmt.Sprintf("minimized %d funcs %d bytes", m.Funcs, m.Size)
				if !m.Complete {
					min += " (stopped early)"
				}
			}
			fmt.Fprintf(stdout, "%s  %s  %s  %d funcs %d bytes, %s\n", f.ID[:16], f.Signature, strings.Join(f.Engines, ","), f.Funcs, f.Size, min)
		}
		return exitOK
	case (verb == "show" || verb == "replay" || verb == "minimize") && len(pos) == 2:
	default:
		return bad("want list, show ID or replay ID (run 'referee help corpus')")
	}
	f, err := st.Get(pos[1])
	if err != nil {
		return bad("%v", err)
	}
	if verb == "show" {
		if *jsonOn {
			return writeJSON(stdout, f)
		}
		writeFindingText(stdout, f)
		return exitOK
	}
	if verb == "minimize" {
		return minimizeFinding(st, f, *enginesFlag, *jsonOn, stdout, stderr)
	}
	return replayFinding(st, f, *enginesFlag, *original, *jsonOn, stdout, stderr)
}

// minimizeFinding minimizes f's module as found, with its diverging call,
// while the stored signature holds, and stores the result.
func minimizeFinding(st *corpus.Store, f *corpus.Finding, enginesFlag string, jsonOn bool, stdout, stderr io.Writer) int {
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee corpus minimize: "+format+"\n", a...)
		return exitBad
	}
	o, names, closeEngines, err := findingOracle(f, enginesFlag)
	if err != nil {
		return bad("engines: %v", err)
	}
	defer closeEngines()
	bin, err := st.Module(f.ID)
	if err != nil {
		return bad("%v", err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return bad("finding %s: %v", f.ID, err)
	}
	if f.Divergence.Call >= len(f.Calls) {
		return bad("finding %s: diverging call %d of %d", f.ID, f.Divergence.Call, len(f.Calls))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var one []corpus.Call // the diverging call (none for a gate crash)
	if f.Divergence.Call >= 0 {
		one = []corpus.Call{f.Calls[f.Divergence.Call]}
	}
	keep := o.Holds(ctx, one, f.Signature)
	if !keep(m) {
		if jsonOn {
			return writeJSON(stdout, minimizeJSON{ID: f.ID, Engines: names, Signature: f.Signature}) + exitNo
		}
		fmt.Fprintf(stdout, "finding %s: no longer diverges with signature %s on %s\n", f.ID, f.Signature, strings.Join(names, ","))
		return exitNo
	}
	res := corpus.Minimize(ctx, m, keep, corpus.MinimizeOptions{})
	mbin := wasm.Encode(res.Module)
	info := corpus.Minimized{Size: len(mbin), Funcs: len(res.Module.Funcs), Instrs: corpus.CountInstrs(res.Module),
		Calls: one, Tries: res.Tries, Steps: res.Steps, Complete: res.Complete}
	if err := st.PutMinimized(f.ID, mbin, info); err != nil {
		return bad("%v", err)
	}
	if jsonOn {
		return writeJSON(stdout, minimizeJSON{ID: f.ID, Engines: names, Signature: f.Signature, Diverges: true,
			Minimized: &info, From: &minimizeFrom{Funcs: f.Funcs, Size: f.Size}})
	}
	fmt.Fprintf(stdout, "finding %s: minimized to %d functions, %d instructions, %d bytes (from %d functions, %d bytes; %d tries)\n",
		f.ID, info.Funcs, info.Instrs, info.Size, f.Funcs, f.Size, info.Tries)
	return exitOK
}

// minimizeJSON is minimize's --json output: the finding, whether its
// module as found still diverges with its signature, and if so what it
// was minimized to (the record stored beside it) from what.
type minimizeJSON struct {
	ID        string            `json:"id"`
	Engines   []string          `json:"engines"`
	Signature string            `json:"signature"`
	Diverges  bool              `json:"diverges"`
	Minimized *corpus.Minimized `json:"minimized,omitempty"`
	From      *minimizeFrom     `json:"from,omitempty"`
}

type minimizeFrom struct {
	Funcs int `json:"funcs"`
	Size  int `json:"size"`
}

func writeJSON(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	return exitOK
}

func writeFindingText(w io.Writer, f *corpus.Finding) {
	d := f.Divergence
	fmt.Fprintf(w, "finding %s\nsignature %s\nengines %s\n", f.ID, f.Signature, strings.Join(f.Engines, ","))
	fmt.Fprintf(w, "found %s by worker %d at iteration %d of seed %d (%s, module seed %d)\n", f.Found.Format("2006-01-02 15:04:05Z07:00"), f.Worker, f.Iter, f.Seed, f.Origin, f.ModuleSeed)
	fmt.Fprintf(w, "module %d bytes, %d functions\n", f.Size, f.Funcs)
	if m := f.Minimized; m != nil {
		state := "complete"
		if !m.Complete {
			state = "stopped early"
		}
		fmt.Fprintf(w, "minimized %d bytes, %d functions, %d instructions (%d steps, %d tries, %s)\n", m.Size, m.Funcs, m.Instrs, m.Steps, m.Tries, state)
	}
	writeDivergence(w, f.Calls, &d)
}

func writeDivergence(w io.Writer, calls []corpus.Call, d *corpus.Divergence) {
	if d.Call >= 0 && d.Call < len(calls) {
		c := calls[d.Call]
		fmt.Fprintf(w, "call %d: %s(%s)\n", d.Call, c.Export, argsText(c.Args))
	}
	width := max(len(d.Engines[0]), len(d.Engines[1]))
	for _, o := range d.Outcomes {
		width = max(width, len(o.Engine))
	}
	fmt.Fprintf(w, "%s: %s differs\n  %-*s %s\n  %-*s %s\n", d.Class, d.Field, width, d.Engines[0], d.Values[0], width, d.Engines[1], d.Values[1])
	for _, o := range d.Outcomes {
		status := o.Status
		if o.Failure != "" {
			status = o.Failure + ": " + firstLine(o.Detail)
		} else if o.Trap != "" {
			status += " " + o.Trap
			if o.TrapOp != "" {
				status += " at " + o.TrapOp
			}
		}
		fmt.Fprintf(w, "  %-*s %s, results [%s], gas %d, memory %d pages %.16s\n", width, o.Engine, status, argsText(o.Results), o.GasUsed, o.MemPages, o.MemHash)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func argsText(a []uint64) string {
	s := make([]string, len(a))
	for i, v := range a {
		s[i] = fmt.Sprintf("%#x", v)
	}
	return strings.Join(s, ", ")
}

// replayJSON is replay's --json output.
type replayJSON struct {
	ID         string             `json:"id"`
	Module     string             `json:"module"` // "minimized" or "original"
	Engines    []string           `json:"engines"`
	Diverges   bool               `json:"diverges"`
	Same       bool               `json:"sameSignature"`
	Divergence *corpus.Divergence `json:"divergence,omitempty"`
}

// findingOracle sets up the engines a finding is replayed or minimized on
// (its own, or the comma-separated enginesFlag) and the oracle that
// compares them as the campaign did; closeEngines releases them.
func findingOracle(f *corpus.Finding, enginesFlag string) (o *corpus.DiffOracle, names []string, closeEngines func(), err error) {
	names = f.Engines
	if enginesFlag != "" {
		names = strings.Split(enginesFlag, ",")
	}
	engines, raw, err := fuzzEngines(names)
	if err != nil {
		return nil, nil, nil, err
	}
	o = corpus.NewDiffOracle(engines)
	o.GasLimit, o.Raw = fuzzGas, raw
	return o, names, func() { diff.CloseEngines(engines) }, nil
}

func replayFinding(st *corpus.Store, f *corpus.Finding, enginesFlag string, original, jsonOn bool, stdout, stderr io.Writer) int {
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee corpus replay: "+format+"\n", a...)
		return exitBad
	}
	o, names, closeEngines, err := findingOracle(f, enginesFlag)
	if err != nil {
		return bad("engines: %v", err)
	}
	defer closeEngines()
	which, calls := "minimized", []corpus.Call(nil)
	var bin []byte
	if f.Minimized != nil && !original {
		bin, err = st.MinModule(f.ID)
		calls = f.Minimized.Calls
	} else {
		which, calls = "original", f.Calls
		bin, err = st.Module(f.ID)
	}
	if err != nil {
		return bad("%v", err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return bad("finding %s: %s module: %v", f.ID, which, err)
	}
	d, err := o.Check(context.Background(), m, calls)
	if err != nil {
		return bad("finding %s: %v", f.ID, err)
	}
	res := replayJSON{ID: f.ID, Module: which, Engines: names, Diverges: d != nil, Divergence: d}
	res.Same = d != nil && d.Signature == f.Signature
	if jsonOn {
		writeJSON(stdout, res)
	} else {
		fmt.Fprintf(stdout, "finding %s: %s module, %d bytes, on %s\n", f.ID, which, len(bin), strings.Join(names, ","))
		if d == nil {
			fmt.Fprintln(stdout, "no divergence: the engines agree")
		} else {
			fmt.Fprintf(stdout, "diverges: %s", d.Signature)
			if res.Same {
				fmt.Fprintln(stdout, " (as stored)")
			} else {
				fmt.Fprintf(stdout, " (stored: %s)\n", f.Signature)
			}
			writeDivergence(stdout, calls, d)
		}
	}
	if d != nil {
		return exitNo
	}
	return exitOK
}
