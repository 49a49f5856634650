package diff

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
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
		if err := ServeChildWrapped(os.Stdin, os.Stdout, EngineConfig{Interruptible: true}, testWrap(os.Getenv("REFEREE_DIFF_TEST_WRAP"))); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testWrap returns the fault the child puts around its engines:
// "crash:N" kills the child (SIGKILL) at its Nth, 2Nth, ... run; "hang:N"
// makes its Nth run never return; "pid" reports the child's pid in each
// outcome's Detail.
func testWrap(spec string) func(Engine) Engine {
	kind, ns, _ := strings.Cut(spec, ":")
	n, _ := strconv.Atoi(ns)
	switch kind {
	case "crash", "hang", "pid":
		return func(e Engine) Engine { return &faultEngine{Engine: e, kind: kind, every: n} }
	}
	return nil
}

type faultEngine struct {
	Engine
	kind  string
	every int
	runs  int
}

func (f *faultEngine) Run(ctx context.Context, req *Request) (Outcome, error) {
	f.runs++
	switch {
	case f.kind == "crash" && f.runs%f.every == 0:
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	case f.kind == "hang" && f.runs == f.every:
		time.Sleep(time.Hour) // not select{}: without cgo the runtime would report a deadlock and exit
	}
	o, err := f.Engine.Run(ctx, req)
	if f.kind == "pid" {
		o.Detail = strconv.Itoa(os.Getpid())
	}
	return o, err
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

// pooled returns spec's engine in a pool of n children wrapped with fault.
func pooled(t *testing.T, spec, fault string, n int) (*Isolated, *restarts) {
	t.Helper()
	e := isolated(t, spec)
	e.Env = append(e.Env, "REFEREE_DIFF_TEST_WRAP="+fault)
	e.Children = n
	r := &restarts{by: map[string]int{}}
	e.OnRestart = func(engine, reason string) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.by[reason]++
	}
	t.Cleanup(func() { e.Close() })
	return e, r
}

type restarts struct {
	mu sync.Mutex
	by map[string]int
}

func (r *restarts) get(reason string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.by[reason]
}

// TestIsolatedPoolReuse: one child serves every run of a block (not one
// process per transaction), with the in-process outcomes.
func TestIsolatedPoolReuse(t *testing.T) {
	b := loadExample(t, "token.json")
	e, r := pooled(t, "wazero-compiler", "pid", 1)
	in := testEngines(t)
	for round := 0; round < 2; round++ {
		rep, err := CheckBlock(context.Background(), b, []Engine{in[0], e}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Divergence != nil {
			t.Fatalf("divergence %+v", rep.Divergence)
		}
		pids := map[string]bool{}
		for _, row := range rep.Txs {
			pids[row[1].Detail] = true
		}
		if len(pids) != 1 {
			t.Fatalf("round %d: %d child processes served %d runs, want 1", round, len(pids), len(rep.Txs))
		}
	}
	if n := r.get("crash") + r.get("timeout") + r.get("cancel"); n != 0 {
		t.Fatalf("%d restarts of a healthy child", n)
	}
}

// TestIsolatedCrashEveryN: a child that dies at every 3rd run is replaced
// each time; those runs are engine-crash, every other run is right, and
// runs keep being served.
func TestIsolatedCrashEveryN(t *testing.T) {
	b := loadExample(t, "token.json")
	e, r := pooled(t, "reference", "crash:3", 2)
	progs, err := GateBlock(b, DefaultGateOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := make([]Outcome, len(b.Txs))
	st := block.NewState(b.Pre)
	for i, tx := range b.Txs {
		want[i] = RunSafe(context.Background(), Reference{}, &Request{Prog: progs[tx.Contract], Tx: tx, TxIndex: i, State: st})
	}
	crashes := 0
	const rounds = 4
	for round := 0; round < rounds; round++ {
		for i, tx := range b.Txs { // every run on the pre-state: the outcomes need no order
			o := RunSafe(context.Background(), e, &Request{Prog: progs[tx.Contract], Tx: tx, TxIndex: i, State: block.NewState(b.Pre)})
			if o.Failure == ClassEngineCrash {
				crashes++
				if !contains(o.Detail, "killed by signal killed") {
					t.Errorf("crash detail %q", o.Detail)
				}
				continue
			}
			if o.Failure != "" {
				t.Fatalf("round %d tx %d: %s: %s", round, i, o.Failure, o.Detail)
			}
			if i == 0 {
				if d := Compare(&want[0], &o); d != nil {
					t.Errorf("round %d tx 0: differs from in-process: %+v", round, d)
				}
			}
		}
	}
	runs := rounds * len(b.Txs)
	// A replaced child counts from 1 again: it dies at its 3rd run.
	if wantCrashes := runs / 3; crashes != wantCrashes {
		t.Errorf("%d crashes in %d runs, want %d", crashes, runs, wantCrashes)
	}
	if got := r.get("crash"); got != crashes {
		t.Errorf("%d restarts for %d crashes", got, crashes)
	}
}

// TestIsolatedHang: a child that never answers is killed at the deadline
// (engine-timeout) and replaced; the next run is served.
func TestIsolatedHang(t *testing.T) {
	b := loadExample(t, "token.json")
	e, r := pooled(t, "reference", "hang:2", 1)
	progs, err := GateBlock(b, DefaultGateOptions())
	if err != nil {
		t.Fatal(err)
	}
	tx := b.Txs[7] // a balance query: no writes
	var classes []string
	for i := 0; i < 4; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		o := RunSafe(ctx, e, &Request{Prog: progs[tx.Contract], Tx: tx, TxIndex: 7, State: block.NewState(b.Pre)})
		cancel()
		classes = append(classes, o.Failure)
	}
	// A replaced child counts from 1 again: it hangs at its 2nd run.
	if want := []string{"", ClassEngineTimeout, "", ClassEngineTimeout}; strings.Join(classes, ",") != strings.Join(want, ",") {
		t.Fatalf("failure classes %q, want %q", classes, want)
	}
	if r.get("timeout") != 2 {
		t.Fatalf("restarts %v, want two timeouts", r.by)
	}
}
