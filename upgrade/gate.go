package upgrade

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// Input kinds.
const (
	KindBlock   = "block"
	KindModule  = "module"
	KindFinding = "finding"
	KindSpec    = "spec"
)

// Kinds lists the input kinds in report order.
var Kinds = []string{KindBlock, KindModule, KindFinding, KindSpec}

// Difference is one behavioural difference between the two engines.
type Difference struct {
	Kind      string    `json:"kind"`
	Input     string    `json:"input"` // the file and the step: "x.json:45 assert_return f(i32:1)", "token.json tx 3"
	Class     string    `json:"class"`
	Field     string    `json:"field"`
	Signature string    `json:"signature"`
	Values    [2]string `json:"values"`         // old, new
	Note      string    `json:"note,omitempty"` // for a spec command's NaN results: what the spec allows
}

// Stats counts one kind of input.
type Stats struct {
	Inputs      int `json:"inputs"`      // files (blocks, modules, command files) or findings
	Compared    int `json:"compared"`    // steps compared: transactions, calls, commands
	Skipped     int `json:"skipped"`     // commands or modules that cannot be compared (v128 values, text modules)
	Differences int `json:"differences"` // differences found
}

// Report is the result of Run.
type Report struct {
	Old, New    string            `json:"-"`
	Engines     [2]string         `json:"engines"` // old, new
	Stats       map[string]*Stats `json:"stats"`   // by kind; marshals in key order
	Differences []Difference      `json:"differences"`
	Wall        time.Duration     `json:"wallNs"`
}

// Options configures Run.
type Options struct {
	Timeout time.Duration // per engine and step; 0: diff.DefaultRunBudget
	// Progress, if set, is called with each input as it starts.
	Progress func(kind, path string)
}

type gate struct {
	old, new diff.Engine
	mods     [2]diff.ModuleEngine
	opts     Options
	rep      *Report
}

func (g *gate) stat(kind string) *Stats {
	s := g.rep.Stats[kind]
	if s == nil {
		s = &Stats{}
		g.rep.Stats[kind] = s
	}
	return s
}

// Run runs every input of paths on both engines (old first, the side
// compared against) and reports every difference. A path is a block
// (JSON), a module (.wasm, with the calls of NAME.calls.json beside it when
// there is one, else every exported function without parameters), a wast2json
// command file, a findings directory (a corpus store), or a directory of
// any of these (a directory holding command files is a spec directory:
// only its command files run). The error is for unusable input.
func Run(ctx context.Context, old, new diff.Engine, paths []string, o Options) (*Report, error) {
	g := &gate{old: old, new: new, opts: o, rep: &Report{Engines: [2]string{old.Name(), new.Name()}, Stats: map[string]*Stats{}}}
	for i, e := range []diff.Engine{old, new} {
		me, ok := e.(diff.ModuleEngine)
		if !ok {
			return nil, fmt.Errorf("engine %s cannot run whole modules", e.Name())
		}
		g.mods[i] = me
	}
	start := time.Now()
	for _, p := range paths {
		if err := g.path(ctx, p); err != nil {
			return nil, err
		}
	}
	g.rep.Wall = time.Since(start)
	return g.rep, nil
}

// update applies fn to the stats of kind.
func (g *gate) update(kind string, fn func(*Stats)) { fn(g.stat(kind)) }

var findingName = regexp.MustCompile(`^[0-9a-f]{64}\.json$`)

func (g *gate) path(ctx context.Context, p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return g.file(ctx, p)
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	var specs, findings, others []string
	for _, e := range ents {
		full := filepath.Join(p, e.Name())
		switch {
		case e.IsDir():
			others = append(others, full)
		case findingName.MatchString(e.Name()):
			findings = append(findings, full)
		case strings.HasSuffix(e.Name(), ".json") && !strings.HasSuffix(e.Name(), ".calls.json"):
			if b, err := os.ReadFile(full); err == nil && isSpecFile(b) {
				specs = append(specs, full)
			} else {
				others = append(others, full)
			}
		case strings.HasSuffix(e.Name(), ".wasm"):
			others = append(others, full)
		}
	}
	switch {
	case len(specs) > 0: // a spec directory: its .wasm files belong to the command files
		for _, s := range specs {
			if g.opts.Progress != nil {
				g.opts.Progress(KindSpec, s)
			}
			if err := g.runSpecFile(ctx, s); err != nil {
				return err
			}
		}
		return nil
	case len(findings) > 0:
		return g.findings(ctx, p)
	}
	for _, o := range others {
		if err := g.path(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

func (g *gate) file(ctx context.Context, p string) error {
	switch {
	case strings.HasSuffix(p, ".wasm"):
		if strings.HasSuffix(p, ".min.wasm") {
			return nil
		}
		return g.module(ctx, p)
	case strings.HasSuffix(p, ".json"):
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if isSpecFile(b) {
			if g.opts.Progress != nil {
				g.opts.Progress(KindSpec, p)
			}
			return g.runSpecFile(ctx, p)
		}
		return g.block(ctx, p)
	}
	return fmt.Errorf("%s: not a block, module, command file or directory", p)
}

// block checks a block on both engines; the first divergence is its
// difference (the states differ after it).
func (g *gate) block(ctx context.Context, p string) error {
	if g.opts.Progress != nil {
		g.opts.Progress(KindBlock, p)
	}
	b, err := block.Load(p)
	if err != nil {
		return err
	}
	opts := diff.DefaultOptions()
	if g.opts.Timeout > 0 {
		opts.RunBudget = g.opts.Timeout
	}
	rep, err := diff.CheckBlock(ctx, b, []diff.Engine{g.old, g.new}, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	g.update(KindBlock, func(s *Stats) { s.Inputs++; s.Compared += len(rep.Txs) })
	if dv := rep.Divergence; dv != nil {
		g.add(Difference{Kind: KindBlock, Input: fmt.Sprintf("%s tx %d", p, dv.Tx), Class: dv.Class, Field: dv.Field, Signature: dv.Signature, Values: dv.Values})
	}
	return nil
}

// module runs a module with its calls file on both engines.
func (g *gate) module(ctx context.Context, p string) error {
	if g.opts.Progress != nil {
		g.opts.Progress(KindModule, p)
	}
	bin, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	calls, links, err := ModuleCalls(p, bin)
	if err != nil {
		return err
	}
	rep, err := diff.RunModule(ctx, g.mods[:], &diff.ModuleRun{Name: p, Bin: bin, Links: links, Calls: calls, Timeout: g.opts.Timeout})
	if err != nil {
		return err
	}
	g.update(KindModule, func(s *Stats) { s.Inputs++; s.Compared += len(rep.Steps) })
	if dv := rep.Divergence; dv != nil {
		g.add(Difference{Kind: KindModule, Input: p + " " + rep.Steps[dv.Step].Label, Class: dv.Class, Field: dv.Field, Signature: dv.Signature, Values: dv.Values})
	}
	return nil
}

// ModuleCalls returns the calls and links of a corpus module: those of
// NAME.calls.json beside it ({"links": {"NAME": "M.wasm"}, "calls":
// [{"invoke": "f", "args": [RAW_BITS...]}]}, link paths relative to the
// file), else one call of each exported function without parameters, in
// export order, and no links.
func ModuleCalls(p string, bin []byte) ([]diff.ModuleCall, []diff.Link, error) {
	cp := strings.TrimSuffix(p, ".wasm") + ".calls.json"
	if b, err := os.ReadFile(cp); err == nil {
		var cf struct {
			Links map[string]string `json:"links"`
			Calls []struct {
				Invoke string   `json:"invoke"`
				Args   []uint64 `json:"args"`
			} `json:"calls"`
		}
		if err := json.Unmarshal(b, &cf); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", cp, err)
		}
		var out []diff.ModuleCall
		for _, c := range cf.Calls {
			out = append(out, diff.ModuleCall{Export: c.Invoke, Args: c.Args})
		}
		var names []string
		for n := range cf.Links {
			names = append(names, n)
		}
		sort.Strings(names) // instantiated in name order, never map order
		var links []diff.Link
		for _, n := range names {
			lb, err := os.ReadFile(filepath.Join(filepath.Dir(cp), cf.Links[n]))
			if err != nil {
				return nil, nil, fmt.Errorf("%s: links.%s: %w", cp, n, err)
			}
			links = append(links, diff.Link{Name: n, Bin: lb})
		}
		return out, links, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, nil, nil // instantiation only: the engines must refuse it alike
	}
	var out []diff.ModuleCall
	for _, e := range m.Exports {
		if e.Kind != wasm.ExternFunc {
			continue
		}
		if ft, ok := m.FuncType(e.Index); ok && len(ft.Params) == 0 {
			out = append(out, diff.ModuleCall{Export: e.Name})
		}
	}
	return out, nil, nil
}

// findings replays every finding of a corpus store (its minimized module
// and calls, else the module as found) through the oracle that found it,
// on the two engines.
func (g *gate) findings(ctx context.Context, dir string) error {
	if g.opts.Progress != nil {
		g.opts.Progress(KindFinding, dir)
	}
	st, err := corpus.Open(dir)
	if err != nil {
		return err
	}
	list, err := st.List()
	if err != nil {
		return err
	}
	oracle := corpus.NewDiffOracle([]diff.Engine{g.old, g.new})
	if g.opts.Timeout > 0 {
		oracle.RunBudget = g.opts.Timeout
	}
	for _, f := range list {
		bin, calls := []byte(nil), f.Calls
		if f.Minimized != nil {
			if b, err := st.MinModule(f.ID); err == nil {
				bin, calls = b, f.Minimized.Calls
			}
		}
		if bin == nil {
			if bin, err = st.Module(f.ID); err != nil {
				return err
			}
		}
		m, err := wasm.Decode(bin)
		if err != nil {
			return fmt.Errorf("finding %s: %w", f.ID, err)
		}
		g.update(KindFinding, func(s *Stats) { s.Inputs++; s.Compared += len(calls) })
		d, err := oracle.Check(ctx, m, calls)
		if err != nil {
			g.update(KindFinding, func(s *Stats) { s.Skipped++ })
			continue
		}
		if d != nil {
			g.add(Difference{Kind: KindFinding, Input: fmt.Sprintf("%s finding %s call %d", dir, f.ID[:16], d.Call), Class: d.Class, Field: d.Field, Signature: d.Signature, Values: d.Values})
		}
	}
	return nil
}

// compare records the difference of one step's two outcomes, if any, and
// returns it.
func (g *gate) compare(kind, input string, outs [2]diff.StepOutcome, call int) *Difference {
	d := diff.CompareSteps(&outs[0], &outs[1], call)
	if d == nil {
		return nil
	}
	return g.add(Difference{Kind: kind, Input: input, Class: d.Class, Field: d.Field, Signature: diff.StepSignature(d, &outs[0], &outs[1]), Values: [2]string{d.A, d.B}})
}

func (g *gate) add(d Difference) *Difference {
	g.rep.Differences = append(g.rep.Differences, d)
	g.update(d.Kind, func(s *Stats) { s.Differences++ })
	return &g.rep.Differences[len(g.rep.Differences)-1]
}

// ByClass counts the differences by class, sorted by class.
func (r *Report) ByClass() [][2]string {
	n := map[string]int{}
	for _, d := range r.Differences {
		n[d.Class]++
	}
	var out [][2]string
	for c, k := range n {
		out = append(out, [2]string{c, fmt.Sprint(k)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
