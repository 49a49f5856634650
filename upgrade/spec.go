package upgrade

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// specFile is a wast2json command file.
type specFile struct {
	SourceFilename string        `json:"source_filename"`
	Commands       []specCommand `json:"commands"`
}

type specCommand struct {
	Type       string      `json:"type"`
	Line       int         `json:"line"`
	Filename   string      `json:"filename"`
	Name       string      `json:"name"`
	As         string      `json:"as"`
	ModuleType string      `json:"module_type"`
	Action     *specAction `json:"action"`
	Expected   []specValue `json:"expected"`
}

type specAction struct {
	Type   string      `json:"type"` // invoke or get
	Module string      `json:"module"`
	Field  string      `json:"field"`
	Args   []specValue `json:"args"`
}

type specValue struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// isSpecFile reports whether a JSON document is a wast2json command file.
func isSpecFile(b []byte) bool {
	var probe struct {
		Source   *string           `json:"source_filename"`
		Commands []json.RawMessage `json:"commands"`
	}
	return json.Unmarshal(b, &probe) == nil && probe.Source != nil
}

// specArgs parses an action's arguments into raw bits: numbers are the
// unsigned decimal bits wast2json writes, references "null" or an
// externref host value N (N+1, as diff.Instance takes it). ok is false for
// a value this comparison cannot pass (v128).
func specArgs(vs []specValue) ([]uint64, bool, error) {
	var out []uint64
	for _, v := range vs {
		var s string
		if err := json.Unmarshal(v.Value, &s); err != nil {
			return nil, false, nil // v128 lanes are an array
		}
		switch v.Type {
		case "i32", "i64", "f32", "f64":
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return nil, false, fmt.Errorf("%s value %q", v.Type, s)
			}
			out = append(out, n)
		case "externref", "funcref":
			if s == "null" {
				out = append(out, 0)
				continue
			}
			n, err := strconv.ParseUint(s, 10, 63)
			if err != nil || v.Type == "funcref" {
				return nil, false, fmt.Errorf("%s value %q", v.Type, s)
			}
			out = append(out, n+1)
		default:
			return nil, false, nil
		}
	}
	return out, true, nil
}

// specSide is one engine's store and named instances for one command file.
type specSide struct {
	store diff.Store
	last  diff.Instance
	named map[string]diff.Instance // lookups only
	lastM *wasm.Module
	mods  map[string]*wasm.Module
}

// runSpecFile runs every command of one command file on both engines and
// records each difference.
func (g *gate) runSpecFile(ctx context.Context, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f specFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	var sides [2]*specSide
	for i, e := range g.mods {
		s, err := e.NewStore(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
		defer s.Close()
		sides[i] = &specSide{store: s, named: map[string]diff.Instance{}, mods: map[string]*wasm.Module{}}
		if _, st := s.Instantiate(ctx, diff.Spectest(), diff.SpectestName); st.Kind != diff.StatusOK {
			return fmt.Errorf("%s: spectest module: %v", e.Name(), st)
		}
	}
	stats := g.stat(KindSpec)
	stats.Inputs++
	simd := false // the current module uses SIMD: its commands are skipped
	for i := 0; i < len(f.Commands); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := &f.Commands[i]
		where := fmt.Sprintf("%s:%d %s", path, c.Line, c.Type)
		switch c.Type {
		case "module":
			if c.ModuleType == "text" || strings.HasSuffix(c.Filename, ".wat") {
				simd = true // not binary: nothing to run
				stats.Skipped++
				continue
			}
			bin, err := os.ReadFile(filepath.Join(dir, c.Filename))
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			mod, verr := decodeValid(bin)
			if errors.Is(verr, wasm.ErrSIMD) {
				simd = true
				stats.Skipped++
				continue
			}
			simd = false
			as := ""
			if i+1 < len(f.Commands) && f.Commands[i+1].Type == "register" && f.Commands[i+1].Name == "" {
				as = f.Commands[i+1].As // wazero registers at instantiation: look ahead, as its own spec runner does
				i++
			}
			var outs [2]diff.StepOutcome
			for k, s := range sides {
				inst, st := s.store.Instantiate(ctx, bin, as)
				outs[k] = diff.StepOutcome{Engine: g.mods[k].Name(), Status: st}
				s.last, s.lastM = inst, mod
				if c.Name != "" {
					s.named[c.Name], s.mods[c.Name] = inst, mod
				}
			}
			stats.Compared++
			g.compare(KindSpec, where+" "+c.Filename, outs, -1)
		case "register":
			stats.Skipped++ // a register that does not follow its module: wazero cannot alias an instance
		case "assert_invalid", "assert_malformed", "assert_unlinkable", "assert_uninstantiable", "assert_trap":
			if c.Action != nil {
				g.specAction(ctx, sides, c, where, simd)
				continue
			}
			if c.ModuleType == "text" || strings.HasSuffix(c.Filename, ".wat") {
				stats.Skipped++
				continue
			}
			bin, err := os.ReadFile(filepath.Join(dir, c.Filename))
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if _, verr := decodeValid(bin); errors.Is(verr, wasm.ErrSIMD) {
				stats.Skipped++
				continue
			}
			var outs [2]diff.StepOutcome
			for k, s := range sides {
				_, st := s.store.Instantiate(ctx, bin, "")
				outs[k] = diff.StepOutcome{Engine: g.mods[k].Name(), Status: st}
			}
			stats.Compared++
			g.compare(KindSpec, where+" "+c.Filename, outs, -1)
		case "assert_return", "action", "assert_exhaustion":
			g.specAction(ctx, sides, c, where, simd)
		default:
			stats.Skipped++
		}
	}
	return nil
}

// specAction runs an invoke or a get on both engines and compares.
func (g *gate) specAction(ctx context.Context, sides [2]*specSide, c *specCommand, where string, simd bool) {
	stats := g.stat(KindSpec)
	a := c.Action
	if simd || a == nil {
		stats.Skipped++
		return
	}
	args, ok, err := specArgs(a.Args)
	if err != nil || !ok {
		stats.Skipped++
		return
	}
	var outs [2]diff.StepOutcome
	var results []wasm.ValType
	for k, s := range sides {
		inst, mod := s.last, s.lastM
		if a.Module != "" {
			inst, mod = s.named[a.Module], s.mods[a.Module]
		}
		outs[k].Engine = g.mods[k].Name()
		if inst == nil {
			outs[k].Status = diff.Status{Kind: diff.StatusCrash, Detail: "no instance"}
			continue
		}
		switch a.Type {
		case "invoke":
			if mod != nil {
				if ft, ok := mod.ExportedFuncType(a.Field); ok {
					results = ft.Results
				}
			}
			outs[k].Results, outs[k].Status = inst.Invoke(ctx, a.Field, args)
		case "get":
			rep, err := inst.Observe(ctx, &diff.ObserveQuery{Globals: []string{a.Field}})
			if err != nil {
				outs[k].Status = diff.Status{Kind: diff.StatusCrash, Detail: err.Error()}
				continue
			}
			outs[k].Status, outs[k].Results = diff.OK, rep.Globals
		default:
			stats.Skipped++
			return
		}
	}
	for k := range outs {
		outs[k].ResultTypes = results
		for i := range outs[k].Results {
			if i < len(results) && results[i] == wasm.FuncRef && outs[k].Results[i] != 0 {
				outs[k].Results[i] = 1
			}
		}
	}
	stats.Compared++
	d := g.compare(KindSpec, fmt.Sprintf("%s %s(%s)", where, a.Field, argText(a.Args)), outs, 0)
	if d != nil && d.Class == diff.ClassNaNBits {
		d.Note = nanNote(d.Field, c.Expected, outs, [2]string{g.mods[0].Name(), g.mods[1].Name()})
	} else if d != nil && signallingNaNArg(a.Args) {
		d.Note = "an argument is a signalling NaN (an engine behind a JavaScript API may quiet it)"
	}
}

// signallingNaNArg reports whether an f32 or f64 argument is a signalling
// NaN.
func signallingNaNArg(vs []specValue) bool {
	for _, v := range vs {
		var s string
		json.Unmarshal(v.Value, &s)
		b, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			continue
		}
		switch v.Type {
		case "f32":
			if b&0x7f800000 == 0x7f800000 && b&0x7fffff != 0 && b&0x400000 == 0 {
				return true
			}
		case "f64":
			if b&0x7ff0000000000000 == 0x7ff0000000000000 && b&0xfffffffffffff != 0 && b&(1<<51) == 0 {
				return true
			}
		}
	}
	return false
}

// nanNote says how two NaN results stand against the spec's expectation:
// both allowed (nan:canonical, nan:arithmetic, or the bits the spec names),
// or which engine gave what the spec does not allow.
func nanNote(field string, exp []specValue, outs [2]diff.StepOutcome, names [2]string) string {
	var i int
	if _, err := fmt.Sscanf(field, "results[%d]", &i); err != nil || i >= len(exp) {
		return ""
	}
	var want string
	if json.Unmarshal(exp[i].Value, &want) != nil {
		return ""
	}
	wide := exp[i].Type == "f64"
	ok := func(b uint64) bool {
		abs, quiet, canon := b&0x7fffffff, uint64(0x400000), uint64(0x7fc00000)
		if wide {
			abs, quiet, canon = b&0x7fffffffffffffff, 1<<51, 0x7ff8000000000000
		}
		switch want {
		case "nan:canonical":
			return abs == canon
		case "nan:arithmetic":
			return b&quiet != 0
		}
		n, err := strconv.ParseUint(want, 10, 64)
		return err == nil && n == b
	}
	var good []string
	var badOnes []string
	for k, o := range outs {
		if i < len(o.Results) && ok(o.Results[i]) {
			good = append(good, names[k])
		} else {
			badOnes = append(badOnes, names[k])
		}
	}
	switch {
	case len(badOnes) == 0:
		return "the spec expects " + want + ": both results are allowed"
	case len(good) == 0:
		return "the spec expects " + want + ": neither result is"
	}
	return fmt.Sprintf("the spec expects %s: %s's result is not allowed", want, strings.Join(badOnes, ", "))
}

func argText(vs []specValue) string {
	var parts []string
	for _, v := range vs {
		var s string
		json.Unmarshal(v.Value, &s)
		parts = append(parts, v.Type+":"+s)
	}
	return strings.Join(parts, " ")
}

func decodeValid(bin []byte) (*wasm.Module, error) {
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, err
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		return m, err
	}
	return m, nil
}
