package trace

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// snapCase is one program of the snapshot property test: how to build the
// machine (modules, in order) and which call to run on it.
type snapCase struct {
	name    string
	cfg     Config
	modules []string // paths, instantiated in order
	export  string   // on the last module; "" = call the spectest host function print_i32
	args    []Value
}

func snapCases() []snapCase {
	w := func(name string, args ...Value) snapCase {
		return snapCase{name: "workload/" + name, modules: []string{"../testdata/workloads/" + name + ".wasm"}, export: "run", args: args}
	}
	return []snapCase{
		{name: "fac-rec", modules: []string{specDir + "fac.0.wasm"}, export: "fac-rec", args: []Value{I64(25)}},
		{name: "fac-iter", modules: []string{specDir + "fac.0.wasm"}, export: "fac-iter", args: []Value{I64(25)}},
		{name: "fac-ssa", modules: []string{specDir + "fac.0.wasm"}, export: "fac-ssa", args: []Value{I64(25)}},
		{name: "state", modules: []string{"../testdata/snapshot/state.wasm"}, export: "run", args: []Value{I32(40)}},
		{name: "state-trap", modules: []string{"../testdata/snapshot/state.wasm"}, export: "trap", args: []Value{I32(0)}},
		{name: "state-fuel", cfg: Config{MaxSteps: 700}, modules: []string{"../testdata/snapshot/state.wasm"}, export: "run", args: []Value{I32(40)}},
		{name: "host-entry", export: "", args: []Value{I32(7)}},
		w("fib", I32(12)),
		w("loop", I64(300)),
		w("sha256", I32(64), I32(1)),
		w("keccak", I32(1)),
		w("quicksort", I32(40), I32(1)),
		w("matmul", I32(4)),
		w("interp", I32(40)),
		w("lz", I32(300), I32(1)),
		// vector code: v128 locals (one straddling two locals leaves), a v128
		// global, calls and blocks of v128, a trap, a v128 argument and result
		{name: "simd", modules: []string{"../dispute/testdata/proof_simd.wasm"}, export: "simd"},
		{name: "simd-trap", modules: []string{"../dispute/testdata/proof_simd.wasm"}, export: "oob", args: []Value{I32(65532)}},
		{name: "simd-vec", modules: []string{"../dispute/testdata/proof_simd.wasm"}, export: "vec", args: []Value{V128(1, 1<<63)}},
		w("sha256x4", I32(2), I32(1)),
	}
}

var snapModules = map[string]*wasm.Module{} // decoded once per path; only looked up

// build makes a fresh machine holding c's modules and returns the function
// to call.
func (c snapCase) build(t testing.TB) (*Machine, Extern) {
	t.Helper()
	m, inst := c.buildModules(t)
	if c.export == "" {
		spectest := m.registered["spectest"]
		ex, _ := spectest.Export("print_i32")
		return m, ex
	}
	ex, ok := inst.Export(c.export)
	if !ok {
		t.Fatalf("%s: no export %q", c.name, c.export)
	}
	return m, ex
}

// buildModules makes a fresh machine with spectest registered and c's
// modules instantiated, and returns the last instance.
func (c snapCase) buildModules(t testing.TB) (*Machine, *Instance) {
	t.Helper()
	m := NewMachine(c.cfg)
	m.RegisterSpectest()
	var inst *Instance
	for _, p := range c.modules {
		mod := snapModules[p]
		if mod == nil {
			b, ok := embeddedModules[p]
			var err error
			if !ok {
				if b, err = os.ReadFile(p); err != nil {
					t.Fatal(err)
				}
			}
			if mod, err = wasm.Decode(b); err != nil {
				t.Fatalf("decode %s: %v", p, err)
			}
			if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
				t.Fatalf("validate %s: %v", p, err)
			}
			snapModules[p] = mod
		}
		var err error
		if inst, err = m.Instantiate(mod); err != nil {
			t.Fatalf("instantiate %s: %v", p, err)
		}
	}
	return m, inst
}

// start builds a machine and starts the call.
func (c snapCase) start(t testing.TB) *Machine {
	t.Helper()
	m, fn := c.build(t)
	if err := m.Call(fn, c.args); err != nil {
		t.Fatal(err)
	}
	return m
}

// snapOutcome is everything observable at the end of a run.
type snapOutcome struct {
	Status  Status
	Results []Value
	Trap    TrapKind
	Steps   uint64
}

func outcome(m *Machine) snapOutcome {
	return snapOutcome{m.Status(), m.Results(), m.TrapKind(), m.Steps()}
}

// runTraced runs m to the end with Step and returns every StepInfo.
func runTraced(t testing.TB, m *Machine) []StepInfo {
	t.Helper()
	var steps []StepInfo
	for m.Status() == StatusRunning {
		s, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, s)
	}
	return steps
}

// TestSnapshotRestoreContinues is the snapshot property: for many N, a
// machine snapshotted at step N and restored into another fresh machine
// with the same modules continues with exactly the steps and result of an
// uninterrupted run, and re-snapshotting the restored machine gives the
// same bytes.
func TestSnapshotRestoreContinues(t *testing.T) {
	for _, c := range snapCases() {
		t.Run(c.name, func(t *testing.T) {
			ref := c.start(t)
			base := ref.Steps() // steps taken by instantiation (start functions)
			full := runTraced(t, ref)
			want := outcome(ref)
			total := uint64(len(full))
			if total == 0 {
				t.Fatal("the call took no steps")
			}
			ns := []uint64{0, 1, 2, total - 1, total}
			k := max(total/40, 1)
			for n := k; n < total; n += k {
				ns = append(ns, n)
			}
			rng := rand.New(rand.NewSource(int64(total)))
			for i := 0; i < 20; i++ {
				ns = append(ns, uint64(rng.Int63n(int64(total)+1)))
			}
			for _, n := range ns {
				if n > total {
					continue
				}
				src := c.start(t)
				if n > 0 {
					if _, err := src.Run(n); err != nil {
						t.Fatalf("N=%d: run: %v", n, err)
					}
				}
				if got := src.Steps() - base; got != n && src.Status() == StatusRunning {
					t.Fatalf("N=%d: ran %d steps", n, got)
				}
				snap, err := src.Snapshot()
				if err != nil {
					t.Fatalf("N=%d: snapshot: %v", n, err)
				}
				dst, _ := c.build(t)
				if err := dst.Restore(snap); err != nil {
					t.Fatalf("N=%d: restore: %v", n, err)
				}
				again, err := dst.Snapshot()
				if err != nil {
					t.Fatalf("N=%d: snapshot of restored machine: %v", n, err)
				}
				if !bytes.Equal(again, snap) {
					t.Fatalf("N=%d: snapshot of the restored machine differs (%d vs %d bytes, first difference at byte %d)",
						n, len(again), len(snap), firstDiff(again, snap))
				}
				// Continue step by step, comparing with the uninterrupted trace.
				for i := n; dst.Status() == StatusRunning; i++ {
					got, err := dst.Step()
					if err != nil {
						t.Fatalf("N=%d: step %d: %v", n, i+1, err)
					}
					if i >= total || got != full[i] {
						t.Fatalf("N=%d: trace after restore differs at step %d of %d:\n got %+v\nwant %+v",
							n, i+1, total, got, stepAt(full, int(i)))
					}
				}
				if got := outcome(dst); !reflect.DeepEqual(got, want) {
					t.Fatalf("N=%d: outcome %+v, want %+v", n, got, want)
				}
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func stepAt(s []StepInfo, i int) any {
	if i < len(s) {
		return s[i]
	}
	return "(end of trace)"
}

// TestSnapshotHeader pins the fixed header layout of docs/snapshot.md.
func TestSnapshotHeader(t *testing.T) {
	c := snapCase{name: "fac", cfg: Config{MaxSteps: 1000, MaxStackValues: 5000, MaxCallDepth: 70, MaxMemoryPages: 9, MaxTableElems: 11},
		modules: []string{specDir + "fac.0.wasm"}, export: "fac-rec", args: []Value{I64(3)}}
	m := c.start(t)
	if _, err := m.Run(5); err != nil {
		t.Fatal(err)
	}
	b, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	d := m.storeDigest()
	tests := []struct {
		name string
		at   int
		want []byte
	}{
		{"magic", 0, []byte("referee/snapshot")},
		{"version", snapOffVersion, []byte{3}},
		{"store digest", snapOffDigest, d[:]},
		{"MaxSteps", snapOffMaxSteps, []byte{0, 0, 0, 0, 0, 0, 0x03, 0xe8}},
		{"MaxStackValues", snapOffMaxStack, []byte{0, 0, 0x13, 0x88}},
		{"MaxCallDepth", snapOffMaxDepth, []byte{0, 0, 0, 70}},
		{"MaxMemoryPages", snapOffMaxPages, []byte{0, 0, 0, 9}},
		{"MaxTableElems", snapOffMaxElems, []byte{0, 0, 0, 11}},
		{"status running", snapOffStatus, []byte{1}},
		{"steps", snapOffSteps, []byte{0, 0, 0, 0, 0, 0, 0, 5}},
		// One memory (spectest's: size 1, max 2, no non-zero page), then one
		// table (spectest's: funcref, max capped to MaxTableElems 11, size 10).
		{"memories", snapshotHeaderLen, []byte{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0}},
		{"tables", snapshotHeaderLen + 16, []byte{0, 0, 0, 1, 0x70, 0, 0, 0, 11, 0, 0, 0, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b[tt.at : tt.at+len(tt.want)]; !bytes.Equal(got, tt.want) {
				t.Errorf("bytes %d..%d = %x, want %x", tt.at, tt.at+len(tt.want), got, tt.want)
			}
		})
	}
	if snapshotHeaderLen != 82 {
		t.Errorf("header is %d bytes, docs/snapshot.md says 82", snapshotHeaderLen)
	}
}

// TestSnapshotSegmentsRevive restores a fresh machine's snapshot (segments
// intact) into a machine whose segments were dropped by running, and checks
// the element segments are re-evaluated to what instantiation made.
func TestSnapshotSegmentsRevive(t *testing.T) {
	c := snapCase{name: "state", modules: []string{"../testdata/snapshot/state.wasm"}, export: "run", args: []Value{I32(3)}}
	fresh, _ := c.build(t)
	snap, err := fresh.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	used := c.start(t)
	if _, err := used.Run(0); err != nil {
		t.Fatal(err)
	}
	if err := used.Restore(snap); err != nil {
		t.Fatal(err)
	}
	a, b := fresh.store.instances[0], used.store.instances[0]
	if !reflect.DeepEqual(a.elems, b.elems) || !reflect.DeepEqual(a.datas, b.datas) {
		t.Errorf("segments after restore:\n got %v %q\nwant %v %q", b.elems, b.datas, a.elems, a.datas)
	}
	// And the machine runs the same call to the same result.
	r1, err1 := fresh.Invoke(fresh.store.instances[0], "run", []Value{I32(5)})
	r2, err2 := used.Invoke(used.store.instances[0], "run", []Value{I32(5)})
	if err1 != nil || err2 != nil || !reflect.DeepEqual(r1, r2) {
		t.Errorf("after restore: %v, %v; want %v, %v", r2, err2, r1, err1)
	}
}

// TestSnapshotRejects checks that Restore refuses snapshots from other
// machines, and every truncation and many corruptions of a valid one,
// always with ErrSnapshot and never by panicking; a corrupted snapshot it
// accepts must re-encode to the same bytes and run without panicking.
func TestSnapshotRejects(t *testing.T) {
	state := snapCase{name: "state", modules: []string{"../testdata/snapshot/state.wasm"}, export: "run", args: []Value{I32(6)}}
	src := state.start(t)
	if _, err := src.Run(150); err != nil {
		t.Fatal(err)
	}
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	others := []struct {
		name string
		m    *Machine
	}{
		{"other module", func() *Machine { m, _ := snapCases()[0].build(t); return m }()},
		{"other config", func() *Machine {
			c := state
			c.cfg.MaxCallDepth = 99
			m, _ := c.build(t)
			return m
		}()},
		{"no spectest", func() *Machine { return NewMachine(Config{}) }()},
	}
	for _, o := range others {
		if err := o.m.Restore(snap); !errors.Is(err, ErrSnapshot) {
			t.Errorf("%s: Restore = %v, want ErrSnapshot", o.name, err)
		}
	}
	for n := 0; n < len(snap); n += 1 + n/1024*97 { // every length in the first KiB, then sampled
		dst, _ := state.build(t)
		if err := dst.Restore(snap[:n]); !errors.Is(err, ErrSnapshot) {
			t.Fatalf("truncated to %d bytes: Restore = %v, want ErrSnapshot", n, err)
		}
	}
	fac := snapCase{name: "fac-rec", modules: []string{specDir + "fac.0.wasm"}, export: "fac-rec", args: []Value{I64(25)}}
	facSrc := fac.start(t)
	if _, err := facSrc.Run(100); err != nil {
		t.Fatal(err)
	}
	facSnap, err := facSrc.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	for _, tc := range []struct {
		c    snapCase
		snap []byte
	}{{state, snap}, {fac, facSnap}} {
		accepted := 0
		const tries = 2000
		for i := 0; i < tries; i++ {
			b := append([]byte(nil), tc.snap...)
			var at int
			switch i % 3 {
			case 0: // anywhere
				at = rng.Intn(len(b))
			case 1: // the header and the start of the store
				at = rng.Intn(min(len(b), snapshotHeaderLen+200))
			case 2: // the call state at the end
				at = len(b) - 1 - rng.Intn(min(len(b), 600))
			}
			b[at] ^= byte(1 + rng.Intn(255))
			if restoreAndRun(t, tc.c, b) {
				accepted++
			}
		}
		t.Logf("%s: %d of %d one-byte corruptions accepted (changed values that are valid either way)", tc.c.name, accepted, tries)
	}
}

// restoreAndRun restores b into a fresh machine of c; if accepted it checks
// the re-encoding and runs a bounded number of steps. It reports whether b
// was accepted.
func restoreAndRun(t testing.TB, c snapCase, b []byte) bool {
	dst, _ := c.build(t)
	err := dst.Restore(b)
	if err != nil {
		if !errors.Is(err, ErrSnapshot) {
			t.Fatalf("Restore error %v does not wrap ErrSnapshot", err)
		}
		return false
	}
	again, err := dst.Snapshot()
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("accepted snapshot re-encodes differently (err %v, first difference at %d)", err, firstDiff(again, b))
	}
	if dst.Status() == StatusRunning {
		if _, err := dst.Run(2000); err != nil {
			t.Fatalf("run after restore: %v", err)
		}
	}
	return true
}

// FuzzRestore feeds arbitrary bytes to Restore on a machine holding the
// state module: it must never panic, errors must wrap ErrSnapshot, and
// whatever it accepts must re-encode identically and run without panicking.
func FuzzRestore(f *testing.F) {
	state := snapCase{name: "state", modules: []string{"../testdata/snapshot/state.wasm"}, export: "run", args: []Value{I32(5)}}
	for _, n := range []uint64{0, 1, 37, 120, 400, 1000000} {
		m := state.start(f)
		if n > 0 {
			if _, err := m.Run(n); err != nil {
				f.Fatal(err)
			}
		}
		b, err := m.Snapshot()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(snapshotMagic))
	// a machine replaying a host tape (spectest's print_i32, store address 1)
	m, ex := state.build(f)
	if err := m.ReplayHost(HostTape{{Func: 1}, {Func: 1, Trap: TrapUnreachable, Writes: []HostWrite{{Mem: 0, Addr: 8, Data: []byte{1}}}, Err: "x"}}); err != nil {
		f.Fatal(err)
	}
	if err := m.Call(ex, state.args); err != nil {
		f.Fatal(err)
	}
	m.Run(37)
	if b, err := m.Snapshot(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		restoreAndRun(t, state, b)
	})
}

// TestSnapshotDocExample checks the worked example of docs/snapshot.md:
// the snapshot of a fresh machine holding only the spectest host module.
func TestSnapshotDocExample(t *testing.T) {
	m := NewMachine(Config{})
	m.RegisterSpectest()
	b, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "snapshot.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "<!-- example:spectest -->\n```text\n")
	if !ok {
		t.Fatal("docs/snapshot.md has no example block")
	}
	want, _, _ := strings.Cut(block, "```")
	if got := hexDump(b); got != want {
		t.Errorf("docs/snapshot.md example is stale; the snapshot is now:\n%s", got)
	}
}

// hexDump renders b as lines of 16 hex bytes after their offset.
func hexDump(b []byte) string {
	var out strings.Builder
	for i := 0; i < len(b); i += 16 {
		fmt.Fprintf(&out, "%04x:", i)
		for k := i; k < i+16 && k < len(b); k++ {
			fmt.Fprintf(&out, " %02x", b[k])
		}
		out.WriteByte('\n')
	}
	return out.String()
}

// TestSnapshotRejectsDeadCodeFrame crafts a snapshot whose frame rests on
// the i32.add after a br (dead code) with a stack that matches the
// compiler's type stack there; Restore must refuse it, because running
// that op would pop values the frame does not have.
func TestSnapshotRejectsDeadCodeFrame(t *testing.T) {
	c := snapCase{name: "dead", modules: []string{"../testdata/snapshot/dead.wasm"}, export: "f", args: []Value{I32(7)}}
	src := c.start(t)
	if _, err := src.Run(2); err != nil { // block, local.get: pc = 2 (br)
		t.Fatal(err)
	}
	good, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	fc := src.frames[0].fn
	if len(fc.ops) < 4 || fc.ops[3].kind != wasm.OpI32Add {
		t.Fatalf("unexpected compiled code %+v", fc.ops)
	}
	// The tail is: u32 sp = 2, two slots, u32 frame count = 1, one frame,
	// then the host section of a live machine (u8 mode, u64 cursor, u32
	// entry count, all 0).
	host := good[len(good)-13:]
	good = good[:len(good)-13]
	tail := 4 + 16 + 4 + 16
	if n := len(good) - tail; binary.BigEndian.Uint32(good[n:]) != 2 || !bytes.Equal(host, make([]byte, 13)) {
		t.Fatalf("unexpected snapshot tail % x", good[n:])
	}
	var bad []byte
	bad = append(bad, good[:len(good)-tail]...)
	bad = binary.BigEndian.AppendUint32(bad, 1) // sp: only the param
	bad = binary.BigEndian.AppendUint64(bad, 7)
	bad = binary.BigEndian.AppendUint32(bad, 1) // one frame
	bad = binary.BigEndian.AppendUint32(bad, fc.addr)
	bad = binary.BigEndian.AppendUint32(bad, 3)
	bad = binary.BigEndian.AppendUint32(bad, fc.ops[3].offset)
	bad = binary.BigEndian.AppendUint32(bad, 0)
	bad = append(bad, host...)
	dst, _ := c.build(t)
	err = dst.Restore(bad)
	if !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("Restore = %v, want an ErrSnapshot naming the unreachable op", err)
	}
}

// TestReachableOpsKnowsInternalKinds guards reachableOps: every internal
// (non-Wasm) op kind the compiler emits for these modules must be one whose
// successors reachableOps knows. A new branching kind would otherwise hide
// its targets, and a new terminator would make dead code look live.
func TestReachableOpsKnowsInternalKinds(t *testing.T) {
	known := map[wasm.Opcode]bool{opEndReturn: true, opBrReturn: true, opBrIfReturn: true}
	paths := []string{"../testdata/snapshot/state.wasm", "../testdata/snapshot/dead.wasm"}
	for _, name := range []string{"br_table.0", "br_if.0", "br.0", "return.0", "loop.0", "block.0", "if.0", "fac.0"} {
		paths = append(paths, specDir+name+".wasm")
	}
	for _, w := range []string{"fib", "interp", "lz", "quicksort"} {
		paths = append(paths, "../testdata/workloads/"+w+".wasm")
	}
	for _, p := range paths {
		m, _ := snapCase{modules: []string{p}}.buildModules(t)
		for _, f := range m.store.funcs {
			if f.code == nil {
				continue
			}
			for i := range f.code.ops {
				if k := f.code.ops[i].kind; k != f.code.ops[i].wasmOp() && !known[k] {
					t.Errorf("%s func[%d] op %d: internal kind %#x unknown to reachableOps", p, f.code.index, i, k)
				}
			}
		}
	}
}

// BenchmarkSnapshot measures Snapshot and Restore of the lz workload in the
// middle of its run (about 33 KB of memory pages).
func BenchmarkSnapshot(b *testing.B) {
	c := snapCase{name: "lz", modules: []string{"../testdata/workloads/lz.wasm"}, export: "run", args: []Value{I32(300), I32(1)}}
	m := c.start(b)
	if _, err := m.Run(20000); err != nil {
		b.Fatal(err)
	}
	snap, err := m.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("snapshot", func(b *testing.B) {
		b.SetBytes(int64(len(snap)))
		for b.Loop() {
			if _, err := m.Snapshot(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("restore", func(b *testing.B) {
		dst, _ := c.build(b)
		b.SetBytes(int64(len(snap)))
		for b.Loop() {
			if err := dst.Restore(snap); err != nil {
				b.Fatal(err)
			}
		}
	})
}
