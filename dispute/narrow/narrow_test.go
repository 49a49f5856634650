package narrow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

const workloadDir = "../../testdata/workloads"

func loadModule(t testing.TB, file string) *wasm.Module {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(workloadDir, file))
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// nthSite runs the reference machine on the uninstrumented module and
// returns the step, function, offset of the nth execution of op, and the
// total steps.
func nthSite(t testing.TB, tg *Target, op wasm.Opcode, n uint64) (trace.StepInfo, uint64) {
	t.Helper()
	m, err := referenceMachine(tg)
	if err != nil {
		t.Fatal(err)
	}
	var seen uint64
	var at trace.StepInfo
	m.SetTracer(func(s trace.StepInfo) {
		if s.Op == op {
			if seen++; seen == n {
				at = s
			}
		}
	})
	if _, err := m.Run(0); err != nil {
		t.Fatal(err)
	}
	if seen < n {
		t.Fatalf("only %d executions of %s", seen, op)
	}
	return at, m.Steps()
}

// TestNarrowPlanted is Done-when 1: a fault planted in one instruction's
// result deep in a workload of more than 10^6 steps is named exactly.
func TestNarrowPlanted(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		args  []uint64
		plant string
		k     int
	}{
		{name: "sha256 i32.add k=16", file: "sha256.wasm", args: []uint64{10000, 1}, plant: "i32.add@180000", k: 16},
		{name: "sha256 i32.xor k=2", file: "sha256.wasm", args: []uint64{10000, 1}, plant: "i32.xor@90001", k: 2},
		{name: "loop i64.add k=64", file: "loop.wasm", args: []uint64{100000}, plant: "i64.add@99999", k: 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := &Target{Base: loadModule(t, tc.file), Entry: "run", Args: tc.args, TxIndex: -1}
			p, err := ParsePlant(tc.plant)
			if err != nil {
				t.Fatal(err)
			}
			want, total := nthSite(t, tg, p.Op, p.Nth)
			if total < 1_000_000 {
				t.Fatalf("workload has %d steps, want >= 10^6", total)
			}
			es, err := NewEngines([]string{"planted-op:" + tc.plant, "wazero-compiler"}, diff.EngineConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer CloseEngines(es)
			r, err := Narrow(context.Background(), tg, es[0], es[1], Options{K: tc.k})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", r.Describe())
			if r.Step != want.Step || r.Func != want.Func || r.Offset != want.Offset || r.Site.Op != p.Op {
				t.Fatalf("narrowed to step %d func[%d] +0x%x %s, planted at step %d func[%d] +0x%x %s",
					r.Step, r.Func, r.Offset, r.Op, want.Step, want.Func, want.Offset, p.Op)
			}
			if r.Total[0] != total || r.Total[1] != total {
				t.Errorf("total steps %v, reference %d", r.Total, total)
			}
			if r.Engines[0].Result != r.Engines[1].Result^1 || r.Engines[1].Result != r.Reference {
				t.Errorf("results: planted 0x%x, wazero 0x%x, reference 0x%x", r.Engines[0].Result, r.Engines[1].Result, r.Reference)
			}
			if len(r.Operands) != 2 {
				t.Errorf("operands %v", r.Operands)
			}
			if r.Proof == nil {
				t.Fatalf("no proof: %s", r.ProofNote)
			}
			post, err := dispute.Verify(r.Proof.Pre, r.Proof.Bytes)
			if err != nil || post != r.ProofPost {
				t.Fatalf("proof: %v", err)
			}
			info, err := dispute.DescribeProof(r.Proof.Bytes)
			if err != nil || info.Steps != r.Step-1 || info.Func != r.Func || info.Offset != r.Offset || info.Op != r.Op {
				t.Errorf("proof describes %+v (%v)", info, err)
			}
		})
	}
}

// TestNarrowMaxSteps bounds the whole runs below the workload's length (as
// for a fault that makes a loop endless): both runs stop at MaxSteps, a fault
// before the bound is still named exactly, one after it is not seen.
func TestNarrowMaxSteps(t *testing.T) {
	tg := &Target{Base: loadModule(t, "loop.wasm"), Entry: "run", Args: []uint64{10000}, TxIndex: -1}
	p := Plant{Op: wasm.OpI64Add, Nth: 3000}
	want, total := nthSite(t, tg, p.Op, p.Nth)
	limit := want.Step + 1000
	if limit >= total {
		t.Fatalf("limit %d not below the %d steps", limit, total)
	}
	es, err := NewEngines([]string{"wazero-compiler", "planted-op:" + p.String()}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseEngines(es)
	r, err := Narrow(context.Background(), tg, es[0], es[1], Options{MaxSteps: limit})
	if err != nil {
		t.Fatal(err)
	}
	if r.Step != want.Step || r.Offset != want.Offset || r.Total != [2]uint64{limit, limit} {
		t.Fatalf("narrowed to step %d +0x%x of %v, planted at step %d +0x%x, limit %d", r.Step, r.Offset, r.Total, want.Step, want.Offset, limit)
	}
	if _, err := Narrow(context.Background(), tg, es[0], es[1], Options{MaxSteps: want.Step - 1}); !errors.Is(err, ErrAgree) {
		t.Fatalf("fault after the bound: %v, want ErrAgree", err)
	}
}

func TestNarrowAgree(t *testing.T) {
	tg := &Target{Base: loadModule(t, "fib.wasm"), Entry: "run", Args: []uint64{15}, TxIndex: -1}
	for _, pair := range [][2]string{
		{"wazero-compiler", "wazero-interp"},
		{"reference", "wazero-compiler"},
		{"planted-op:i32.add@100000000", "wazero-interp"}, // never reached
	} {
		es, err := NewEngines(pair[:], diff.EngineConfig{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Narrow(context.Background(), tg, es[0], es[1], Options{})
		CloseEngines(es)
		if !errors.Is(err, ErrAgree) {
			t.Errorf("%v: err %v, want ErrAgree", pair, err)
		}
	}
}

// crashAt is an engine that panics (an engine crash, recovered by
// diff.RunSafe) when asked to run to step at or further.
type crashAt struct {
	diff.Engine
	at uint64
}

func (c crashAt) Run(ctx context.Context, req *diff.Request) (diff.Outcome, error) {
	if req.Args[len(req.Args)-2] >= c.at { // the stop target (HashFrom follows)
		panic("crashAt: simulated engine crash")
	}
	return c.Engine.Run(ctx, req)
}

// TestNarrowCrash narrows an engine crash: the engine that crashes from
// step c on is narrowed to step c.
func TestNarrowCrash(t *testing.T) {
	tg := &Target{Base: loadModule(t, "fib.wasm"), Entry: "run", Args: []uint64{15}, TxIndex: -1}
	es, err := NewEngines([]string{"wazero-interp", "wazero-compiler"}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseEngines(es)
	const at = 12345
	b := es[1]
	b.Name, b.Inner = "crashing", crashAt{Engine: es[1].Inner, at: at}
	r, err := Narrow(context.Background(), tg, es[0], b, Options{K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Step != at || r.Field != "failure" || r.Engines[1].Failure != diff.ClassEngineCrash || r.Engines[0].Failure != "" {
		t.Fatalf("narrowed to step %d field %s engines %+v", r.Step, r.Field, r.Engines)
	}
	if r.Proof == nil {
		t.Errorf("no proof: %s", r.ProofNote)
	}
}
