package dispute

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/refereevm/referee/dispute/prooftest"
	"github.com/refereevm/referee/trace"
)

const hostWasm = "testdata/proof_host.wasm"

// hostMachine is a machine with spectest (for its memory, store address
// 0) and the host functions of proof_host.wat registered as "host"
// (prooftest.RegisterHost), and proof_host.wasm instantiated.
type hostMachine struct {
	m    *trace.Machine
	inst *trace.Instance
	fns  map[string]trace.Extern // only looked up
}

func newHostMachine(t testing.TB, cfg trace.Config) *hostMachine {
	t.Helper()
	h := &hostMachine{m: trace.NewMachine(cfg)}
	m := h.m
	m.RegisterSpectest()
	h.fns = prooftest.RegisterHost(m, func() *trace.Instance { return h.inst })
	inst, err := m.Instantiate(loadModule(t, hostWasm))
	if err != nil {
		t.Fatal(err)
	}
	h.inst = inst
	return h
}

// call starts fn (an export of the module, or a host function by name).
func (h *hostMachine) call(t testing.TB, fn string, args ...trace.Value) {
	t.Helper()
	ex, ok := h.fns[fn]
	if !ok {
		if ex, ok = h.inst.Export(fn); !ok {
			t.Fatalf("no function %q", fn)
		}
	}
	if err := h.m.Call(ex, args); err != nil {
		t.Fatal(err)
	}
}

// recordTape runs fn once recording and returns the tape, the outcome
// and the final memory.
func recordTape(t testing.TB, fn string, args ...trace.Value) (trace.HostTape, *hostMachine) {
	t.Helper()
	h := newHostMachine(t, trace.Config{})
	if err := h.m.RecordHost(); err != nil {
		t.Fatal(err)
	}
	h.call(t, fn, args...)
	if _, err := h.m.Run(0); err != nil {
		t.Fatal(err)
	}
	return h.m.HostTape(), h
}

// proveAll replays tape in a fresh machine running fn and proves every
// step; it returns the proofs of the host-call steps and the machine.
func proveAll(t *testing.T, cfg trace.Config, tape trace.HostTape, fn string, args ...trace.Value) ([]*Proof, *hostMachine) {
	t.Helper()
	h := newHostMachine(t, cfg)
	if err := h.m.ReplayHost(tape); err != nil {
		t.Fatal(err)
	}
	h.call(t, fn, args...)
	c := trace.NewCommitter(h.m)
	var hostProofs []*Proof
	for h.m.Status() == trace.StatusRunning {
		calls := h.m.HostCalls()
		p, err := stepAndCheck(t, c)
		if err != nil {
			t.Fatalf("step %d: %v", h.m.Steps(), err)
		}
		if h.m.HostCalls() != calls || (h.m.Status() != trace.StatusRunning && isHostStep(p)) {
			hostProofs = append(hostProofs, p)
		}
	}
	if r := h.m.Root(); r != c.Root() {
		t.Fatalf("incremental root %x, from scratch %x", c.Root(), r)
	}
	return hostProofs, h
}

// isHostStep reports whether p is the proof of a pending entry host call.
func isHostStep(p *Proof) bool {
	info, _ := DescribeProof(p.Bytes)
	return info.Func == hostFuncIndex
}

func memBytes(m *trace.Machine, addr uint32, at, n uint64) []byte {
	b := make([]byte, n)
	m.Memory(addr).Read(at, b)
	return b
}

// sameOutcome checks that two machines ended alike: status, results or
// trap, and every memory.
func sameOutcome(t *testing.T, a, b *trace.Machine) {
	t.Helper()
	if a.Status() != b.Status() || a.TrapKind() != b.TrapKind() {
		t.Fatalf("status %s/%s, trap %s/%s", a.Status(), b.Status(), a.TrapKind(), b.TrapKind())
	}
	ra, rb := a.Results(), b.Results()
	if len(ra) != len(rb) {
		t.Fatalf("results %v / %v", ra, rb)
	}
	for i := range ra {
		if ra[i] != rb[i] {
			t.Fatalf("results %v / %v", ra, rb)
		}
	}
	for i := uint32(0); a.Memory(i) != nil; i++ {
		n := uint64(a.Memory(i).Size()) * 65536
		if !bytes.Equal(memBytes(a, i, 0, n), memBytes(b, i, 0, n)) {
			t.Fatalf("memory %d differs", i)
		}
	}
}

// TestHostCallProofs: calls to host functions with results, multiple
// results, memory writes (100 bytes across a page boundary, two memories)
// and through call_indirect are proven from a replayed tape, and the
// replaying machine ends as the recording one did.
func TestHostCallProofs(t *testing.T) {
	tape, rec := recordTape(t, "calls")
	if len(tape) != 3 || rec.m.Status() != trace.StatusDone {
		t.Fatalf("recorded %d entries, status %s", len(tape), rec.m.Status())
	}
	// pair: x+1 and 7; get: its writes in order
	if tape[0].Func != rec.fns["pair"].Addr || len(tape[0].Results) != 2 || tape[0].Results[0] != 6 || tape[0].Results[1] != 7 {
		t.Fatalf("entry 0: %+v", tape[0])
	}
	if w := tape[1].Writes; len(w) != 3 || w[0].Addr != 65500 || len(w[0].Data) != 100 || w[1].Addr != 16 || w[2].Mem != 0 {
		t.Fatalf("entry 1 writes: %+v", w)
	}
	proofs, rep := proveAll(t, trace.Config{}, tape, "calls")
	if len(proofs) != 3 {
		t.Fatalf("%d host-call proofs, want 3", len(proofs))
	}
	sameOutcome(t, rec.m, rep.m)
	want := uint32(65501 + 8 + 0) // get(65500) + get(7) via call_indirect
	want += uint32(memBytes(rec.m, 1, 65596, 4)[0]) | uint32(memBytes(rec.m, 1, 65596, 4)[1])<<8 | uint32(memBytes(rec.m, 1, 65596, 4)[2])<<16 | uint32(memBytes(rec.m, 1, 65596, 4)[3])<<24
	want += 7
	if r := rep.m.Results(); len(r) != 1 || uint32(r[0].Bits) != want {
		t.Fatalf("results %v, want %d", r, want)
	}
	for i, p := range proofs {
		t.Logf("host call %d: proof of %d bytes", i, len(p.Bytes))
	}
	if rep.m.HostCalls() != 3 {
		t.Fatalf("cursor %d", rep.m.HostCalls())
	}
}

// TestHostTrapProof: a host function that writes memory and then fails
// traps (unreachable) with its write applied, live and replayed, and the
// step is proven.
func TestHostTrapProof(t *testing.T) {
	tape, rec := recordTape(t, "trap")
	if len(tape) != 1 || tape[0].Trap != trace.TrapUnreachable || tape[0].Err == "" || len(tape[0].Writes) != 1 {
		t.Fatalf("tape %+v", tape)
	}
	proofs, rep := proveAll(t, trace.Config{}, tape, "trap")
	if len(proofs) != 1 || rep.m.TrapKind() != trace.TrapUnreachable {
		t.Fatalf("%d proofs, trap %s", len(proofs), rep.m.TrapKind())
	}
	sameOutcome(t, rec.m, rep.m)
	if got := memBytes(rep.m, 1, 0, 4); !bytes.Equal(got, []byte{9, 9, 9, 9}) {
		t.Fatalf("write before the trap not applied: %v", got)
	}
	if rep.m.HostError() == nil || !strings.Contains(rep.m.HostError().Error(), "fail was called") {
		t.Fatalf("host error %v", rep.m.HostError())
	}
}

// TestHostEntryProof: a call whose entry is a host function is one step,
// proven with and without a trap, and when out of fuel.
func TestHostEntryProof(t *testing.T) {
	tape, rec := recordTape(t, "get", trace.I32(100))
	proofs, rep := proveAll(t, trace.Config{}, tape, "get", trace.I32(100))
	if len(proofs) != 1 || rep.m.Status() != trace.StatusDone {
		t.Fatalf("%d proofs, status %s", len(proofs), rep.m.Status())
	}
	sameOutcome(t, rec.m, rep.m)

	tape, _ = recordTape(t, "fail")
	if _, rep = proveAll(t, trace.Config{}, tape, "fail"); rep.m.TrapKind() != trace.TrapUnreachable {
		t.Fatalf("trap %s", rep.m.TrapKind())
	}
	// out of fuel before the host call: the fuel trap is proven too
	h := newHostMachine(t, trace.Config{MaxSteps: 1})
	h.m.ReplayHost(tape)
	c := trace.NewCommitter(h.m)
	h.call(t, "fail")
	if _, err := stepAndCheck(t, c); err != nil {
		t.Fatal(err)
	}
	if h.m.Status() != trace.StatusDone && h.m.Status() != trace.StatusTrapped {
		t.Fatalf("status %s", h.m.Status())
	}
	h.call(t, "fail")
	if _, err := stepAndCheck(t, c); err != nil || h.m.TrapKind() != trace.TrapStepLimit {
		t.Fatalf("%v, trap %s", err, h.m.TrapKind())
	}
}

// TestHostTapeMisuse: every replay outcome the tape cannot honour is a
// proven trap unreachable with no write applied: an exhausted tape (the
// cursor stays), an entry of another function, results of the wrong
// count, results on a trapping entry, a write past the memory or to no
// memory. A tape too long to prove per write is reported as not provable.
func TestHostTapeMisuse(t *testing.T) {
	good, _ := recordTape(t, "calls")
	cases := []struct {
		name   string
		tape   func() trace.HostTape
		cursor uint64
	}{
		{"exhausted", func() trace.HostTape { return good[:1] }, 1},
		{"empty", func() trace.HostTape { return trace.HostTape{} }, 0},
		{"other function", func() trace.HostTape {
			tp := good.Clone()
			tp[1].Func = tp[0].Func
			tp[1].Results = []uint64{6, 7}
			return tp
		}, 2},
		{"result count", func() trace.HostTape {
			tp := good.Clone()
			tp[1].Results = nil
			return tp
		}, 2},
		{"results and trap", func() trace.HostTape {
			tp := good.Clone()
			tp[1].Trap = trace.TrapIntegerOverflow
			return tp
		}, 2},
		{"write out of bounds", func() trace.HostTape {
			tp := good.Clone()
			tp[1].Writes = append(tp[1].Writes, trace.HostWrite{Mem: 1, Addr: 2*65536 - 3, Data: []byte{1, 2, 3, 4}})
			return tp
		}, 2},
		{"write to no memory", func() trace.HostTape {
			tp := good.Clone()
			tp[1].Writes = append(tp[1].Writes, trace.HostWrite{Mem: 9, Addr: 0, Data: []byte{1}})
			return tp
		}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, rep := proveAll(t, trace.Config{}, tc.tape(), "calls")
			if rep.m.TrapKind() != trace.TrapUnreachable || rep.m.HostCalls() != tc.cursor {
				t.Fatalf("trap %s, cursor %d, want unreachable at %d", rep.m.TrapKind(), rep.m.HostCalls(), tc.cursor)
			}
			if got := memBytes(rep.m, 1, 65500, 4); tc.cursor == 2 && !bytes.Equal(got, make([]byte, 4)) {
				t.Fatalf("a write of a refused entry was applied: %v", got)
			}
		})
	}
	// a host trap from the tape with its own kind
	tp := good.Clone()
	tp[1].Results, tp[1].Trap = nil, trace.TrapIntegerOverflow
	if _, rep := proveAll(t, trace.Config{}, tp, "calls"); rep.m.TrapKind() != trace.TrapIntegerOverflow {
		t.Fatalf("trap %s", rep.m.TrapKind())
	}
	// a write over MaxCopyBytes: the verifier reports it as not provable
	tp = good.Clone()
	tp[1].Writes = []trace.HostWrite{{Mem: 1, Addr: 0, Data: make([]byte, MaxCopyBytes+1)}}
	h := newHostMachine(t, trace.Config{})
	if err := h.m.ReplayHost(tp); err != nil {
		t.Fatal(err)
	}
	h.call(t, "calls")
	c := trace.NewCommitter(h.m)
	var notProvable error
	for h.m.Status() == trace.StatusRunning && notProvable == nil {
		_, notProvable = stepAndCheck(t, c)
	}
	if notProvable == nil || !strings.Contains(notProvable.Error(), "host write of 65537 bytes") {
		t.Fatalf("long write: %v", notProvable)
	}
}

// TestHostLiveNotProvable: a machine whose host functions run live (or
// are being recorded) cannot prove a host call, and says how to.
func TestHostLiveNotProvable(t *testing.T) {
	for _, record := range []bool{false, true} {
		h := newHostMachine(t, trace.Config{})
		if record {
			h.m.RecordHost()
		}
		h.call(t, "calls")
		c := trace.NewCommitter(h.m)
		var err error
		for h.m.Status() == trace.StatusRunning && err == nil {
			_, err = stepAndCheck(t, c)
		}
		if !errors.Is(err, ErrNotProvable) || !strings.Contains(err.Error(), "RecordHost") || !strings.Contains(err.Error(), "ReplayHost") {
			t.Fatalf("record %v: %v", record, err)
		}
	}
}

// TestReplayHostRefuses: ReplayHost refuses what the commitment cannot
// express: an entry naming no host function, an unknown trap kind, an
// ill-typed result.
func TestReplayHostRefuses(t *testing.T) {
	good, h := recordTape(t, "calls")
	for name, edit := range map[string]func(trace.HostTape){
		"not a host function": func(tp trace.HostTape) { tp[0].Func = 99 },
		"wasm function":       func(tp trace.HostTape) { tp[0].Func = h.fns["pair"].Addr + 1 },
		"trap kind":           func(tp trace.HostTape) { tp[0].Trap = 200 },
		"i32 result":          func(tp trace.HostTape) { tp[0].Results[1] = 1 << 40 },
	} {
		tp := good.Clone()
		edit(tp)
		if err := newHostMachine(t, trace.Config{}).m.ReplayHost(tp); !errors.Is(err, trace.ErrHostTape) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
