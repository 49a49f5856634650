package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

const runUsage = `  referee run [--max-steps N] [--trace] [--json] MODULE.wasm FUNC [ARG...]
  referee run --tx I [--max-steps N] [--trace] [--json] BLOCK.json
        run the exported function FUNC; ARG is TYPE:VALUE (i32:7 i64:-1
        f32:1.5 f64:0x7ff8000000000000 funcref:null externref:3
        v128:0x00000004000000030000000200000001);
        prints one TYPE:VALUE line per result, or "trap: KIND" (exit 1);
        with --tx, run transaction I of the block (its metered contract with
        the host ABI, on the state the transactions before it leave) and
        print its receipt (exit 1 unless the receipt is ok)
`

// runConfig is what runBlockTx needs of the run command's flags.
type runConfig struct {
	pos         []string
	tx          int
	maxSteps    uint64
	trace, json bool
	out         io.Writer
	fail        func(format string, a ...any) int
}

// runCommand implements "referee run".
func runCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	maxSteps := fs.Uint64("max-steps", 0, "trap with \"step limit exceeded\" after `N` steps (0 = no limit)")
	traceOn := fs.Bool("trace", false, "print one line per executed step before the results")
	jsonOn := fs.Bool("json", false, "print JSON lines: step objects (with --trace) and a summary object")
	tx := fs.Int("tx", -1, "run transaction `I` of a BLOCK.json (from 0)")
	pos, code, ok := parseFlags(fs, runUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee run: "+format+"\n", a...)
		return exitBad
	}
	if *tx >= 0 {
		out := bufio.NewWriter(stdout)
		defer out.Flush()
		return runBlockTx(&runConfig{pos: pos, tx: *tx, maxSteps: *maxSteps, trace: *traceOn, json: *jsonOn, out: out,
			fail: func(format string, a ...any) int { out.Flush(); return fail(format, a...) }})
	}
	if len(pos) == 1 && strings.HasSuffix(pos[0], ".json") {
		return fail("%s: a block needs --tx I, the transaction", pos[0])
	}
	if len(pos) < 2 {
		fmt.Fprintf(stderr, "referee run: want MODULE.wasm FUNC [ARG...] (run 'referee help run')\n")
		return exitBad
	}
	target, err := loadCallTarget(pos[0], pos[1], pos[2:])
	if err != nil {
		return fail("%v", err)
	}
	path, name, mod, vals := target.path, target.name, target.mod, target.args

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	m := trace.NewMachine(trace.Config{MaxSteps: *maxSteps})
	m.RegisterSpectest()
	if *traceOn {
		// The tracer is set before instantiation so that the start
		// function's steps are traced too: the trace covers every step
		// the machine counts.
		m.SetTracer(stepWriter(out, *jsonOn))
	}
	inst, err := m.Instantiate(mod)
	if err == nil {
		var res []trace.Value
		res, err = m.Invoke(inst, name, vals)
		if err == nil {
			printResults(out, *jsonOn, m.Steps(), res)
			return exitOK
		}
	}
	var t *trace.Trap
	if errors.As(err, &t) {
		printTrap(out, *jsonOn, m.Steps(), t, m.Frames())
		return exitNo
	}
	out.Flush()
	return fail("%s: %v", path, err) // a *trace.LinkError, or a machine error
}

// exportedFunc returns the type of the function exported as name.
func exportedFunc(mod *wasm.Module, name string) (wasm.FuncType, error) {
	var funcs []string
	for _, e := range mod.Exports {
		if e.Kind == wasm.ExternFunc {
			funcs = append(funcs, e.Name)
		}
		if e.Name != name {
			continue
		}
		if e.Kind != wasm.ExternFunc {
			return wasm.FuncType{}, fmt.Errorf("unknown function %q: the export is not a function", name)
		}
		ti, ok := mod.FuncTypeIndex(e.Index)
		if !ok {
			return wasm.FuncType{}, fmt.Errorf("BUG: export %q names function %d outside the validated module", name, e.Index)
		}
		return mod.Types[ti], nil
	}
	if len(funcs) == 0 {
		return wasm.FuncType{}, fmt.Errorf("unknown function %q: the module exports no functions", name)
	}
	if len(funcs) > 10 {
		funcs = append(funcs[:10], "...")
	}
	return wasm.FuncType{}, fmt.Errorf("unknown function %q (exported functions: %s)", name, strings.Join(funcs, ", "))
}

// jsonStep is one line of a --trace --json trace.
type jsonStep struct {
	Step   uint64 `json:"step"`
	Func   uint32 `json:"func"`
	Offset string `json:"offset"`
	Op     string `json:"op"`
	Top    string `json:"top,omitempty"`
}

// jsonDone and jsonTrapped are the last line of --json output.
type jsonDone struct {
	Status  string   `json:"status"` // "done"
	Steps   uint64   `json:"steps"`
	Results []string `json:"results"`
}

type jsonTrapped struct {
	Status string `json:"status"` // "trapped"
	Steps  uint64 `json:"steps"`
	Trap   string `json:"trap"`
	Func   uint32 `json:"func"`
	Offset string `json:"offset"`
	// Backtrace is the call frames when the instruction trapped, innermost
	// first (the trapping instruction, then each caller's return address).
	Backtrace []jsonFrame `json:"backtrace,omitempty"`
}

type jsonFrame struct {
	Func   uint32 `json:"func"`
	Offset string `json:"offset"`
}

// stepWriter returns a tracer writing one line per step to w.
func stepWriter(w io.Writer, asJSON bool) func(trace.StepInfo) {
	if asJSON {
		enc := json.NewEncoder(w)
		return func(s trace.StepInfo) {
			js := jsonStep{Step: s.Step, Func: s.Func, Offset: fmt.Sprintf("0x%x", s.Offset), Op: s.Op.String()}
			if s.HasTop {
				js.Top = s.Top.String()
			}
			_ = enc.Encode(js) // a write error shows as a truncated trace
		}
	}
	return func(s trace.StepInfo) {
		top := "-"
		if s.HasTop {
			top = s.Top.String()
		}
		fmt.Fprintf(w, "step=%d func=%d offset=0x%x op=%s top=%s\n", s.Step, s.Func, s.Offset, s.Op, top)
	}
}

func printResults(w io.Writer, asJSON bool, steps uint64, res []trace.Value) {
	if asJSON {
		sum := jsonDone{Status: "done", Steps: steps, Results: make([]string, len(res))}
		for i, v := range res {
			sum.Results[i] = v.String()
		}
		_ = json.NewEncoder(w).Encode(sum)
		return
	}
	for _, v := range res {
		fmt.Fprintln(w, v.String())
	}
}

// jsonSegmentTrapped is the last line of --json output when instantiation
// traps applying an active segment: no function runs, so there is no func
// or offset; segment names it ("elem[0]", "data[1]") and moduleOffset is
// the byte offset of its offset expression in the module.
type jsonSegmentTrapped struct {
	Status       string `json:"status"` // "trapped"
	Steps        uint64 `json:"steps"`
	Trap         string `json:"trap"`
	Segment      string `json:"segment"`
	ModuleOffset string `json:"moduleOffset"`
}

func printTrap(w io.Writer, asJSON bool, steps uint64, t *trace.Trap, frames []trace.Frame) {
	if asJSON && t.Segment != "" {
		_ = json.NewEncoder(w).Encode(jsonSegmentTrapped{Status: "trapped", Steps: steps, Trap: t.Kind.String(),
			Segment: t.Segment, ModuleOffset: fmt.Sprintf("0x%x", t.Offset)})
		return
	}
	if t.Segment != "" {
		fmt.Fprintf(w, "trap: %s (instantiation: %s, module offset 0x%x)\n", t.Kind, t.Segment, t.Offset)
		return
	}
	if asJSON {
		j := jsonTrapped{Status: "trapped", Steps: steps, Trap: t.Kind.String(), Func: t.Func, Offset: fmt.Sprintf("0x%x", t.Offset)}
		for i := len(frames) - 1; i >= 0; i-- {
			j.Backtrace = append(j.Backtrace, jsonFrame{Func: frames[i].PC.Func, Offset: fmt.Sprintf("0x%x", frames[i].PC.Offset)})
		}
		_ = json.NewEncoder(w).Encode(j)
		return
	}
	fmt.Fprintf(w, "trap: %s\n", t.Kind)
}
