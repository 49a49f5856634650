package dispute

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// abiRun is one transaction on a reference machine bound to the block ABI
// (diff.BindABI), started but not run.
type abiRun struct {
	m    *trace.Machine
	call *block.Call
	mem  *trace.Memory
}

func startABI(t *testing.T, st *block.State, code []byte, tx block.Tx, tape trace.HostTape) *abiRun {
	t.Helper()
	mod, err := wasm.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	r := &abiRun{m: trace.NewMachine(trace.Config{MaxSteps: 2_000_000}), call: block.NewCall(st, tx)}
	diff.BindABI(r.m, r.call, func() *trace.Memory { return r.mem })
	if tape == nil {
		err = r.m.RecordHost()
	} else {
		err = r.m.ReplayHost(tape)
	}
	if err != nil {
		t.Fatal(err)
	}
	inst, err := r.m.Instantiate(mod)
	if err != nil {
		t.Fatal(err)
	}
	if ex, ok := inst.Export("memory"); ok {
		r.mem = r.m.Memory(ex.Addr)
	}
	ex, ok := inst.Export(tx.Entry)
	if !ok {
		t.Fatalf("no entry %q", tx.Entry)
	}
	if err := r.m.Call(ex, nil); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestABIRecordReplay runs every transaction of the example blocks with
// the block ABI once recording its host calls (input_copy and
// storage_read write memory, input_size and storage_read return values,
// abort and the limits trap), then on a fresh machine replaying the tape
// with every step proven (the first 3,000 of each tx): the replay ends with the recording's results or
// trap and memory, its incremental root is the from-scratch one, and the
// host-call steps (memory writes included) verify.
func TestABIRecordReplay(t *testing.T) {
	hostSteps, writes, hostCalls := 0, 0, 0
	for _, name := range []string{"token.json", "mixed.json", "traps.json"} {
		b, err := block.Load(filepath.Join("..", "examples", "blocks", name))
		if err != nil {
			t.Fatal(err)
		}
		st := block.NewState(b.Pre)
		for i, tx := range b.Txs {
			code := b.Pre.Code(tx.Contract)
			rec := startABI(t, st, code, tx, nil)
			if _, err := rec.m.Run(0); err != nil {
				t.Fatal(err)
			}
			tape := rec.m.HostTape()
			hostCalls += len(tape)
			for _, e := range tape {
				writes += len(e.Writes)
			}
			// the replay's own Call is never invoked: its receipt stays empty
			rep := startABI(t, block.NewState(block.PreState{}), code, tx, tape)
			c := trace.NewCommitter(rep.m)
			for n := 0; rep.m.Status() == trace.StatusRunning; n++ {
				calls := rep.m.HostCalls()
				if n > 3_000 { // long loops (hash chain, out of gas): run the rest unproven
					rep.m.Run(0)
					break
				}
				if _, err := stepAndCheck(t, c); err != nil {
					t.Fatalf("%s tx %d (%s) step %d: %v", name, i, tx.Entry, rep.m.Steps(), err)
				}
				if rep.m.HostCalls() != calls {
					hostSteps++
				}
			}
			if rep.m.Status() != rec.m.Status() || rep.m.TrapKind() != rec.m.TrapKind() || rep.m.HostCalls() != uint64(len(tape)) {
				t.Fatalf("%s tx %d (%s): replay %s %s after %d host calls, recording %s %s after %d", name, i, tx.Entry,
					rep.m.Status(), rep.m.TrapKind(), rep.m.HostCalls(), rec.m.Status(), rec.m.TrapKind(), len(tape))
			}
			if rr, wr := rep.m.Results(), rec.m.Results(); len(rr) != len(wr) {
				t.Fatalf("%s tx %d: results %v, recorded %v", name, i, rr, wr)
			}
			if rec.mem != nil {
				n := uint64(rec.mem.Size()) * 65536
				a, b := make([]byte, n), make([]byte, n)
				rec.mem.Read(0, a)
				rep.mem.Read(0, b)
				if rep.mem.Size() != rec.mem.Size() || !bytes.Equal(a, b) {
					t.Fatalf("%s tx %d: memory differs", name, i)
				}
			}
			if (rec.m.HostError() == nil) != (rep.m.HostError() == nil) {
				t.Fatalf("%s tx %d: host error %v, recorded %v", name, i, rep.m.HostError(), rec.m.HostError())
			}
			if c.Root() != rep.m.Root() {
				t.Fatalf("%s tx %d: incremental root differs from the from-scratch root", name, i)
			}
			if r := rep.call.Receipt("", 0); len(r.Writes) != 0 || len(r.Logs) != 0 || r.GasUsed != 0 {
				t.Fatalf("%s tx %d: the replay invoked the ABI: %s", name, i, r)
			}
			engineTrap := ""
			if rec.m.Status() == trace.StatusTrapped {
				engineTrap = rec.m.TrapKind().String()
			}
			rec.call.Receipt(engineTrap, 0)
			rec.call.Commit()
		}
	}
	if hostSteps < 20 || writes < 5 {
		t.Fatalf("%d host-call steps proven, %d memory writes: the blocks no longer exercise the ABI", hostSteps, writes)
	}
	t.Logf("%d of %d host-call steps proven (the first 3,000 steps of each tx are), %d memory writes replayed", hostSteps, hostCalls, writes)
}
