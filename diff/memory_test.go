package diff

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// dataModule has a memory of pages pages, exported as "memory" if export,
// with the given active data segments (offset, bytes) and, if passive, one
// passive segment too.
func dataModule(pages uint32, export, passive bool, segs ...struct {
	off  uint32
	data []byte
}) *wasm.Module {
	m := &wasm.Module{Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: pages}}}}
	if export {
		m.Exports = []wasm.Export{{Name: "memory", Kind: wasm.ExternMemory}}
	}
	for _, s := range segs {
		m.Datas = append(m.Datas, wasm.Data{Mode: wasm.SegmentActive,
			Offset: wasm.ConstExpr{Op: byte(wasm.OpI32Const), Imm: uint64(s.off)}, Init: s.data})
	}
	if passive {
		m.Datas = append(m.Datas, wasm.Data{Mode: wasm.SegmentPassive, Init: []byte{9, 9, 9}})
	}
	return m
}

type seg = struct {
	off  uint32
	data []byte
}

// TestInitialMemory: the memory right after instantiation computed from the
// module (initialMemory) is the reference machine's, page for page, for the
// example contracts, the workloads and segments that overlap, cross a page,
// write zeros or are passive.
func TestInitialMemory(t *testing.T) {
	mods := map[string]*wasm.Module{
		"overlap":     dataModule(1, true, false, seg{10, []byte{1, 2, 3, 4}}, seg{12, []byte{7}}),
		"cross page":  dataModule(2, true, false, seg{4094, []byte{1, 2, 3, 4}}),
		"zeros":       dataModule(1, true, false, seg{100, make([]byte, 5000)}),
		"zeroed over": dataModule(1, true, false, seg{100, []byte{5}}, seg{100, []byte{0}}),
		"passive":     dataModule(1, true, true, seg{0, []byte{1}}),
		"last byte":   dataModule(1, true, false, seg{65535, []byte{1}}),
		"no export":   dataModule(1, false, false, seg{0, []byte{1}}),
	}
	files, _ := filepath.Glob(filepath.Join("..", "examples", "contracts", "*.wasm"))
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "workloads", "*.wasm"))
	for _, f := range append(files, more...) {
		bin, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := wasm.Decode(bin)
		if err != nil {
			t.Fatal(err)
		}
		mods[filepath.Base(f)] = m
	}
	for name, m := range mods {
		t.Run(name, func(t *testing.T) {
			got, ok := moduleMemory(m)
			if !ok {
				t.Fatal("not computable from the module")
			}
			want := referenceInitialMemory(t, m)
			if !maps.EqualFunc(got.pages, want.pages, func(a, b []byte) bool { return string(a) == string(b) }) {
				t.Fatalf("%d non-zero pages from the module, %d on the reference machine", len(got.pages), len(want.pages))
			}
		})
	}
	withStart := dataModule(1, true, false, seg{0, []byte{1}})
	withStart.Types, withStart.Funcs, withStart.Codes = []wasm.FuncType{{}}, []uint32{0}, []wasm.Code{{Body: []byte{byte(wasm.OpEnd)}}}
	withStart.HasStart = true
	if _, ok := moduleMemory(withStart); ok {
		t.Error("a module with a start function: computed from the module")
	}
}

// referenceInitialMemory instantiates m on the reference machine and
// snapshots its exported memory.
func referenceInitialMemory(t *testing.T, m *wasm.Module) memSnapshot {
	t.Helper()
	mc := trace.NewMachine(trace.Config{})
	var tmem *trace.Memory
	BindABI(mc, block.NewCall(block.NewState(block.PreState{}), block.Tx{}), func() *trace.Memory { return tmem })
	inst, err := mc.Instantiate(m)
	if err != nil {
		t.Fatal(err)
	}
	if ex, ok := inst.Export("memory"); ok && ex.Kind == wasm.ExternMemory {
		tmem = mc.Memory(ex.Addr)
		return snapshot(traceMem{tmem})
	}
	return snapshot(sliceMem(nil))
}
