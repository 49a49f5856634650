package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/fuzz/ossfuzz"
	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/wasm"
)

// importTarget is a fuzz target whose crash files describe a module and
// its calls, so that a crash can be stored as a finding.
type importTarget struct {
	name    string // e.g. FuzzDifferential
	binary  string // its libFuzzer binary (fuzz/ossfuzz.Target.Binary)
	params  []string
	module  func(args []ossfuzz.Value) (*wasm.Module, []corpus.Call, error)
	inputIs string // what the input is, for messages
}

// moduleCalls is the input of the targets that take a module's bytes: the
// module, with every export called once with edge arguments (seed 0).
func moduleCalls(args []ossfuzz.Value) (*wasm.Module, []corpus.Call, error) {
	m, err := decodeGuarded(args[0].V.([]byte))
	if err != nil {
		return nil, nil, err
	}
	return m, fuzz.PlanCalls(m, fuzz.NewSeedSource(0)), nil
}

var importTargets = []importTarget{
	{name: "FuzzDifferential", binary: "fuzz_differential", params: []string{"[]byte"}, inputIs: "generator bytes",
		module: func(args []ossfuzz.Value) (*wasm.Module, []corpus.Call, error) {
			return fuzz.DifferentialCalls(args[0].V.([]byte))
		}},
	{name: "FuzzInstrument", binary: "meter_instrument", params: []string{"[]byte"}, inputIs: "a module", module: moduleCalls},
	{name: "FuzzRun", binary: "trace_run", params: []string{"[]byte"}, inputIs: "a module", module: moduleCalls},
	{name: "FuzzDecode", binary: "wasm_decode", params: []string{"[]byte"}, inputIs: "a module", module: moduleCalls},
}

func importTargetNames() string {
	var n []string
	for _, t := range importTargets {
		n = append(n, t.name)
	}
	return strings.Join(n, ", ")
}

// decodeGuarded decodes a module, turning a decoder panic (what a
// FuzzDecode crash is) into an error that says so.
func decodeGuarded(b []byte) (m *wasm.Module, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("the decoder panics on it (%v): a crash of referee's decoder, not an engine divergence", r)
		}
	}()
	m, err = wasm.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("not a module: %w", err)
	}
	return m, nil
}

// maxCrashFile bounds the crash files import reads: libFuzzer's inputs are
// far smaller (its -max_len defaults to 4096 bytes).
const maxCrashFile = 16 << 20

// crashInput reads a crash file and says what it is: a go test -fuzz
// failure (or seed) file, a Wasm module, or a libFuzzer input of a target
// (named by --target, or by the binary name libFuzzer's artifact prefix
// put before "crash-").
func crashInput(path, targetFlag string) (*importTarget, []ossfuzz.Value, error) {
	b, err := input.ReadFile(path, maxCrashFile)
	if err != nil {
		return nil, nil, err
	}
	name := targetFlag
	if name == "" {
		// testdata/fuzz/FuzzX/NAME (go test -fuzz) or BINARY-crash-SHA1.
		if p := filepath.Base(filepath.Dir(path)); strings.HasPrefix(p, "Fuzz") && ossfuzz.IsCorpusFile(b) {
			name = p
		}
		for _, t := range importTargets {
			if strings.HasPrefix(filepath.Base(path), t.binary+"-") || strings.HasPrefix(filepath.Base(path), t.binary+"_") {
				name = t.name
			}
		}
	}
	if bytes.HasPrefix(b, []byte("\x00asm")) && !ossfuzz.IsCorpusFile(b) {
		t := &importTarget{name: "module", params: []string{"[]byte"}, module: moduleCalls, inputIs: "a module"}
		return t, []ossfuzz.Value{{Type: "[]byte", V: b}}, nil
	}
	if name == "" {
		return nil, nil, fmt.Errorf("which fuzz target's crash is it? name it with --target (importable: %s)", importTargetNames())
	}
	var t *importTarget
	for i := range importTargets {
		if importTargets[i].name == name {
			t = &importTargets[i]
		}
	}
	if t == nil {
		return nil, nil, fmt.Errorf("target %s: its inputs are not modules, so its crashes are crashes of referee's own code, not engine divergences: reproduce with go test -run=%s (importable: %s)", name, name, importTargetNames())
	}
	var args []ossfuzz.Value
	if ossfuzz.IsCorpusFile(b) {
		if args, err = ossfuzz.ParseCorpusFile(b); err != nil {
			return nil, nil, err
		}
		if len(args) != len(t.params) || args[0].Type != t.params[0] {
			return nil, nil, fmt.Errorf("%d values, want %s's (%s)", len(args), t.name, strings.Join(t.params, ", "))
		}
	} else if args, err = ossfuzz.Decode(b, t.params); err != nil {
		return nil, nil, fmt.Errorf("as %s's libFuzzer input: %w", t.name, err)
	}
	return t, args, nil
}

// importResult is one crash file's line of import --json.
type importResult struct {
	File      string `json:"file"`
	Target    string `json:"target,omitempty"`
	Status    string `json:"status"` // stored, known, agree, bad
	Signature string `json:"signature,omitempty"`
	ID        string `json:"id,omitempty"`
	Size      int    `json:"size,omitempty"`
	MinSize   int    `json:"minSize,omitempty"`
	Error     string `json:"error,omitempty"`
}

// importCommand implements "referee corpus import CRASH...": each crash
// file becomes a stored finding, minimized, unless its signature is
// already stored (then it is "known": importing twice changes nothing) or
// the engines agree on it.
func importCommand(st *corpus.Store, files []string, targetFlag, enginesFlag string, tries int, jsonOn bool, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "referee corpus import: want one or more crash files (run 'referee help corpus')")
		return exitBad
	}
	names := diff.AllEngineNames()
	if enginesFlag != "" {
		names = strings.Split(enginesFlag, ",")
	}
	engines, raw, err := fuzzEngines(names)
	if err != nil {
		fmt.Fprintf(stderr, "referee corpus import: --engines: %v\n", err)
		return exitBad
	}
	defer diff.CloseEngines(engines)
	if len(engines) == 0 || len(engines) < 2 && !raw {
		fmt.Fprintln(stderr, "referee corpus import: --engines: want at least two engines to compare (or one and raw)")
		return exitBad
	}
	o := corpus.NewDiffOracle(engines)
	o.GasLimit, o.Raw = fuzzGas, raw
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := exitOK
	var results []importResult
	for _, path := range files {
		r := importOne(ctx, st, o, names, path, targetFlag, tries)
		results = append(results, r)
		switch r.Status {
		case "bad":
			code = exitBad
		case "agree":
			if code == exitOK {
				code = exitNothing
			}
		}
		if jsonOn {
			continue
		}
		switch r.Status {
		case "bad":
			fmt.Fprintf(stderr, "referee corpus import: %s: %s\n", path, r.Error)
		case "agree":
			fmt.Fprintf(stdout, "%s (%s): the engines agree on it: nothing stored\n", path, r.Target)
		case "known":
			fmt.Fprintf(stdout, "%s (%s): %s, already stored as finding %s\n", path, r.Target, r.Signature, r.ID)
		default:
			fmt.Fprintf(stdout, "%s (%s): %s, stored as finding %s (%d bytes, minimized to %d)\n", path, r.Target, r.Signature, r.ID, r.Size, r.MinSize)
		}
	}
	if jsonOn {
		writeJSON(stdout, results)
	}
	return code
}

func importOne(ctx context.Context, st *corpus.Store, o *corpus.DiffOracle, names []string, path, targetFlag string, tries int) importResult {
	r := importResult{File: path}
	bad := func(err error) importResult {
		r.Status, r.Error = "bad", err.Error()
		return r
	}
	t, args, err := crashInput(path, targetFlag)
	if err != nil {
		return bad(err)
	}
	r.Target = t.name
	m, calls, err := t.module(args)
	if err != nil {
		return bad(fmt.Errorf("%s (%s): %w", t.name, t.inputIs, err))
	}
	d, err := o.Check(ctx, m, calls)
	if err != nil {
		return bad(fmt.Errorf("%s: %w", t.name, err))
	}
	if d == nil {
		r.Status = "agree"
		return r
	}
	bin := wasm.Encode(m)
	f := &corpus.Finding{Signature: d.Signature, Divergence: *d, Engines: names, Calls: calls,
		Origin: "import", Source: filepath.Base(path) + " (" + t.name + ")", Found: time.Now().UTC(), Funcs: len(m.Funcs)}
	ok, err := st.Put(f, bin)
	if err != nil {
		return bad(err)
	}
	r.Signature = d.Signature
	if !ok {
		r.Status, r.ID = "known", st.IDOf(d.Signature)
		return r
	}
	r.Status, r.ID, r.Size = "stored", f.ID, f.Size
	var one []corpus.Call
	if d.Call >= 0 && d.Call < len(calls) {
		one = []corpus.Call{calls[d.Call]}
	}
	res := corpus.Minimize(ctx, m, o.Holds(ctx, one, d.Signature), corpus.MinimizeOptions{MaxTries: tries})
	mbin := wasm.Encode(res.Module)
	info := corpus.Minimized{Size: len(mbin), Funcs: len(res.Module.Funcs), Instrs: corpus.CountInstrs(res.Module),
		Calls: one, Tries: res.Tries, Steps: res.Steps, Complete: res.Complete}
	if err := st.PutMinimized(f.ID, mbin, info); err != nil && !errors.Is(err, corpus.ErrNotFound) {
		return bad(err)
	}
	r.MinSize = info.Size
	return r
}

// mergeCommand implements "referee corpus merge DIR...".
func mergeCommand(st *corpus.Store, dirs []string, jsonOn bool, stdout, stderr io.Writer) int {
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, "referee corpus merge: want one or more findings directories (run 'referee help corpus')")
		return exitBad
	}
	for _, d := range dirs {
		if abs, _ := filepath.Abs(d); abs == absPath(st.Dir()) {
			fmt.Fprintf(stderr, "referee corpus merge: %s is the corpus itself (--corpus)\n", d)
			return exitBad
		}
	}
	acts, err := st.Merge(dirs...)
	if err != nil {
		fmt.Fprintf(stderr, "referee corpus merge: %v\n", err)
		return exitBad
	}
	if jsonOn {
		if acts == nil {
			acts = []corpus.MergeAction{}
		}
		return writeJSON(stdout, acts)
	}
	var added, replaced, kept int
	for _, a := range acts {
		switch a.Action {
		case "added":
			added++
			fmt.Fprintf(stdout, "added     %s  %s  %d bytes, from %s\n", short16(a.ID), a.Signature, a.Size, a.From)
		case "replaced":
			replaced++
			fmt.Fprintf(stdout, "replaced  %s  %s  %d bytes, from %s (was %s)\n", short16(a.ID), a.Signature, a.Size, a.From, short16(a.Replaced))
		default:
			kept++
		}
	}
	fmt.Fprintf(stdout, "%s: %d signatures: %d added, %d replaced by a smaller reproducer, %d kept\n", st.Dir(), len(acts), added, replaced, kept)
	return exitOK
}

func short16(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
