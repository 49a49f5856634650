package spectest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// DefaultMaxSteps is the step budget of one invoke when Options.MaxSteps
// is zero. The costliest invoke of the 2.0 suite takes 1,245,182 steps
// (check-memory-zero in memory_grow.wast, a loop over every byte of the
// grown memory), so 10^7 leaves 8× headroom; the budget only exists so that a
// machine bug cannot hang the run.
const DefaultMaxSteps = 10_000_000

// fileFuel is the machine's own fuel (Config.MaxSteps) for one file: a
// backstop for start functions, which run inside Instantiate where the
// per-invoke budget cannot reach.
const fileFuel = 10_000_000_000

// Options configures a run.
type Options struct {
	// MaxSteps is the step budget of each invoke (0 = DefaultMaxSteps).
	MaxSteps uint64
}

// Failure is one command that did not pass, or a note on one that did.
type Failure struct {
	Line    int    // line of the command in the .wast source
	Command string // command type, e.g. "assert_return"
	Msg     string
}

// Result counts the commands of one file.
type Result struct {
	File    string // path of the wast2json command file
	Source  string // the .wast file it was made from, e.g. "i32.wast"
	Passed  int
	Failed  int
	Skipped int
	// Failures lists every failed command in file order.
	Failures []Failure
	// Notes lists passed commands worth a look, e.g. a trap whose kind
	// differs from the text the script expects.
	Notes []Failure
}

// CommandFiles expands paths into the command files they name: a file is
// taken as is, a directory contributes every *.json file below it, in
// lexical order.
func CommandFiles(paths ...string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// RunPath runs every command file named by paths (see CommandFiles).
func RunPath(opts Options, paths ...string) ([]Result, error) {
	files, err := CommandFiles(paths...)
	if err != nil {
		return nil, err
	}
	results := make([]Result, 0, len(files))
	for _, f := range files {
		r, err := RunFile(f, opts)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	return results, nil
}

// RunFile runs one wast2json command file on a fresh machine. The error
// is non-nil only when the file itself cannot be read; failing commands
// are counted in the Result.
func RunFile(path string, opts Options) (Result, error) {
	cf, err := readCommandFile(path)
	if err != nil {
		return Result{File: path}, err
	}
	res := Result{File: path, Source: filepath.Base(cf.SourceFilename)}
	if res.Source == "." || res.Source == "" {
		res.Source = strings.TrimSuffix(filepath.Base(path), ".json") + ".wast"
	}
	r := &runner{
		dir:      filepath.Dir(path),
		budget:   opts.MaxSteps,
		named:    map[string]*trace.Instance{},
		brokenAt: map[string]int{},
	}
	if r.budget == 0 {
		r.budget = DefaultMaxSteps
	}
	r.newMachine()
	for _, c := range cf.Commands {
		out := r.safeExec(c)
		switch out.kind {
		case passed:
			res.Passed++
		case failed:
			res.Failed++
			res.Failures = append(res.Failures, Failure{Line: c.Line, Command: c.Type, Msg: out.msg})
		case skipped:
			res.Skipped++
		}
		if out.note != "" {
			res.Notes = append(res.Notes, Failure{Line: c.Line, Command: c.Type, Msg: out.note})
		}
	}
	return res, nil
}

type outcomeKind uint8

const (
	passed outcomeKind = iota
	failed
	skipped
)

// outcome is what one command came to; note may accompany a pass.
type outcome struct {
	kind outcomeKind
	msg  string
	note string
}

func pass() outcome { return outcome{kind: passed} }
func skip() outcome { return outcome{kind: skipped} }
func fail(format string, a ...any) outcome {
	return outcome{kind: failed, msg: fmt.Sprintf(format, a...)}
}
func passNote(format string, a ...any) outcome {
	return outcome{kind: passed, note: fmt.Sprintf(format, a...)}
}
func failErr(what string, err error) outcome      { return fail("%s: %v", what, err) }
func isText(filename string) bool                 { return strings.HasSuffix(filename, ".wat") }
func trapText(k trace.TrapKind, want string) bool { return strings.HasPrefix(want, k.String()) }

// runner holds the state of one command file: the shared machine, the
// last module and the named ones.
type runner struct {
	dir    string
	budget uint64 // steps per invoke
	m      *trace.Machine
	// log lists the module and register commands that succeeded, in
	// order, so that a machine left unusable (by a panic or a call that
	// ran out of budget) can be rebuilt; see rebuild.
	log   []logEntry
	last  *trace.Instance
	named map[string]*trace.Instance // looked up, never iterated
	// brokenAt maps a module name ("" for the last module) to the line of
	// its module command when that command failed, so that the commands
	// depending on it say so instead of repeating the cause.
	brokenAt map[string]int
}

// logEntry is a module (mod != nil) or a register command.
type logEntry struct {
	mod      *wasm.Module
	name, as string
}

// newMachine starts the file's machine.
func (r *runner) newMachine() {
	r.m = trace.NewMachine(trace.Config{MaxSteps: fileFuel})
	r.m.RegisterSpectest()
}

// rebuild replaces a machine that cannot take another call (a call is
// still in progress after a panic or after its budget ran out) by a new
// one on which the logged module and register commands are replayed.
// State changed by earlier actions is lost, so later failures in the
// file may be consequences; the failure that caused the rebuild says so.
func (r *runner) rebuild() {
	r.newMachine()
	r.last = nil
	r.named = map[string]*trace.Instance{}
	for _, e := range r.log {
		if e.mod == nil {
			if inst := r.instance(e.name); inst != nil {
				r.m.Register(e.as, inst)
			}
			continue
		}
		inst, err := r.m.Instantiate(e.mod)
		if err != nil {
			inst = nil
		}
		r.last = inst
		if e.name != "" {
			r.named[e.name] = inst
		}
	}
}

// safeExec runs one command and turns a panic into a failure naming where
// it happened, so that one machine bug does not end the run.
func (r *runner) safeExec(c command) (out outcome) {
	defer func() {
		if p := recover(); p != nil {
			out = fail("panic: %v (at %s); machine rebuilt", p, panicSite())
			r.rebuild()
		}
	}()
	return r.exec(c)
}

// panicSite returns "function file:line" of the code that panicked: the
// first non-runtime frame after runtime.gopanic.
func panicSite() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(1, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	seenPanic := false
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			seenPanic = true
		} else if seenPanic && !strings.HasPrefix(f.Function, "runtime.") {
			return fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}
