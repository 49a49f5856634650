package trace

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// tapeRig is a machine with one memory (store address 0) and host
// functions that exercise every exported way a host function can touch
// memory: "write" (Write of 100 bytes across a 4 KiB page boundary, a
// write through a Page pointer, SetPage of page 3) returning a value, and
// "boom" (a write, then a *Trap).
type tapeRig struct {
	m           *Machine
	write, boom Extern
}

func newTapeRig(t *testing.T) *tapeRig {
	t.Helper()
	r := &tapeRig{m: NewMachine(Config{})}
	m := r.m
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	i32 := []wasm.ValType{wasm.I32}
	r.write = m.AddHostFunc(wasm.FuncType{Params: i32, Results: []wasm.ValType{wasm.I64}}, func(m *Machine, args []Value) ([]Value, error) {
		mm := m.Memory(0)
		b := bytes.Repeat([]byte{byte(args[0].Bits)}, 100)
		mm.Write(4096-50, b)
		if p := mm.Page(0); p != nil {
			p[0] = 0xee // behind the machine's back: must have no effect when recording
		}
		var pg [PageSize]byte
		pg[7] = 0x77
		mm.SetPage(3, &pg)
		pg[8] = 0x88 // after SetPage: must have no effect
		return []Value{I64(args[0].Bits * 3)}, nil
	})
	r.boom = m.AddHostFunc(wasm.FuncType{}, func(m *Machine, _ []Value) ([]Value, error) {
		m.Memory(0).Write(10, []byte{1, 2})
		return nil, &Trap{Kind: TrapIntegerOverflow}
	})
	return r
}

func (r *tapeRig) run(t *testing.T, fn Extern, args ...Value) {
	t.Helper()
	if err := r.m.Call(fn, args); err != nil {
		t.Fatal(err)
	}
	if _, err := r.m.Run(0); err != nil {
		t.Fatal(err)
	}
}

func memOf(m *Machine) []byte {
	b := make([]byte, WasmPageSize)
	m.Memory(0).Read(0, b)
	return b
}

// TestHostTapeRecordReplay: a recording captures Write and SetPage (and
// Page hands out a copy), and a replay of the tape reaches the same
// results, traps and memory without running the host functions; only the
// replaying machine commits the tape, and its incremental root is the
// from-scratch one.
func TestHostTapeRecordReplay(t *testing.T) {
	rec := newTapeRig(t)
	if err := rec.m.RecordHost(); err != nil {
		t.Fatal(err)
	}
	rec.run(t, rec.write, I32(5))
	rec.run(t, rec.boom)
	tape := rec.m.HostTape()
	if len(tape) != 2 || rec.m.HostCalls() != 2 {
		t.Fatalf("tape %+v", tape)
	}
	if w := tape[0].Writes; len(w) != 2 || w[0].Addr != 4046 || len(w[0].Data) != 100 || w[1].Addr != 3*PageSize || len(w[1].Data) != PageSize || w[1].Data[7] != 0x77 || w[1].Data[8] != 0 {
		t.Fatalf("writes %+v", w)
	}
	if tape[0].Results[0] != 15 || tape[1].Trap != TrapIntegerOverflow || len(tape[1].Writes) != 1 {
		t.Fatalf("tape %+v", tape)
	}
	if mem := memOf(rec.m); mem[0] == 0xee || mem[3*PageSize+8] != 0 {
		t.Fatal("a write through Page or after SetPage reached memory")
	}

	rep := newTapeRig(t)
	called := false
	rep.m.store.funcs[rep.write.Addr].host = func(*Machine, []Value) ([]Value, error) { called = true; return nil, nil }
	if err := rep.m.ReplayHost(tape); err != nil {
		t.Fatal(err)
	}
	c := NewCommitter(rep.m)
	c.Root()
	rep.run(t, rep.write, I32(5))
	if called {
		t.Fatal("replay ran the host function")
	}
	if r := rep.m.Results(); len(r) != 1 || r[0] != I64(15) {
		t.Fatalf("replayed results %v", r)
	}
	if c.Root() != rep.m.Root() {
		t.Fatal("incremental root differs from the from-scratch root under replay")
	}
	rep.run(t, rep.boom)
	if rep.m.TrapKind() != TrapIntegerOverflow || !bytes.Equal(memOf(rep.m), memOf(rec.m)) {
		t.Fatalf("trap %s, memory equal %v", rep.m.TrapKind(), bytes.Equal(memOf(rep.m), memOf(rec.m)))
	}
	if c.Root() != rep.m.Root() {
		t.Fatal("incremental root differs after the trap")
	}
	// the recording machine commits no tape: its host fields are a live
	// machine's (and only they differ from the replaying machine's)
	live := newCommitter(newTapeRig(t).m, false).Encoding()[stOffAux:]
	recEnc := newCommitter(rec.m, false).Encoding()
	repEnc := newCommitter(rep.m, false).Encoding()
	if !bytes.Equal(recEnc[stOffAux:], live) || bytes.Equal(repEnc[stOffAux:], live) || !bytes.Equal(recEnc[:stOffAux], repEnc[:stOffAux]) {
		t.Fatal("the recording is committed, or the replay is not")
	}
	// a third call finds the tape exhausted: trap unreachable, cursor stays
	rep.run(t, rep.write, I32(5))
	if rep.m.TrapKind() != TrapUnreachable || rep.m.HostCalls() != 2 || !strings.Contains(rep.m.HostError().Error(), "exhausted") {
		t.Fatalf("trap %s, cursor %d, %v", rep.m.TrapKind(), rep.m.HostCalls(), rep.m.HostError())
	}
}

// TestHostTapeRoot: the tape, the cursor and the mode each change the root.
func TestHostTapeRoot(t *testing.T) {
	rec := newTapeRig(t)
	rec.m.RecordHost()
	rec.run(t, rec.write, I32(5))
	tape := rec.m.HostTape()
	roots := map[[32]byte]string{}
	add := func(name string, m *Machine) {
		r := m.Root()
		if prev, ok := roots[r]; ok {
			t.Errorf("%s has the root of %s", name, prev)
		}
		roots[r] = name
	}
	add("live", newTapeRig(t).m)
	for _, tc := range []struct {
		name string
		tape HostTape
	}{
		{"empty tape", HostTape{}},
		{"tape", tape},
		{"other result", func() HostTape { tp := tape.Clone(); tp[0].Results[0]++; return tp }()},
		{"other byte", func() HostTape { tp := tape.Clone(); tp[0].Writes[0].Data[3]++; return tp }()},
	} {
		r := newTapeRig(t)
		if err := r.m.ReplayHost(tc.tape); err != nil {
			t.Fatal(err)
		}
		add(tc.name, r.m)
	}
	r := newTapeRig(t)
	r.m.ReplayHost(tape)
	r.run(t, r.write, I32(5))
	before := r.m.Root()
	r.m.hostCursor = 0
	if r.m.Root() == before {
		t.Error("the cursor is not committed")
	}
	// LiveHost drops the tape: the root is a live machine's again
	l := newTapeRig(t)
	l.m.ReplayHost(tape)
	if err := l.m.LiveHost(); err != nil || l.m.Root() != newTapeRig(t).m.Root() || l.m.HostTape() != nil {
		t.Errorf("LiveHost: %v", err)
	}
	if HostTapeRoot(nil) != emptyTapeRoot || HostTapeRoot(tape) == emptyTapeRoot {
		t.Error("HostTapeRoot")
	}
}

// TestHostTapeSnapshot: Snapshot and Restore carry the mode, tape and
// cursor; the restored machine has the same root and replays on.
func TestHostTapeSnapshot(t *testing.T) {
	rec := newTapeRig(t)
	rec.m.RecordHost()
	rec.run(t, rec.write, I32(5))
	rec.run(t, rec.boom)
	tape := rec.m.HostTape()
	rec.m.hostErr = nil
	b, err := rec.m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	again := newTapeRig(t)
	if err := again.m.Restore(b); err != nil {
		t.Fatal(err)
	}
	if !again.m.Recording() || again.m.HostCalls() != 2 || again.m.Root() != rec.m.Root() {
		t.Fatal("recording state not restored")
	}
	if b2, _ := again.m.Snapshot(); !bytes.Equal(b, b2) {
		t.Fatal("snapshot of a restored recording differs")
	}

	rep := newTapeRig(t)
	rep.m.ReplayHost(tape)
	rep.run(t, rep.write, I32(5))
	b, err = rep.m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	res := newTapeRig(t)
	if err := res.m.Restore(b); err != nil {
		t.Fatal(err)
	}
	if !res.m.Replaying() || res.m.HostCalls() != 1 || res.m.Root() != rep.m.Root() {
		t.Fatal("replay state not restored")
	}
	c := NewCommitter(res.m)
	if c.Root() != rep.m.Root() {
		t.Fatal("committer root after restore")
	}
	res.run(t, res.boom)
	rep.run(t, rep.boom)
	if res.m.TrapKind() != TrapIntegerOverflow || res.m.Root() != rep.m.Root() || c.Root() != rep.m.Root() {
		t.Fatal("restored replay diverged")
	}
	// a replay snapshot whose tape names no host function is refused
	bad := newTapeRig(t)
	bad.m.ReplayHost(HostTape{{Func: rep.write.Addr, Results: []uint64{1}}})
	bb, _ := bad.m.Snapshot()
	// the tail: function u32, trap u8, 1 result (u32 + u64), 0 writes, no error text
	bb[len(bb)-4-4-8-4-1-4] = 0x7f // the entry's function address, high byte
	if err := newTapeRig(t).m.Restore(bb); !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), "not a host function") {
		t.Fatalf("restore of a bad tape: %v", err)
	}
}

// TestHostCannotAllocate: a host function cannot change the store except
// through memory writes.
func TestHostCannotAllocate(t *testing.T) {
	m := NewMachine(Config{})
	var tableErr error
	var panicked any
	f := m.AddHostFunc(wasm.FuncType{}, func(m *Machine, _ []Value) ([]Value, error) {
		_, tableErr = m.AddTable(wasm.TableType{Elem: wasm.FuncRef, Limits: wasm.Limits{Min: 1}})
		func() {
			defer func() { panicked = recover() }()
			m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
		}()
		return nil, nil
	})
	if err := m.Call(f, nil); err != nil {
		t.Fatal(err)
	}
	m.Run(0)
	if tableErr == nil || panicked == nil || m.Memory(0) != nil {
		t.Fatalf("AddTable %v, AddMemory panic %v", tableErr, panicked)
	}
}
