package diff

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
)

// TestPlanted is Done-when 2 at the package level: a planted fault in each
// field is found at the right transaction with the right class, whatever
// engine runs beside it.
func TestPlanted(t *testing.T) {
	b := loadExample(t, "token.json")
	tests := []struct {
		name, spec string
		tx         int
		class      string
		signature  string
	}{
		{name: "default", spec: "planted", tx: 2, class: ClassValue, signature: "value-mismatch/returnData"},
		{name: "return", spec: "planted:return@0", tx: 0, class: ClassValue, signature: "value-mismatch/returnData"},
		{name: "write", spec: "planted:write@1", tx: 1, class: ClassStorage, signature: "storage/writes.value"},
		{name: "write added", spec: "planted:write@7", tx: 7, class: ClassStorage, signature: "storage/writes"},
		{name: "log", spec: "planted:log@0", tx: 0, class: ClassLogs, signature: "logs/logs"},
		{name: "gas", spec: "planted:gas@8", tx: 8, class: ClassGas, signature: "gas/gasUsed"},
		{name: "status ok", spec: "planted:status@0", tx: 0, class: ClassTrapVsOK, signature: "trap-vs-ok/status"},
		{name: "status abort", spec: "planted:status@2", tx: 2, class: ClassTrapVsOK, signature: "trap-vs-ok/status/call"},
		{name: "memory", spec: "planted:memory@3", tx: 3, class: ClassMemory, signature: "memory/memory.hash"},
		{name: "crash", spec: "planted:crash@4", tx: 4, class: ClassEngineCrash, signature: "engine-crash/failure"},
	}
	others := testEngines(t)
	for _, tt := range tests {
		for _, other := range others {
			t.Run(tt.name+"/"+other.Name(), func(t *testing.T) {
				es, err := Engines([]string{tt.spec}, EngineConfig{})
				if err != nil {
					t.Fatal(err)
				}
				rep, err := CheckBlock(context.Background(), b, []Engine{other, es[0]}, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				dv := rep.Divergence
				if dv == nil {
					t.Fatal("no divergence")
				}
				if dv.Tx != tt.tx || dv.Class != tt.class || dv.Signature != tt.signature {
					t.Errorf("divergence tx %d class %s signature %s, want tx %d class %s signature %s",
						dv.Tx, dv.Class, dv.Signature, tt.tx, tt.class, tt.signature)
				}
				if dv.Engines != [2]string{other.Name(), "planted"} {
					t.Errorf("engines %v", dv.Engines)
				}
				if len(rep.Receipts) != tt.tx || len(rep.Txs) != tt.tx+1 {
					t.Errorf("%d receipts and %d outcome rows, want %d and %d", len(rep.Receipts), len(rep.Txs), tt.tx, tt.tx+1)
				}
			})
		}
	}
}

func TestPlantedSpecErrors(t *testing.T) {
	for _, spec := range []string{"planted:", "planted:return", "planted:return@x", "planted:return@-1", "planted:nothing@1"} {
		if _, err := Engines([]string{spec}, EngineConfig{}); err == nil {
			t.Errorf("%q: no error", spec)
		}
	}
	if _, err := Engines([]string{"reference", "reference"}, EngineConfig{}); err == nil {
		t.Error("duplicate engine accepted")
	}
	if _, err := Engines([]string{"v8"}, EngineConfig{}); err == nil {
		t.Error("unknown engine accepted")
	}
}

// fakeEngine misbehaves in one of several ways on one transaction and
// runs the reference machine otherwise.
type fakeEngine struct {
	mode string // "panic", "error", "failure", "hang", "stuck"
	tx   int
	// release unblocks the "stuck" engine; each test run has its own, so
	// that -count runs do not find it already closed.
	release <-chan struct{}
}

func (f fakeEngine) Name() string { return "fake-" + f.mode }

func (f fakeEngine) Run(ctx context.Context, req *Request) (Outcome, error) {
	if req.TxIndex != f.tx {
		return Reference{}.Run(ctx, req)
	}
	switch f.mode {
	case "panic":
		var m map[string]int
		m["boom"]++ // a nil-map write: a real runtime panic, not a planted string
	case "error":
		return Outcome{}, errors.New("lost the plot")
	case "failure":
		return Outcome{}, failf(ClassRejected, "refuses this module")
	case "stuck": // ignores its context, as a non-interruptible engine would
		<-f.release
		return Outcome{}, errors.New("released")
	case "hang":
		<-ctx.Done() // only the deadline ends this run
		return Outcome{}, failf(ClassEngineTimeout, "fake: %v", ctx.Err())
	}
	return Reference{}.Run(ctx, req)
}

// TestEngineFailures checks that a panicking, failing or hanging engine is
// reported with its class at its transaction, and that the block is
// refused; the validator itself survives.
func TestEngineFailures(t *testing.T) {
	b := loadExample(t, "mixed.json")
	tests := []struct {
		mode, class string
	}{
		{"panic", ClassEngineCrash},
		{"error", ClassEngineCrash},
		{"failure", ClassRejected},
		{"hang", ClassEngineTimeout},
		{"stuck", ClassEngineTimeout},
	}
	stuck := make(chan struct{}) // closed when the test ends, releasing the abandoned runs
	defer close(stuck)
	for _, tt := range tests {
		for _, first := range []bool{true, false} {
			name := tt.mode + "/second"
			es := []Engine{Reference{}, fakeEngine{tt.mode, 3, stuck}}
			if first {
				name = tt.mode + "/first"
				es[0], es[1] = es[1], es[0]
			}
			t.Run(name, func(t *testing.T) {
				o := DefaultOptions()
				if tt.class == ClassEngineTimeout { // the others keep the default budget: no timing in their result
					o.RunBudget, o.Grace = 500*time.Millisecond, 100*time.Millisecond
				}
				rep, err := CheckBlock(context.Background(), b, es, o)
				if err != nil {
					t.Fatal(err)
				}
				dv := rep.Divergence
				if dv == nil || dv.Tx != 3 || dv.Class != tt.class || dv.Signature != tt.class+"/failure" {
					t.Fatalf("divergence %+v, want tx 3 class %s", dv, tt.class)
				}
			})
		}
	}
}

// TestTimeoutEveryEngine runs an infinite loop with a gas limit no test
// can exhaust: every engine must stop at the run budget with class
// engine-timeout. The budget only picks the class of the failed run.
func TestTimeoutEveryEngine(t *testing.T) {
	b := loadExample(t, "traps.json")
	var spin *block.Tx
	for i := range b.Txs {
		if b.Txs[i].Entry == "spin" {
			spin = &b.Txs[i]
		}
	}
	if spin == nil {
		t.Fatal("traps.json has no spin transaction")
	}
	tx := *spin
	tx.GasLimit = block.MaxGasLimit
	b.Txs = []block.Tx{tx}
	for _, e := range testEngines(t) {
		t.Run(e.Name(), func(t *testing.T) {
			o := DefaultOptions()
			o.RunBudget = 100 * time.Millisecond
			rep, err := CheckBlock(context.Background(), b, []Engine{e}, o)
			if err != nil {
				t.Fatal(err)
			}
			if dv := rep.Divergence; dv == nil || dv.Class != ClassEngineTimeout {
				t.Fatalf("divergence %+v, want engine-timeout", dv)
			}
		})
	}
}
