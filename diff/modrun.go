package diff

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// ModuleRun is one module-level comparison: the module, the modules it is
// linked with, and the calls to make in order on one instance per engine.
type ModuleRun struct {
	Name  string // the module's file, for people
	Bin   []byte // the module as given
	Links []Link // instantiated and registered first, in order
	Calls []ModuleCall
	// Timeout is the wall-clock budget of one engine for one step (the
	// instantiation, or one call); 0: DefaultRunBudget. Passing it makes
	// the step's status timeout; it never changes a result.
	Timeout time.Duration
}

// Link is a module registered under Name before the main module is
// instantiated (referee diff --link NAME=M.wasm).
type Link struct {
	Name string
	Bin  []byte
}

// ModuleCall is one call of an exported function.
type ModuleCall struct {
	Export string
	Args   []uint64 // raw bits, by the function's parameter types
}

// StepOutcome is one engine's outcome of one step.
type StepOutcome struct {
	Engine  string        `json:"engine"`
	Status  Status        `json:"status"`
	Results []uint64      `json:"results,omitempty"`
	Obs     *ObserveReply `json:"observed,omitempty"` // nil when there is no instance to observe
	Time    time.Duration `json:"timeNs"`
	// ResultTypes are the results' types where known (not compared): a
	// difference of two NaNs is class nan-bits only for f32 and f64.
	ResultTypes []wasm.ValType `json:"-"`
}

// ModuleStep is a step of a module run: the instantiation (index 0), or a
// call, and every engine's outcome in engine order.
type ModuleStep struct {
	Label    string        `json:"step"` // "instantiate" or "call I EXPORT(ARGS)"
	Outcomes []StepOutcome `json:"outcomes"`
}

// ModuleDivergence is the first difference of a module run.
type ModuleDivergence struct {
	Step      int       `json:"step"` // index in Steps: 0 the instantiation, i the call i-1
	Class     string    `json:"class"`
	Field     string    `json:"field"`
	Signature string    `json:"signature"`
	Engines   [2]string `json:"engines"`
	Values    [2]string `json:"values"`
	// Groups are the engines grouped by identical outcome of the step, in
	// engine order of each group's first engine.
	Groups [][]string `json:"groups"`
	// MemoryDetail names the first differing byte when memory differs.
	MemoryDetail string `json:"memoryDetail,omitempty"`
}

// ModuleReport is the result of RunModule.
type ModuleReport struct {
	Engines    []string          `json:"engines"`
	Steps      []ModuleStep      `json:"steps"` // up to and including the divergent one
	Divergence *ModuleDivergence `json:"divergence,omitempty"`
	// Observed says whether the module could be made observable (it
	// decodes and validates on referee's validator); without it only
	// statuses and results are compared.
	Observed bool `json:"observed"`
}

// moduleTypes is what comparison needs to know of the module's types.
type moduleTypes struct {
	mod     *wasm.Module // nil if it does not decode
	obs     *Observed    // nil if not observable
	results [][]wasm.ValType
}

// PrepareModule decodes bin and makes its observable copy; the copy is
// nil for a module that does not decode or validate (it runs as given).
func PrepareModule(bin []byte) (*wasm.Module, *Observed) {
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, nil
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		return m, nil
	}
	return m, Observable(m)
}

// RunModule runs r on every engine: a store each, the links (and the spec
// suite's module "spectest" when something imports it and no link has that
// name), the module's observable copy, then the calls in order, each step
// on all engines concurrently and compared, in engine order, against the
// first engine's outcome. It stops at the first difference. The error is
// for a store that cannot be made.
func RunModule(ctx context.Context, engines []ModuleEngine, r *ModuleRun) (*ModuleReport, error) {
	if len(engines) == 0 {
		return nil, errors.New("no engines")
	}
	mod, obs := PrepareModule(r.Bin)
	mt := &moduleTypes{mod: mod, obs: obs}
	main := r.Bin
	var q *ObserveQuery
	if obs != nil {
		main, q = obs.Binary, &obs.Query
	}
	if mod != nil {
		for _, c := range r.Calls {
			var rt []wasm.ValType
			if ft, ok := mod.ExportedFuncType(c.Export); ok {
				rt = ft.Results
			}
			mt.results = append(mt.results, rt)
		}
	}
	links := withSpectest(r.Bin, r.Links)
	rep := &ModuleReport{Observed: obs != nil}
	stores := make([]Store, len(engines))
	insts := make([]Instance, len(engines))
	defer func() {
		var cwg sync.WaitGroup
		for _, s := range stores {
			if s != nil {
				cwg.Add(1)
				go func() { defer cwg.Done(); s.Close() }()
			}
		}
		cwg.Wait()
	}()
	// Stores are made concurrently: an engine outside the process starts
	// its child here (node takes ~100 ms to start).
	errs := make([]error, len(engines))
	var swg sync.WaitGroup
	for i, e := range engines {
		rep.Engines = append(rep.Engines, e.Name())
		swg.Add(1)
		go func() {
			defer swg.Done()
			stores[i], errs[i] = e.NewStore(ctx)
		}()
	}
	swg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", engines[i].Name(), err)
		}
	}
	budget := r.Timeout
	if budget <= 0 {
		budget = DefaultRunBudget
	}
	alive := make([]bool, len(engines))
	step := func(label string, do func(j int, ctx context.Context) StepOutcome) bool {
		outs := make([]StepOutcome, len(engines))
		var wg sync.WaitGroup
		for j := range engines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sctx, cancel := context.WithTimeout(ctx, budget)
				defer cancel()
				start := time.Now()
				outs[j] = do(j, sctx)
				outs[j].Engine, outs[j].Time = engines[j].Name(), time.Since(start)
			}()
		}
		wg.Wait()
		call := len(rep.Steps) - 1 // -1: the instantiation
		for j := range outs {
			normalizeStep(&outs[j], mt, call)
		}
		rep.Steps = append(rep.Steps, ModuleStep{Label: label, Outcomes: outs})
		if dv := firstModuleDivergence(outs, call); dv != nil {
			dv.Step = call + 1
			if dv.Class == ClassMemory && q != nil {
				dv.MemoryDetail = memoryDetail(ctx, insts, outs, dv.Engines, q.Memory)
			}
			rep.Divergence = dv
			return false
		}
		return true
	}
	ok := step("instantiate", func(j int, ctx context.Context) StepOutcome {
		for _, l := range links {
			if _, st := stores[j].Instantiate(ctx, l.Bin, l.Name); st.Kind != StatusOK {
				st.Detail = "link " + l.Name + ": " + st.Detail
				return StepOutcome{Status: st}
			}
		}
		inst, st := stores[j].Instantiate(ctx, main, "")
		o := StepOutcome{Status: st}
		if inst != nil {
			insts[j], alive[j] = inst, true
			o.Obs = observe(ctx, inst, q, &o)
		}
		return o
	})
	for i, c := range r.Calls {
		if !ok || ctx.Err() != nil {
			break
		}
		ok = step(CallLabel(i, c, mod), func(j int, ctx context.Context) StepOutcome {
			if !alive[j] {
				return StepOutcome{Status: statusf(StatusCrash, "no instance")}
			}
			res, st := insts[j].Invoke(ctx, c.Export, c.Args)
			o := StepOutcome{Status: st, Results: res}
			if st.Kind == StatusTimeout || st.Kind == StatusCrash {
				alive[j] = false
				return o
			}
			o.Obs = observe(ctx, insts[j], q, &o)
			return o
		})
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

// observe reads q on inst; a failure to observe turns the step's status
// into a crash (the engine could not answer what every engine must).
func observe(ctx context.Context, inst Instance, q *ObserveQuery, o *StepOutcome) *ObserveReply {
	if q == nil {
		return nil
	}
	rep, err := inst.Observe(ctx, q)
	if err != nil {
		if ctx.Err() != nil {
			o.Status = statusf(StatusTimeout, "observe: %v", ctx.Err())
		} else {
			o.Status = statusf(StatusCrash, "observe: %v", err)
		}
		return nil
	}
	return rep
}

// withSpectest prepends the spec suite's module when the module imports
// "spectest" and no link provides it.
func withSpectest(bin []byte, links []Link) []Link {
	for _, l := range links {
		if l.Name == SpectestName {
			return links
		}
	}
	need := false
	for _, b := range append([][]byte{bin}, linkBins(links)...) {
		if m, err := wasm.Decode(b); err == nil {
			for _, im := range m.Imports {
				need = need || im.Module == SpectestName
			}
		}
	}
	if !need {
		return links
	}
	return append([]Link{{Name: SpectestName, Bin: Spectest()}}, links...)
}

func linkBins(ls []Link) [][]byte {
	out := make([][]byte, len(ls))
	for i, l := range ls {
		out[i] = l.Bin
	}
	return out
}

// CallLabel names call i for people: `call 0 init()`, `call 2 "f"(i32:1)`.
func CallLabel(i int, c ModuleCall, mod *wasm.Module) string {
	var params []wasm.ValType
	if mod != nil {
		if ft, ok := mod.ExportedFuncType(c.Export); ok {
			params = ft.Params
		}
	}
	args := make([]string, len(c.Args))
	for k, a := range c.Args {
		if k < len(params) {
			args[k] = trace.Value{Type: params[k], Bits: a}.String()
		} else {
			args[k] = fmt.Sprintf("0x%x", a)
		}
	}
	name := c.Export
	if name == "" || strings.ContainsAny(name, " ()\"\t\n") {
		name = fmt.Sprintf("%q", name)
	}
	return fmt.Sprintf("call %d %s(%s)", i, name, strings.Join(args, " "))
}

// normalizeStep reduces what engines may represent differently: function
// references (results, globals) to null or not, externref globals likewise.
func normalizeStep(o *StepOutcome, mt *moduleTypes, call int) {
	if call >= 0 && call < len(mt.results) {
		rt := mt.results[call]
		o.ResultTypes = rt
		for i := range o.Results {
			if i < len(rt) && rt[i] == wasm.FuncRef && o.Results[i] != 0 {
				o.Results[i] = 1
			}
		}
	}
	if o.Obs != nil && mt.obs != nil {
		for i := range o.Obs.Globals {
			if i < len(mt.obs.GlobalTypes) && mt.obs.GlobalTypes[i].IsRef() && o.Obs.Globals[i] != 0 {
				o.Obs.Globals[i] = 1
			}
		}
	}
}

// ClassNaNBits is the class of a difference in which both values are NaNs
// of the same type with different bits: the spec lets engines choose a
// NaN's payload (within the canonical/arithmetic rules), so it is listed
// apart from value mismatches.
const ClassNaNBits = "nan-bits"

// ClassTables is the class of a difference in a table (size, or which
// elements are null).
const ClassTables = "tables"

// firstModuleDivergence compares every outcome with the first, in engine
// order, and groups the engines by outcome.
func firstModuleDivergence(outs []StepOutcome, call int) *ModuleDivergence {
	var dv *ModuleDivergence
	for j := 1; j < len(outs) && dv == nil; j++ {
		if d := CompareSteps(&outs[0], &outs[j], call); d != nil {
			dv = &ModuleDivergence{Class: d.Class, Field: d.Field, Engines: [2]string{outs[0].Engine, outs[j].Engine}, Values: [2]string{d.A, d.B}}
			dv.Signature = StepSignature(d, &outs[0], &outs[j])
		}
	}
	if dv == nil {
		return nil
	}
	var reps []int
	for j := range outs {
		placed := false
		for g, r := range reps {
			if CompareSteps(&outs[r], &outs[j], call) == nil {
				dv.Groups[g] = append(dv.Groups[g], outs[j].Engine)
				placed = true
				break
			}
		}
		if !placed {
			reps = append(reps, j)
			dv.Groups = append(dv.Groups, []string{outs[j].Engine})
		}
	}
	return dv
}

// CompareSteps returns the first difference of two outcomes of one step, in
// this order: status, trap kind, results, globals (in index order), memory
// (size, contents), tables (size, null elements). Fields of the
// instantiation step (call < 0) start with "instantiate.".
func CompareSteps(a, b *StepOutcome, call int) *Difference {
	pre := ""
	if call < 0 {
		pre = "instantiate."
	}
	d := func(class, field string, x, y any) *Difference {
		return &Difference{Class: class, Field: pre + field, A: fmt.Sprint(x), B: fmt.Sprint(y)}
	}
	sa, sb := a.Status, b.Status
	if sa.Kind != sb.Kind {
		return d(statusClass(sa.Kind, sb.Kind), "status", sa, sb)
	}
	if !TrapsAgree(sa.Trap, sb.Trap) {
		return d(ClassTrapKind, "trap", sa, sb)
	}
	if len(a.Results) != len(b.Results) {
		return d(ClassValue, "results", len(a.Results), len(b.Results))
	}
	for i := range a.Results {
		if x, y := a.Results[i], b.Results[i]; x != y {
			class := valueClass(x, y)
			if i < len(a.ResultTypes) && a.ResultTypes[i] != wasm.F32 && a.ResultTypes[i] != wasm.F64 {
				class = ClassValue
			}
			return d(class, fmt.Sprintf("results[%d]", i), fmt.Sprintf("%#x", x), fmt.Sprintf("%#x", y))
		}
	}
	oa, ob := a.Obs, b.Obs
	if oa == nil || ob == nil {
		if (oa == nil) != (ob == nil) && sa.Kind == StatusOK {
			return d(ClassEngineCrash, "observed", oa != nil, ob != nil)
		}
		return nil
	}
	if len(oa.Globals) != len(ob.Globals) {
		return d(ClassGlobals, "globals", len(oa.Globals), len(ob.Globals))
	}
	for i := range oa.Globals {
		if x, y := oa.Globals[i], ob.Globals[i]; x != y {
			return d(globalClass(x, y), fmt.Sprintf("globals[%d]", i), fmt.Sprintf("global %d = %#x", i, x), fmt.Sprintf("global %d = %#x", i, y))
		}
	}
	if oa.Memory.Pages != ob.Memory.Pages {
		return d(ClassMemory, "memory.pages", oa.Memory.Pages, ob.Memory.Pages)
	}
	if oa.Memory.Hash != ob.Memory.Hash {
		return d(ClassMemory, "memory.hash", hexOf(oa.Memory.Hash[:]), hexOf(ob.Memory.Hash[:]))
	}
	if len(oa.Tables) != len(ob.Tables) {
		return d(ClassTables, "tables", len(oa.Tables), len(ob.Tables))
	}
	for i := range oa.Tables {
		ta, tb := oa.Tables[i], ob.Tables[i]
		if ta[0] != tb[0] {
			return d(ClassTables, fmt.Sprintf("tables[%d].size", i), ta[0], tb[0])
		}
		if ta[1] != tb[1] {
			return d(ClassTables, fmt.Sprintf("tables[%d].null", i), fmt.Sprintf("%#x", ta[1]), fmt.Sprintf("%#x", tb[1]))
		}
	}
	return nil
}

func statusClass(a, b string) string {
	has := func(k string) bool { return a == k || b == k }
	switch {
	case has(StatusCrash):
		return ClassEngineCrash
	case has(StatusTimeout):
		return ClassEngineTimeout
	case has(StatusRejected), has(StatusLink):
		return ClassRejected
	case has(StatusOK):
		return ClassTrapVsOK
	}
	return ClassTrapKind
}

// valueClass is nan-bits when both bit patterns are NaNs of one width (a
// result's type is not at hand here: both readings are tried, f64 first).
func valueClass(x, y uint64) string {
	if isNaN64(x) && isNaN64(y) || x>>32 == 0 && y>>32 == 0 && isNaN32(uint32(x)) && isNaN32(uint32(y)) {
		return ClassNaNBits
	}
	return ClassValue
}

func globalClass(x, y uint64) string {
	if c := valueClass(x, y); c == ClassNaNBits {
		return c
	}
	return ClassGlobals
}

func isNaN64(b uint64) bool { return math.IsNaN(math.Float64frombits(b)) }

func isNaN32(b uint32) bool { return b&0x7f800000 == 0x7f800000 && b&0x7fffff != 0 }

// memoryDetail names the first byte at which the two engines' memories
// differ (both instances are still at the divergent step).
func memoryDetail(ctx context.Context, insts []Instance, outs []StepOutcome, names [2]string, mem string) string {
	var bs [2][]byte
	for k, n := range names {
		for j := range outs {
			if outs[j].Engine != n || insts[j] == nil || outs[j].Obs == nil {
				continue
			}
			b, err := insts[j].ReadMemory(ctx, mem, 0, outs[j].Obs.Memory.Pages*65536)
			if err != nil {
				return fmt.Sprintf("%s: %v", n, err)
			}
			bs[k] = b
			break
		}
	}
	for i := 0; i < min(len(bs[0]), len(bs[1])); i++ {
		if bs[0][i] != bs[1][i] {
			return fmt.Sprintf("first difference at byte 0x%x: %s has 0x%02x, %s has 0x%02x", i, names[0], bs[0][i], names[1], bs[1][i])
		}
	}
	return fmt.Sprintf("sizes differ: %d and %d bytes", len(bs[0]), len(bs[1]))
}

// StepSignature is the stable signature of a difference between two step
// outcomes: CLASS/FIELD, and the trapping opcode for the classes about how
// a step ended (as Signature for blocks).
func StepSignature(d *Difference, a, b *StepOutcome) string {
	s := d.Class + "/" + fieldStem(d.Field)
	if d.Class == ClassTrapKind || d.Class == ClassTrapVsOK {
		for _, o := range []*StepOutcome{a, b} {
			if o.Status.TrapOp != "" {
				return s + "/" + o.Status.TrapOp
			}
		}
	}
	return s
}

// TrapsAgree compares two trap kinds. An engine that cannot tell some kinds
// apart reports the candidates joined by "|" (V8 says "float unrepresentable
// in integer range" for both integer overflow and invalid conversion): such
// a kind agrees with any of its candidates.
func TrapsAgree(a, b string) bool {
	if a == b {
		return true
	}
	if !strings.Contains(a, "|") && !strings.Contains(b, "|") {
		return false
	}
	for _, x := range strings.Split(a, "|") {
		for _, y := range strings.Split(b, "|") {
			if x == y {
				return true
			}
		}
	}
	return false
}
