package fuzz

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// fakeOracle reports a divergence when an exported function's body
// contains one of the planted opcodes (the first in the list wins); it
// runs nothing, so campaign tests are fast and exact.
type fakeOracle struct {
	planted []wasm.Opcode
	checks  atomic.Int64
	// onCheck, if set, is called before every check with its number.
	onCheck func(n int64)
}

func (o *fakeOracle) Check(ctx context.Context, m *wasm.Module, calls []corpus.Call) (*corpus.Divergence, error) {
	n := o.checks.Add(1)
	if o.onCheck != nil {
		o.onCheck(n)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		return nil, err
	}
	for i, c := range calls {
		for _, e := range m.Exports {
			if e.Name != c.Export || e.Kind != wasm.ExternFunc {
				continue
			}
			d := int(e.Index) - m.NumImports(wasm.ExternFunc)
			if d < 0 || d >= len(m.Codes) {
				continue
			}
			for _, op := range o.planted {
				if bodyHas(m.Codes[d].Body, op) {
					sig := "fake/" + op.String()
					return &corpus.Divergence{Call: i, Class: "fake", Field: "results", Signature: sig, Engines: [2]string{"a", "b"}}, nil
				}
			}
		}
	}
	return nil, nil
}

func bodyHas(body []byte, op wasm.Opcode) bool {
	for pc := uint32(0); pc < uint32(len(body)); {
		in, next, err := wasm.ReadInstr(body, pc)
		if err != nil || next <= pc {
			return false
		}
		if in.Op == op {
			return true
		}
		pc = next
	}
	return false
}

// storedSet lists a store's findings as ID, signature, worker, iteration,
// and the minimized module's size.
func storedSet(t *testing.T, s *corpus.Store) []string {
	t.Helper()
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range list {
		min := "unminimized"
		if f.Minimized != nil {
			b, err := s.MinModule(f.ID)
			if err != nil {
				t.Fatal(err)
			}
			min = corpus.ComputeID(b, f.Minimized.Calls)
		}
		out = append(out, f.ID+" "+f.Signature+" "+min)
	}
	sort.Strings(out)
	return out
}

func TestCampaignDeterministic(t *testing.T) {
	planted := []wasm.Opcode{wasm.OpI64RemS, wasm.OpI32Rotl, wasm.OpF64Sqrt}
	run := func(seed uint64, workers int) (*Summary, []string) {
		st, err := corpus.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		c := &Campaign{Seed: seed, Workers: workers, Execs: 40, Oracle: &fakeOracle{planted: planted}, Store: st, MinimizeTries: 300}
		s, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Signatures {
			s.Signatures[i].FoundAfter = 0 // wall clock
		}
		s.Progress.Elapsed, s.Progress.ExecsPerSec = 0, 0
		return s, storedSet(t, st)
	}
	a, sa := run(1, 3)
	b, sb := run(1, 3)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed and workers, different summaries:\n%+v\n%+v", a, b)
	}
	if !reflect.DeepEqual(sa, sb) {
		t.Fatalf("same seed and workers, different stores:\n%v\n%v", sa, sb)
	}
	if len(sa) == 0 || a.Progress.Findings == 0 || a.Progress.Execs != 120 {
		t.Fatalf("campaign found nothing or ran %d execs (want 120): %+v", a.Progress.Execs, a.Progress)
	}
	if a.Progress.OpsCovered == 0 || a.Progress.OpsCovered > a.Progress.OpsTotal {
		t.Fatalf("coverage %d of %d", a.Progress.OpsCovered, a.Progress.OpsTotal)
	}
	t.Logf("%d execs, %d findings, %d signatures, coverage %.0f%%, stored: %v", a.Progress.Execs, a.Progress.Findings, a.Progress.Unique, 100*a.Progress.Coverage(), sa)
	for _, r := range a.Signatures {
		if r.ID == "" || r.MinFuncs == 0 || r.MinFuncs > 3 || r.MinSize >= r.Size {
			t.Errorf("signature %s: kept %q, minimized to %d funcs, %d of %d bytes", r.Signature, r.ID, r.MinFuncs, r.MinSize, r.Size)
		}
	}
	c, sc := run(2, 3)
	if reflect.DeepEqual(sa, sc) && reflect.DeepEqual(a.Signatures, c.Signatures) {
		t.Fatal("seeds 1 and 2 gave the same campaign")
	}
}

// TestCampaignCancelKeepsFindings cancels the campaign inside the
// minimization of its first finding: that finding must already be on
// disk, complete (record and module), and the campaign must stop. The
// cancel comes from the oracle itself, on the fourth check after the
// finding is in the store: with one worker those checks are the
// minimization's, whatever the scheduling (a ticker noticing the finding
// could run after the minimization had ended, on a loaded machine).
func TestCampaignCancelKeepsFindings(t *testing.T) {
	dir := t.TempDir()
	st, err := corpus.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := &fakeOracle{planted: []wasm.Opcode{wasm.OpI64RemS}}
	var storedAt int64 // the first check made after the finding was stored
	o.onCheck = func(n int64) {
		if storedAt == 0 && st.Has("fake/"+wasm.OpI64RemS.String()) {
			storedAt = n
		}
		if storedAt > 0 && n == storedAt+3 {
			cancel()
		}
	}
	c := &Campaign{Seed: 3, Workers: 1, Oracle: o, Store: st}
	s, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Progress.Stored == 0 {
		t.Fatalf("no finding stored before the cancel: %+v", s.Progress)
	}
	// Reopen from disk, as a new process would.
	st2, err := corpus.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	list, err := st2.List()
	if err != nil || len(list) == 0 {
		t.Fatalf("after cancel the store lists %d findings, %v", len(list), err)
	}
	for _, f := range list {
		b, err := st2.Module(f.ID)
		if err != nil || corpus.ComputeID(b, f.Calls) != f.ID {
			t.Fatalf("finding %s: module %d bytes, %v", f.ID, len(b), err)
		}
		if f.Minimized != nil {
			mb, err := st2.MinModule(f.ID)
			if err != nil {
				t.Fatal(err)
			}
			mm, err := wasm.Decode(mb)
			if err != nil || wasm.Validate(mm, wasm.DefaultLimits()) != nil {
				t.Fatalf("finding %s: minimized module does not validate", f.ID)
			}
		}
	}
	incomplete := 0
	for _, f := range list {
		if f.Minimized == nil || !f.Minimized.Complete {
			incomplete++
		}
	}
	if incomplete == 0 {
		t.Fatalf("the cancel came after every minimization finished: %d findings, all complete", len(list))
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name()[0] == '.' && e.Name() != ".lock" { // the store's lock file stays
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestCampaignDeterministicOnEngines repeats a short campaign on real
// engines (the reference machine against the planted-operator engine):
// the same seed and worker count must store the same findings, minimized
// to the same modules.
func TestCampaignDeterministicOnEngines(t *testing.T) {
	execs := uint64(80)
	if testing.Short() {
		execs = 30
	}
	run := func() (*Summary, []string) {
		p, err := corpus.NewPlantedOp("i32.rotl")
		if err != nil {
			t.Fatal(err)
		}
		st, err := corpus.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		o := corpus.NewDiffOracle([]diff.Engine{diff.Reference{}, p})
		// No wall-clock budget: the gas limit bounds every run, so no
		// result can depend on the machine's load.
		o.RunBudget = 0
		c := &Campaign{Seed: 1, Workers: 2, Execs: execs, Oracle: o, Store: st, MinimizeTries: 200}
		s, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Signatures {
			s.Signatures[i].FoundAfter = 0
		}
		s.Progress.Elapsed, s.Progress.ExecsPerSec = 0, 0
		return s, storedSet(t, st)
	}
	a, sa := run()
	b, sb := run()
	if a.Progress.TimedOut+b.Progress.TimedOut != 0 {
		t.Fatalf("checks timed out without a budget: %d, %d", a.Progress.TimedOut, b.Progress.TimedOut)
	}
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(sa, sb) {
		t.Fatalf("two runs differ:\n%+v\n%v\n%+v\n%v", a, sa, b, sb)
	}
	t.Logf("%d execs, %d findings, stored %v", a.Progress.Execs, a.Progress.Findings, sa)
}

// timeoutOracle is a fakeOracle whose engines "time out" on every module
// containing the opcode slow, and which records every module it checks.
type timeoutOracle struct {
	fakeOracle
	slow wasm.Opcode
	mu   sync.Mutex
	seen map[string]bool // encoded modules checked (lookups and len only)
}

func (o *timeoutOracle) Check(ctx context.Context, m *wasm.Module, calls []corpus.Call) (*corpus.Divergence, error) {
	o.mu.Lock()
	o.seen[string(wasm.Encode(m))] = true
	o.mu.Unlock()
	for _, c := range m.Codes {
		if bodyHas(c.Body, o.slow) {
			return nil, fmt.Errorf("fake: %w", corpus.ErrEngineTimeout)
		}
	}
	return o.fakeOracle.Check(ctx, m, calls)
}

// TestCampaignTimeoutDecidesNothing: modules on which an engine times out
// are counted apart (TimedOut), are neither findings nor rejections, and
// do not change which modules the campaign makes (a mutation still starts
// from a module that timed out).
func TestCampaignTimeoutDecidesNothing(t *testing.T) {
	run := func(slow wasm.Opcode) (*Summary, *timeoutOracle) {
		o := &timeoutOracle{fakeOracle: fakeOracle{planted: []wasm.Opcode{wasm.OpI64RemS, wasm.OpI32Rotl}}, slow: slow, seen: map[string]bool{}}
		c := &Campaign{Seed: 1, Workers: 3, Execs: 40, Oracle: o, MinimizeTries: -1}
		s, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s, o
	}
	a, oa := run(wasm.Opcode(0xff)) // not an opcode: no timeout
	b, ob := run(wasm.OpF64Sqrt)
	if a.Progress.TimedOut != 0 || b.Progress.TimedOut == 0 {
		t.Fatalf("timed out %d and %d; want 0 and some", a.Progress.TimedOut, b.Progress.TimedOut)
	}
	if a.Progress.Execs != b.Progress.Execs || a.Progress.Rejected != b.Progress.Rejected || a.Progress.OpsCovered != b.Progress.OpsCovered {
		t.Fatalf("timeouts changed the campaign's modules:\n%+v\n%+v", a.Progress, b.Progress)
	}
	if len(oa.seen) != len(ob.seen) {
		t.Fatalf("checked %d and %d distinct modules", len(oa.seen), len(ob.seen))
	}
	for k := range oa.seen { // membership only: the order does not matter
		if !ob.seen[k] {
			t.Fatal("a module checked without timeouts was not checked with them")
		}
	}
	if b.Progress.Findings > a.Progress.Findings {
		t.Fatalf("findings %d without timeouts, %d with %d timeouts", a.Progress.Findings, b.Progress.Findings, b.Progress.TimedOut)
	}
}

// TestCampaignNamesKeptFindings runs a campaign twice on one store, then
// another campaign on it: a signature whose finding the store already
// keeps is not written again, and the summary names the kept finding
// (Existing) instead of showing none, so nothing looks lost.
func TestCampaignNamesKeptFindings(t *testing.T) {
	planted := []wasm.Opcode{wasm.OpI64RemS, wasm.OpI32Rotl, wasm.OpF64Sqrt}
	st, err := corpus.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed uint64) *Summary {
		c := &Campaign{Seed: seed, Workers: 2, Execs: 40, Oracle: &fakeOracle{planted: planted}, Store: st, MinimizeTries: -1}
		s, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := run(1)
	before := storedSet(t, st)
	if len(first.Signatures) == 0 || first.Progress.Stored != uint64(len(first.Signatures)) {
		t.Fatalf("first run stored %d of %d signatures", first.Progress.Stored, len(first.Signatures))
	}
	tests := []struct {
		name string
		seed uint64
	}{
		{name: "same campaign again", seed: 1},
		{name: "another campaign", seed: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := run(tc.seed)
			for _, r := range s.Signatures {
				kept := st.IDOf(r.Signature)
				if r.ID != kept || kept == "" {
					t.Errorf("%s: summary names %q, store keeps %q", r.Signature, r.ID, kept)
				}
				if was := slices.ContainsFunc(first.Signatures, func(f SignatureReport) bool { return f.Signature == r.Signature }); r.Existing != was {
					t.Errorf("%s: existing %v, want %v", r.Signature, r.Existing, was)
				}
			}
			if tc.seed == 1 {
				if s.Progress.Stored != 0 {
					t.Errorf("rerun stored %d signatures again", s.Progress.Stored)
				}
				if after := storedSet(t, st); !reflect.DeepEqual(after, before) {
					t.Errorf("rerun changed the store:\n%v\n%v", before, after)
				}
			}
		})
	}
}
