package trace

import (
	"encoding/hex"
	"math/rand"
	"testing"
)

// TestCommitterIncremental: after random runs of steps, the incremental
// Committer's root equals a root built from scratch, and roots of
// successive different states differ.
func TestCommitterIncremental(t *testing.T) {
	for _, c := range snapCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(len(c.name))))
			m := c.start(t)
			cm := NewCommitter(m)
			prev := cm.Root()
			if got := m.Root(); got != prev {
				t.Fatalf("step 0: incremental %x, scratch %x", prev, got)
			}
			for i := 0; m.Status() == StatusRunning && i < 400; i++ {
				n := uint64(1 + rng.Intn(40))
				if rng.Intn(4) == 0 {
					n = 1
				}
				if _, err := m.Run(n); err != nil {
					t.Fatal(err)
				}
				r := cm.Root()
				if s := m.Root(); s != r {
					t.Fatalf("after step %d: incremental %x, scratch %x", m.Steps(), r, s)
				}
				if r == prev {
					t.Fatalf("after step %d: root unchanged", m.Steps())
				}
				prev = r
			}
		})
	}
}

// TestRootSnapshotRestore: Restore(Snapshot()) into a fresh machine with
// the same modules gives the same root, at many steps.
func TestRootSnapshotRestore(t *testing.T) {
	for _, c := range snapCases() {
		t.Run(c.name, func(t *testing.T) {
			m := c.start(t)
			for k := 0; k < 30 && m.Status() == StatusRunning; k++ {
				if _, err := m.Run(uint64(1 + 37*k)); err != nil {
					t.Fatal(err)
				}
				b, err := m.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				m2, _ := c.build(t)
				if err := m2.Restore(b); err != nil {
					t.Fatal(err)
				}
				if r1, r2 := m.Root(), m2.Root(); r1 != r2 {
					e1, e2 := newCommitter(m, false).Encoding(), newCommitter(m2, false).Encoding()
					t.Fatalf("step %d: root %x, restored %x; encodings differ at byte %d", m.Steps(), r1, r2, firstDiff(e1, e2))
				}
			}
		})
	}
}

// TestRootSensitive: changing any one state element changes the root.
func TestRootSensitive(t *testing.T) {
	c := snapCases()[3] // state.wasm: memory, globals, table
	m := c.start(t)
	if _, err := m.Run(200); err != nil {
		t.Fatal(err)
	}
	base := m.Root()
	edits := []struct {
		name string
		edit func(m *Machine) func()
	}{
		{"steps", func(m *Machine) func() { m.steps++; return func() { m.steps-- } }},
		{"status", func(m *Machine) func() { m.status = StatusDone; return func() { m.status = StatusRunning } }},
		{"pc", func(m *Machine) func() { f := &m.frames[len(m.frames)-1]; f.pc++; return func() { f.pc-- } }},
		{"operand", func(m *Machine) func() {
			f := &m.frames[len(m.frames)-1]
			i := f.fp + f.fn.numLocals
			if i >= m.sp {
				m.stack[m.sp] = 1
				m.sp++
				return func() { m.sp-- }
			}
			m.stack[m.sp-1] ^= 1
			return func() { m.stack[m.sp-1] ^= 1 }
		}},
		{"local", func(m *Machine) func() {
			f := &m.frames[len(m.frames)-1]
			m.stack[f.fp] ^= 4
			return func() { m.stack[f.fp] ^= 4 }
		}},
		{"global", func(m *Machine) func() { m.store.globals[0].bits ^= 1; return func() { m.store.globals[0].bits ^= 1 } }},
		{"memory byte", func(m *Machine) func() {
			mm := m.store.mems[0]
			var old [1]byte
			mm.read(100, old[:])
			mm.write(100, []byte{old[0] ^ 0x55})
			return func() { mm.write(100, old[:]) }
		}},
		{"memory size", func(m *Machine) func() {
			mm := m.store.mems[0]
			old := mm.size
			mm.resize(old + 1)
			return func() { mm.size = old; mm.pages = mm.pages[:old*16] }
		}},
		{"config", func(m *Machine) func() { m.cfg.MaxSteps++; return func() { m.cfg.MaxSteps-- } }},
	}
	if len(m.store.tables) > 0 && len(m.store.tables[0].elems) > 0 {
		edits = append(edits, struct {
			name string
			edit func(m *Machine) func()
		}{"table", func(m *Machine) func() {
			tb := m.store.tables[0]
			tb.elems[0] ^= 1
			return func() { tb.elems[0] ^= 1 }
		}})
	}
	for _, e := range edits {
		undo := e.edit(m)
		if r := m.Root(); r == base {
			t.Errorf("%s: root unchanged", e.name)
		}
		undo()
		if r := m.Root(); r != base {
			t.Errorf("%s: root not restored", e.name)
		}
	}
}

// TestStateEncodingSize pins the layout's size and the root of an idle
// empty machine.
func TestStateEncodingSize(t *testing.T) {
	if StateEncodingSize != 343 || AuxEncodingSize != 127 {
		t.Fatalf("StateEncodingSize = %d, AuxEncodingSize = %d, want 343 and 127", StateEncodingSize, AuxEncodingSize)
	}
	m := NewMachine(Config{})
	c := NewCommitter(m)
	enc := c.Encoding()
	if len(enc) != StateEncodingSize || string(enc[:16]) != "referee/state/v3" {
		t.Fatalf("encoding %x", enc)
	}
	r := m.Root()
	if got, want := hex.EncodeToString(r[:]), "8f5f4bb06401f53f8e88ca432d5e9188f001644951a8f0f42c049b92949150bd"; got != want {
		t.Fatalf("empty machine root %s, want %s", got, want)
	}
}

// TestCommitterAcrossRestore: restoring an earlier snapshot into the same
// machine (memory and tables shrink back, dropped segments revive) keeps
// the incremental Committer equal to a from-scratch root.
func TestCommitterAcrossRestore(t *testing.T) {
	for _, c := range snapCases() {
		t.Run(c.name, func(t *testing.T) {
			m := c.start(t)
			cm := NewCommitter(m)
			var snaps [][]byte
			var roots [][32]byte
			for k := 0; k < 12 && m.Status() == StatusRunning; k++ {
				b, err := m.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				snaps = append(snaps, b)
				roots = append(roots, cm.Root())
				if _, err := m.Run(uint64(50 + 211*k)); err != nil {
					t.Fatal(err)
				}
				cm.Root()
			}
			for i := len(snaps) - 1; i >= 0; i -= 3 {
				if err := m.Restore(snaps[i]); err != nil {
					t.Fatal(err)
				}
				if r, s := cm.Root(), m.Root(); r != s || r != roots[i] {
					t.Fatalf("snapshot %d: incremental %x, scratch %x, at the snapshot %x", i, r, s, roots[i])
				}
				if m.Status() == StatusRunning {
					m.Run(97)
					if r, s := cm.Root(), m.Root(); r != s {
						t.Fatalf("snapshot %d + 97 steps: incremental %x, scratch %x", i, r, s)
					}
				}
			}
		})
	}
}
