package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute/narrow"
	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

const diffUsage = `  referee diff MODULE.wasm [--invoke 'FUNC ARG...']... [--export-index 'N ARG...']...
              [--calls CALLS.json] [--instantiate] [--link NAME=M.wasm]...
              [--engines LIST|all] [--timeout D] [--json] [--narrow]
        instantiate the module as given (start function included) on every
        engine, make the calls in order on one instance per engine and
        compare, after the instantiation and after each call, the status
        (trap kind), the results' bits, every global, the memory and every
        table, exported or not; exit 0 all agree, 1 divergence (outcomes
        side by side, class, signature), 2 bad input; --link instantiates
        M.wasm first and registers it as NAME for the module's imports
        (modules importing "spectest" get the spec suite's); --narrow
        narrows the first divergent call to one instruction; engines: as
        check, exec:CMD, wazero-interp@VERSION, wazero-compiler@VERSION,
        v8-liftoff, v8-turbofan; all = every one available here
`

type linksFlag []diff.Link

func (l *linksFlag) String() string { return "" }

func (l *linksFlag) Set(s string) error {
	name, path, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return errors.New("want NAME=M.wasm")
	}
	b, err := input.ReadFile(path, int64(wasm.DefaultLimits().MaxModuleSize))
	if err != nil {
		return err
	}
	*l = append(*l, diff.Link{Name: name, Bin: b})
	return nil
}

// diffCommand implements "referee diff".
func diffCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	var specs []callSpec
	fs.Var(callsFlag{list: &specs}, "invoke", "call `'FUNC ARG...'` (repeatable; FUNC may be a JSON string such as \"\")")
	fs.Var(callsFlag{list: &specs, byIndex: true}, "export-index", "call the function of export `'N ARG...'` (repeatable)")
	callsPath := fs.String("calls", "", "make the calls listed in `CALLS.json` (after --invoke/--export-index ones)")
	instOnly := fs.Bool("instantiate", false, "only instantiate and compare (no calls)")
	var links linksFlag
	fs.Var(&links, "link", "instantiate `NAME=M.wasm` first and register it as NAME (repeatable)")
	enginesFlag := fs.String("engines", "", "comma-separated engine `LIST`, or all (default: every engine built in)")
	jsonOn := fs.Bool("json", false, "print one JSON object")
	narrowOn := fs.Bool("narrow", false, "narrow the first divergent call to one instruction")
	timeout := fs.Duration("timeout", diff.DefaultRunBudget, "wall-clock budget `D` of one engine for one step")
	pos, code, ok := parseFlags(fs, diffUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee diff: "+format+"\n", a...)
		return exitBad
	}
	if len(pos) != 1 {
		return bad("want one MODULE.wasm (run 'referee help diff')")
	}
	path := pos[0]
	bin, err := input.ReadFile(path, int64(wasm.DefaultLimits().MaxModuleSize))
	if err != nil {
		return bad("%v", err)
	}
	if *callsPath != "" {
		more, err := readCallsFile(*callsPath)
		if err != nil {
			return bad("--calls: %v", err)
		}
		specs = append(specs, more...)
	}
	switch {
	case *instOnly && len(specs) > 0:
		return bad("--instantiate excludes --invoke, --export-index and --calls")
	case !*instOnly && len(specs) == 0:
		return bad("nothing to call: give --invoke, --export-index, --calls or --instantiate")
	}
	mod, err := wasm.Decode(bin)
	if err != nil {
		mod = nil // engines still get it: a module that does not decode must be refused by all
	}
	calls, err := resolveCalls(mod, specs)
	if err != nil {
		return bad("%s: %v", path, err)
	}
	names, notes := diff.ExpandEngines(*enginesFlag)
	for _, n := range notes {
		fmt.Fprintf(stderr, "referee diff: %s\n", n)
	}
	engines, err := diff.ModuleEngines(names, diff.EngineConfig{Interruptible: true})
	if err != nil {
		return bad("--engines: %v", err)
	}
	defer closeModuleEngines(engines)
	ctx := context.Background()
	rep, err := diff.RunModule(ctx, engines, &diff.ModuleRun{Name: path, Bin: bin, Links: links, Calls: calls, Timeout: *timeout})
	if err != nil {
		return bad("%s: %v", path, err)
	}
	if rep.Divergence == nil && rep.Steps[0].Outcomes[0].Status.Kind == diff.StatusLink {
		return bad("%s: unlinkable on every engine: %s (give --link NAME=M.wasm)", path, rep.Steps[0].Outcomes[0].Status.Detail)
	}
	var nr *narrowReport
	if *narrowOn && rep.Divergence != nil {
		nr = narrowDivergence(ctx, mod, calls, rep)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	if *jsonOn {
		writeDiffJSON(out, path, mod, calls, rep, nr)
	} else {
		writeDiffText(out, path, mod, calls, rep, nr)
	}
	if rep.Divergence != nil {
		return exitNo
	}
	return exitOK
}

// closeModuleEngines closes the engines concurrently (an engine outside
// the process waits for its children to exit).
func closeModuleEngines(es []diff.ModuleEngine) {
	var wg sync.WaitGroup
	for _, e := range es {
		if c, ok := e.(diff.Closer); ok {
			wg.Add(1)
			go func() { defer wg.Done(); c.Close() }()
		}
	}
	wg.Wait()
}

// narrowReport is what --narrow adds.
type narrowReport struct {
	Result *narrow.Result `json:"narrowed,omitempty"`
	Note   string         `json:"note,omitempty"`
}

// narrowDivergence narrows the divergent call between the two engines the
// divergence names, on a fresh instance (narrow re-runs one call).
func narrowDivergence(ctx context.Context, mod *wasm.Module, calls []diff.ModuleCall, rep *diff.ModuleReport) *narrowReport {
	dv := rep.Divergence
	if dv.Step == 0 {
		return &narrowReport{Note: "the engines differ at instantiation: nothing to narrow"}
	}
	if mod == nil {
		return &narrowReport{Note: "the module does not decode: nothing to narrow"}
	}
	c := calls[dv.Step-1]
	es, err := narrow.NewEngines(dv.Engines[:], diff.EngineConfig{})
	if err != nil {
		return &narrowReport{Note: err.Error()}
	}
	defer narrow.CloseEngines(es)
	t := &narrow.Target{Base: mod, Entry: c.Export, Args: c.Args, TxIndex: -1}
	r, err := narrow.Narrow(ctx, t, es[0], es[1], narrow.Options{})
	switch {
	case errors.Is(err, narrow.ErrAgree):
		note := "on a fresh instance the two engines agree on this call"
		if dv.Step > 1 {
			note += " (the divergence needs the calls before it)"
		}
		return &narrowReport{Note: note}
	case err != nil:
		return &narrowReport{Note: err.Error()}
	}
	return &narrowReport{Result: r}
}

// stepText describes one outcome for people: "ok i32:97", "trap out of
// bounds memory access", with the observed state's sizes.
func stepText(o *diff.StepOutcome, types []wasm.ValType) string {
	s := o.Status.String()
	if o.Status.Kind == diff.StatusOK && len(o.Results) > 0 {
		vals := make([]string, len(o.Results))
		for i, r := range o.Results {
			if i < len(types) {
				vals[i] = trace.Value{Type: types[i], Bits: r}.String()
			} else {
				vals[i] = fmt.Sprintf("%#x", r)
			}
		}
		s += " " + strings.Join(vals, " ")
	}
	return s
}

func resultTypes(mod *wasm.Module, step int, calls []diff.ModuleCall) []wasm.ValType {
	if mod == nil || step == 0 {
		return nil
	}
	ft, err := exportedFunc(mod, calls[step-1].Export)
	if err != nil {
		return nil
	}
	return ft.Results
}

func writeDiffText(w io.Writer, path string, mod *wasm.Module, calls []diff.ModuleCall, rep *diff.ModuleReport, nr *narrowReport) {
	fmt.Fprintf(w, "diff %s: %s, engines %s\n", path, plural(len(calls), "call"), strings.Join(rep.Engines, ","))
	if !rep.Observed {
		fmt.Fprintln(w, "note: the module does not validate on referee's validator: only statuses and results are compared")
	}
	dv := rep.Divergence
	for i, st := range rep.Steps {
		if dv != nil && i == dv.Step {
			break
		}
		o := &st.Outcomes[0]
		line := fmt.Sprintf("%s: %s", st.Label, stepText(o, resultTypes(mod, i, calls)))
		if ob := o.Obs; ob != nil {
			line += fmt.Sprintf(" (globals %d, memory %d pages, tables %d)", len(ob.Globals), ob.Memory.Pages, len(ob.Tables))
		}
		fmt.Fprintf(w, "%s, all %d engines agree\n", line, len(rep.Engines))
	}
	if dv == nil {
		fmt.Fprintf(w, "all %d engines agree\n", len(rep.Engines))
	} else {
		st := rep.Steps[dv.Step]
		fmt.Fprintf(w, "DIVERGENCE at %s\n", st.Label)
		fmt.Fprintf(w, "class %s, field %s: %s says %s, %s says %s\n", dv.Class, dv.Field, dv.Engines[0], dv.Values[0], dv.Engines[1], dv.Values[1])
		fmt.Fprintf(w, "signature %s\n", dv.Signature)
		if dv.MemoryDetail != "" {
			fmt.Fprintf(w, "memory: %s\n", dv.MemoryDetail)
		}
		types := resultTypes(mod, dv.Step, calls)
		for _, g := range dv.Groups {
			for j := range st.Outcomes {
				if st.Outcomes[j].Engine == g[0] {
					o := &st.Outcomes[j]
					line := stepText(o, types)
					if ob := o.Obs; ob != nil && (dv.Class == diff.ClassMemory || dv.Class == diff.ClassGlobals || dv.Class == diff.ClassTables) {
						line += fmt.Sprintf(", globals %#x, memory %d pages %x…, tables %#x", ob.Globals, ob.Memory.Pages, ob.Memory.Hash[:6], ob.Tables)
					}
					fmt.Fprintf(w, "  %s: %s\n", strings.Join(g, ", "), line)
				}
			}
		}
		writeStepSideBySide(w, st.Outcomes, types)
	}
	if nr != nil {
		if nr.Result != nil {
			fmt.Fprintf(w, "narrowed (%s vs %s, on a fresh instance):\n%s", dv.Engines[0], dv.Engines[1], nr.Result.Describe())
		} else {
			fmt.Fprintf(w, "narrow: %s\n", nr.Note)
		}
	}
	total := make([]time.Duration, len(rep.Engines))
	for _, st := range rep.Steps {
		for j := range st.Outcomes {
			total[j] += st.Outcomes[j].Time
		}
	}
	for j, n := range rep.Engines {
		fmt.Fprintf(w, "time %s %v\n", n, total[j].Round(time.Microsecond))
	}
}

// writeStepSideBySide prints one step's outcomes as a table, one column per
// engine.
func writeStepSideBySide(w io.Writer, outs []diff.StepOutcome, types []wasm.ValType) {
	short := func(h [32]byte) string { return fmt.Sprintf("0x%x…", h[:6]) }
	rows := []struct {
		name string
		get  func(o *diff.StepOutcome) string
	}{
		{"engine", func(o *diff.StepOutcome) string { return o.Engine }},
		{"status", func(o *diff.StepOutcome) string { return o.Status.Kind }},
		{"trap", func(o *diff.StepOutcome) string { return dash(o.Status.Trap) }},
		{"results", func(o *diff.StepOutcome) string {
			if o.Status.Kind != diff.StatusOK {
				return "-"
			}
			return strings.TrimPrefix(stepText(o, types), "ok ")
		}},
		{"globals", func(o *diff.StepOutcome) string {
			if o.Obs == nil {
				return "-"
			}
			return fmt.Sprintf("%#x", o.Obs.Globals)
		}},
		{"memory.pages", func(o *diff.StepOutcome) string {
			if o.Obs == nil {
				return "-"
			}
			return fmt.Sprint(o.Obs.Memory.Pages)
		}},
		{"memory.hash", func(o *diff.StepOutcome) string {
			if o.Obs == nil {
				return "-"
			}
			return short(o.Obs.Memory.Hash)
		}},
		{"tables", func(o *diff.StepOutcome) string {
			if o.Obs == nil {
				return "-"
			}
			return fmt.Sprintf("%#x", o.Obs.Tables)
		}},
		{"detail", func(o *diff.StepOutcome) string { return dash(o.Status.Detail) }},
	}
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = append(cells[i], r.name)
		for j := range outs {
			s := r.get(&outs[j])
			if len(s) > 48 {
				s = s[:45] + "..."
			}
			cells[i] = append(cells[i], s)
		}
	}
	writeColumns(w, cells)
}

// JSON output of referee diff.
type jsonDiffOutcome struct {
	Engine  string   `json:"engine"`
	Status  string   `json:"status"`
	Trap    string   `json:"trap,omitempty"`
	TrapOp  string   `json:"trapOp,omitempty"`
	Detail  string   `json:"detail,omitempty"`
	Results []string `json:"results,omitempty"` // TYPE:VALUE
	Globals []string `json:"globals,omitempty"` // 0x bits, in index order
	Memory  *struct {
		Pages uint32 `json:"pages"`
		Hash  string `json:"hash"`
	} `json:"memory,omitempty"`
	Tables []jsonTable `json:"tables,omitempty"`
	TimeNs int64       `json:"timeNs"`
}

// jsonTable is a table's summary: its size and the FNV-1a hash of the
// indexes of its non-null elements (docs/engine-protocol.md).
type jsonTable struct {
	Size     uint64 `json:"size"`
	NullHash string `json:"nonNullHash"`
}

type jsonDiffStep struct {
	Step     string            `json:"step"`
	Outcomes []jsonDiffOutcome `json:"outcomes"`
}

type jsonDiff struct {
	Module     string                 `json:"module"`
	Engines    []string               `json:"engines"`
	Agree      bool                   `json:"agree"`
	Observed   bool                   `json:"observed"`
	Steps      []jsonDiffStep         `json:"steps"`
	Divergence *diff.ModuleDivergence `json:"divergence,omitempty"`
	Narrow     *narrowReport          `json:"narrow,omitempty"`
}

func writeDiffJSON(w io.Writer, path string, mod *wasm.Module, calls []diff.ModuleCall, rep *diff.ModuleReport, nr *narrowReport) {
	j := jsonDiff{Module: path, Engines: rep.Engines, Agree: rep.Divergence == nil, Observed: rep.Observed, Divergence: rep.Divergence, Narrow: nr}
	for i, st := range rep.Steps {
		types := resultTypes(mod, i, calls)
		js := jsonDiffStep{Step: st.Label}
		for _, o := range st.Outcomes {
			jo := jsonDiffOutcome{Engine: o.Engine, Status: o.Status.Kind, Trap: o.Status.Trap, TrapOp: o.Status.TrapOp, Detail: o.Status.Detail, TimeNs: o.Time.Nanoseconds()}
			for k, r := range o.Results {
				if k < len(types) {
					jo.Results = append(jo.Results, trace.Value{Type: types[k], Bits: r}.String())
				} else {
					jo.Results = append(jo.Results, fmt.Sprintf("%#x", r))
				}
			}
			if ob := o.Obs; ob != nil {
				for _, g := range ob.Globals {
					jo.Globals = append(jo.Globals, fmt.Sprintf("%#x", g))
				}
				jo.Memory = &struct {
					Pages uint32 `json:"pages"`
					Hash  string `json:"hash"`
				}{ob.Memory.Pages, fmt.Sprintf("0x%x", ob.Memory.Hash)}
				for _, t := range ob.Tables {
					jo.Tables = append(jo.Tables, jsonTable{Size: t[0], NullHash: fmt.Sprintf("0x%016x", t[1])})
				}
			}
			js.Outcomes = append(js.Outcomes, jo)
		}
		j.Steps = append(j.Steps, js)
	}
	writeJSON(w, j)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
