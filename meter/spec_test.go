package meter

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/trace/spectest"
	"github.com/refereevm/referee/wasm"
)

const specDir = "../testdata/spectest/wasm-2.0"

// specCommand is the part of a wast2json command this test reads.
type specCommand struct {
	Type     string `json:"type"`
	Line     int    `json:"line"`
	Filename string `json:"filename"`
	Name     string `json:"name"`
	As       string `json:"as"`
	Action   *struct {
		Type   string `json:"type"`
		Module string `json:"module"`
		Field  string `json:"field"`
		Args   []struct {
			Type     string          `json:"type"`
			LaneType string          `json:"lane_type"`
			Value    json.RawMessage `json:"value"`
		} `json:"args"`
	} `json:"action"`
}

// specPair is one spec module instantiated twice: as written on one
// machine, instrumented on another.
type specPair struct{ plain, inst *trace.Instance }

// TestSpecSuitePreserved runs every invoke and get of the spec suite
// (assert_return, assert_trap, action) on the reference machine twice, on
// the module as written and on the module instrumented (canonicalize, ample
// gas), and requires the same results, bit for bit, and the same traps.
// Exhaustion tests are skipped: there the instrumented module traps on its
// own depth counter by design.
func TestSpecSuitePreserved(t *testing.T) { specSuitePreserved(t, specDir, 10000) }

// TestSIMDSpecSuitePreserved does the same for the SIMD part of the suite,
// whose float lanes the canonicalize profile rewrites.
func TestSIMDSpecSuitePreserved(t *testing.T) {
	specSuitePreserved(t, "../testdata/spectest/wasm-2.0-simd", 20000)
}

func specSuitePreserved(t *testing.T, specDir string, atLeast int) {
	files, err := filepath.Glob(filepath.Join(specDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec files in %s: %v", specDir, err)
	}
	o := DefaultOptions()
	o.StartGas = ample
	o.MaxCallDepth = 1 << 20 // traps leave the counter raised; the machine's own limit decides
	o.MaxMemoryPages = 0
	o.MaxBlocksPerFunc, o.MaxBlocksPerModule, o.MaxBrTableTargets = 0, 0, 0 // the gate's shape limits, not semantics
	o.MaxBulkBytes, o.MaxBulkElems = 0, 0                                   // the blocks' provability caps, not semantics
	o.MaxParams, o.MaxResults, o.MaxFrameSlots, o.MaxSlotBytes = 0, 0, 0, 0 // the gate's type and frame limits, not semantics
	total := 0
	for _, f := range files {
		total += specFile(t, f, o)
	}
	t.Logf("%d invocations compared", total)
	if total < atLeast {
		t.Errorf("only %d invocations compared", total)
	}
}

func specFile(t *testing.T, path string, o Options) int {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Commands []specCommand `json:"commands"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	base := filepath.Base(path)
	plainM, instM := trace.NewMachine(trace.Config{}), trace.NewMachine(trace.Config{})
	plainM.RegisterSpectest()
	instM.RegisterSpectest()
	var cur *specPair
	named := map[string]*specPair{}
	n := 0
	for _, c := range file.Commands {
		where := base + ":" + strconv.Itoa(c.Line)
		switch c.Type {
		case "module":
			cur = nil
			bin, err := os.ReadFile(filepath.Join(filepath.Dir(path), c.Filename))
			if err != nil {
				t.Fatal(err)
			}
			m, err := wasm.Decode(bin)
			if err != nil || wasm.Validate(m, wasm.DefaultLimits()) != nil {
				continue
			}
			im, err := Instrument(m, o)
			if err != nil {
				t.Errorf("%s: instrument: %v", where, err)
				continue
			}
			im2, err := wasm.Decode(wasm.Encode(im))
			if err != nil {
				t.Errorf("%s: instrumented module does not decode: %v", where, err)
				continue
			}
			if err := wasm.Validate(im2, wasm.DefaultLimits()); err != nil {
				t.Errorf("%s: instrumented module invalid: %v", where, err)
				continue
			}
			pi, perr := plainM.Instantiate(m)
			ii, ierr := instM.Instantiate(im2)
			if (perr == nil) != (ierr == nil) {
				t.Errorf("%s: instantiate: plain %v, instrumented %v", where, perr, ierr)
				continue
			}
			if perr != nil {
				continue
			}
			cur = &specPair{plain: pi, inst: ii}
			if c.Name != "" {
				named[c.Name] = cur
			}
		case "register":
			p := cur
			if c.Name != "" {
				p = named[c.Name]
			}
			if p != nil {
				plainM.Register(c.As, p.plain)
				instM.Register(c.As, p.inst)
			}
		case "assert_return", "assert_trap", "action":
			if c.Action == nil {
				continue
			}
			p := cur
			if c.Action.Module != "" {
				p = named[c.Action.Module]
			}
			if p == nil {
				continue
			}
			if specAction(t, where, plainM, instM, p, c) {
				n++
			}
		}
	}
	return n
}

// specAction runs one action on both machines and compares; false means it
// was skipped (an argument the test cannot build).
func specAction(t *testing.T, where string, plainM, instM *trace.Machine, p *specPair, c specCommand) bool {
	a := c.Action
	switch a.Type {
	case "get":
		pe, ok1 := p.plain.Export(a.Field)
		ie, ok2 := p.inst.Export(a.Field)
		if !ok1 || !ok2 {
			t.Errorf("%s: get %q: export missing", where, a.Field)
			return true
		}
		if pv, iv := plainM.GlobalValue(pe), instM.GlobalValue(ie); pv != iv {
			t.Errorf("%s: get %q: plain %v, instrumented %v", where, a.Field, pv, iv)
		}
		return true
	case "invoke":
	default:
		return false
	}
	args := make([]trace.Value, len(a.Args))
	for i, arg := range a.Args {
		v, err := spectest.ParseArg(arg.Type, arg.LaneType, arg.Value)
		if err != nil {
			return false
		}
		args[i] = v
	}
	pres, perr := plainM.Invoke(p.plain, a.Field, args)
	ires, ierr := instM.Invoke(p.inst, a.Field, args)
	var pt, it *trace.Trap
	errors.As(perr, &pt)
	errors.As(ierr, &it)
	switch {
	case (perr == nil) != (ierr == nil):
		t.Errorf("%s: invoke %q: plain %v, instrumented %v", where, a.Field, perr, ierr)
	case pt != nil && (it == nil || it.Kind != pt.Kind):
		t.Errorf("%s: invoke %q: plain trap %v, instrumented %v", where, a.Field, perr, ierr)
	case len(pres) != len(ires):
		t.Errorf("%s: invoke %q: plain %v, instrumented %v", where, a.Field, pres, ires)
	default:
		for i := range pres {
			if !sameValue(pres[i], ires[i]) {
				t.Errorf("%s: invoke %q: result %d: plain %v, instrumented %v", where, a.Field, i, pres[i], ires[i])
			}
		}
	}
	return true
}

// sameValue compares two values; funcrefs are store addresses that differ
// between the machines, so only their nullness is compared.
func sameValue(a, b trace.Value) bool {
	if a.Type == wasm.FuncRef && b.Type == wasm.FuncRef {
		return a.IsNull() == b.IsNull()
	}
	return a == b
}

// TestInstrumentDecodedOnly: Instrument never panics on a module that
// decodes but may be invalid (every .wasm of the spec suite, including the
// assert_invalid ones), and whatever it returns for a valid module
// validates.
func TestInstrumentDecodedOnly(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(specDir, "*.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		bin, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := wasm.Decode(bin)
		if err != nil {
			continue
		}
		n++
		valid := wasm.Validate(m, wasm.DefaultLimits()) == nil
		im, err := Instrument(m, DefaultOptions())
		if err != nil || !valid {
			continue
		}
		out, err := wasm.Decode(wasm.Encode(im))
		if err == nil {
			err = wasm.Validate(out, wasm.ResourceLimits{MaxBlockDepth: 1<<32 - 1, MaxLocalsPerFunc: 1<<32 - 1})
		}
		if err != nil {
			t.Errorf("%s: instrumented module: %v", filepath.Base(f), err)
		}
	}
	if n < 1000 {
		t.Errorf("only %d modules decoded", n)
	}
}
