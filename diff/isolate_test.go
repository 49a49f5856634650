package diff

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
)

// childEnv makes this test binary serve one isolated run (ServeChild)
// instead of running tests: the test binary stands in for the referee
// binary's "check --engine-child".
const childEnv = "REFEREE_DIFF_TEST_CHILD=1"

func TestMain(m *testing.M) {
	if os.Getenv("REFEREE_DIFF_TEST_CHILD") == "1" {
		// An engine that dies of a real SIGSEGV, known only to the child.
		engineMakers = append(engineMakers, struct {
			name string
			make func(EngineConfig) Engine
		}{"segv", func(EngineConfig) Engine { return segvEngine{} }},
			struct {
				name string
				make func(EngineConfig) Engine
			}{"killed", func(EngineConfig) Engine { return killedEngine{} }})
		if err := ServeChild(os.Stdin, os.Stdout, EngineConfig{Interruptible: true}); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type segvEngine struct{}

func (segvEngine) Name() string { return "segv" }

func (segvEngine) Run(ctx context.Context, req *Request) (Outcome, error) {
	syscall.Kill(os.Getpid(), syscall.SIGSEGV) // Go's handler prints "SIGSEGV" and exits 2, as after a fault in C code
	select {}
}

type killedEngine struct{}

func (killedEngine) Name() string { return "killed" }

func (killedEngine) Run(ctx context.Context, req *Request) (Outcome, error) {
	syscall.Kill(os.Getpid(), syscall.SIGKILL) // as the OOM killer would
	select {}
}

func isolated(t *testing.T, spec string) *Isolated {
	t.Helper()
	e, err := NewIsolated(spec, []string{os.Args[0]}, []string{childEnv})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestIsolated runs an example block with every engine in child processes:
// same commitment, and the outcomes equal the in-process ones.
func TestIsolated(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per transaction and engine")
	}
	b := loadExample(t, "token.json")
	var es []Engine
	for _, n := range AllEngineNames() {
		es = append(es, isolated(t, n))
	}
	rep, err := CheckBlock(context.Background(), b, es, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Divergence != nil {
		t.Fatalf("divergence %+v: %+v", rep.Divergence, rep.Txs[rep.Divergence.Tx])
	}
	if got := block.FormatHex(rep.Commitment[:]); got != exampleCommitments[0].want {
		t.Errorf("commitment %s, want %s", got, exampleCommitments[0].want)
	}
	in, err := CheckBlock(context.Background(), b, testEngines(t), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range rep.Txs {
		for j := range rep.Txs[i] {
			if d := Compare(&rep.Txs[i][j], &in.Txs[i][j]); d != nil {
				t.Errorf("tx %d %s: isolated and in-process outcomes differ: %+v", i, rep.Engines[j], d)
			}
		}
	}
}

// TestIsolatedSegfault: an engine killed by SIGSEGV in its child is class
// engine-crash, and the parent goes on.
func TestIsolatedSegfault(t *testing.T) {
	b := loadExample(t, "token.json")
	b.Txs = b.Txs[:2]
	for _, tt := range []struct{ engine, detail string }{
		{"segv", "SIGSEGV"},
		{"killed", "killed by signal killed"},
	} {
		e := &Isolated{Spec: tt.engine, Cmd: []string{os.Args[0]}, Env: []string{childEnv}, name: tt.engine}
		rep, err := CheckBlock(context.Background(), b, []Engine{Reference{}, e}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		dv := rep.Divergence
		if dv == nil || dv.Tx != 0 || dv.Class != ClassEngineCrash {
			t.Fatalf("%s: divergence %+v, want engine-crash at tx 0", tt.engine, dv)
		}
		if d := rep.Txs[0][1].Detail; !contains(d, tt.detail) {
			t.Errorf("%s: detail %q does not contain %q", tt.engine, d, tt.detail)
		}
	}
	// The planted engine keeps its spec across the process boundary.
	rep, err := CheckBlock(context.Background(), b, []Engine{Reference{}, isolated(t, "planted:write@1")}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if dv := rep.Divergence; dv == nil || dv.Tx != 1 || dv.Class != ClassStorage {
		t.Fatalf("divergence %+v, want storage at tx 1", dv)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestIsolatedTimeout: an isolated run past its budget is engine-timeout
// (the child stops itself at the deadline it was sent, or is killed).
func TestIsolatedTimeout(t *testing.T) {
	b := loadExample(t, "traps.json")
	for _, tx := range b.Txs {
		if tx.Entry == "spin" {
			tx.GasLimit = block.MaxGasLimit
			b.Txs = []block.Tx{tx}
			break
		}
	}
	o := DefaultOptions()
	o.RunBudget = 200 * time.Millisecond
	rep, err := CheckBlock(context.Background(), b, []Engine{isolated(t, "wazero-compiler")}, o)
	if err != nil {
		t.Fatal(err)
	}
	if dv := rep.Divergence; dv == nil || dv.Class != ClassEngineTimeout {
		t.Fatalf("divergence %+v, want engine-timeout", dv)
	}
}
