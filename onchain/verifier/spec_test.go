package verifier

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// The spec-suite sample: the command files of the Wasm 2.0 suite run as
// dispute's every-step test runs them (recording the spectest host calls,
// then replaying the tape so that they are provable), and every step of
// every 25th invocation, up to 10,000 steps each, is checked in Go and in
// the EVM.

const (
	specDir          = "../../testdata/spectest/wasm-2.0/"
	specEvery        = 25
	specMaxSteps     = 10_000
	specAbandonAfter = 10_000_000
)

type specScript struct {
	Commands []struct {
		Type       string `json:"type"`
		Line       int    `json:"line"`
		Filename   string `json:"filename"`
		Name       string `json:"name"`
		As         string `json:"as"`
		ModuleType string `json:"module_type"`
		Action     *struct {
			Type   string `json:"type"`
			Module string `json:"module"`
			Field  string `json:"field"`
			Args   []struct {
				Type  string          `json:"type"`
				Value json.RawMessage `json:"value"`
			} `json:"args"`
		} `json:"action"`
	} `json:"commands"`
}

// specArg converts a wast2json argument; ok is false for one the machine
// cannot take (v128, a named funcref).
func specArg(typ string, raw json.RawMessage) (trace.Value, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return trace.Value{}, false
	}
	switch typ {
	case "i32", "f32":
		n, err := strconv.ParseUint(s, 10, 32)
		if typ == "i32" {
			return trace.I32(uint32(n)), err == nil
		}
		return trace.F32(uint32(n)), err == nil
	case "i64", "f64":
		n, err := strconv.ParseUint(s, 10, 64)
		if typ == "i64" {
			return trace.I64(n), err == nil
		}
		return trace.F64(n), err == nil
	case "externref":
		if s == "null" {
			return trace.NullRef(wasm.ExternRef), true
		}
		n, err := strconv.ParseUint(s, 10, 64)
		return trace.ExternRef(n), err == nil
	case "funcref":
		return trace.NullRef(wasm.FuncRef), s == "null"
	}
	return trace.Value{}, false
}

// runSpec runs the commands of one file on m; with v set it checks every
// step of every specEvery-th invocation. It returns the outcomes.
func runSpec(t *testing.T, path string, sc *specScript, m *trace.Machine, v *Verifier, st *diffStats) []string {
	dir := filepath.Dir(path)
	var c *trace.Committer
	if v != nil {
		c = trace.NewCommitter(m)
	}
	named := map[string]*trace.Instance{} // only looked up
	var cur *trace.Instance
	var outcomes []string
	n := 0
	for _, cmd := range sc.Commands {
		switch cmd.Type {
		case "module":
			cur = nil
			if cmd.ModuleType == "text" || !strings.HasSuffix(cmd.Filename, ".wasm") {
				continue
			}
			wb, err := os.ReadFile(filepath.Join(dir, cmd.Filename))
			if err != nil {
				t.Fatal(err)
			}
			mod, err := wasm.Decode(wb)
			if err != nil || wasm.Validate(mod, wasm.DefaultLimits()) != nil {
				continue
			}
			if inst, err := m.Instantiate(mod); err == nil {
				cur = inst
				if cmd.Name != "" {
					named[cmd.Name] = inst
				}
			}
		case "register":
			inst := cur
			if cmd.Name != "" {
				inst = named[cmd.Name]
			}
			if inst != nil {
				m.Register(cmd.As, inst)
			}
		case "assert_return", "assert_trap", "action":
			a := cmd.Action
			if a == nil || a.Type != "invoke" {
				continue
			}
			inst := cur
			if a.Module != "" {
				inst = named[a.Module]
			}
			if inst == nil {
				continue
			}
			ex, ok := inst.Export(a.Field)
			if !ok || ex.Kind != wasm.ExternFunc {
				continue
			}
			args := make([]trace.Value, 0, len(a.Args))
			good := true
			for _, x := range a.Args {
				val, ok := specArg(x.Type, x.Value)
				good = good && ok
				args = append(args, val)
			}
			if !good {
				continue
			}
			if err := m.Call(ex, args); err != nil {
				continue
			}
			n++
			prove := v != nil && cmd.Type != "action" && n%specEvery == 0
			for i := 0; prove && i < specMaxSteps && m.Status() == trace.StatusRunning; i++ {
				stepBoth(t, v, st, c, fmt.Sprintf("%s:%d", filepath.Base(path), cmd.Line))
			}
			if m.Status() == trace.StatusRunning {
				if _, err := m.Run(specAbandonAfter); err != nil {
					t.Fatal(err)
				}
				if m.Status() == trace.StatusRunning {
					return outcomes // as dispute's spec test, a runaway file is abandoned
				}
			}
			outcomes = append(outcomes, fmt.Sprintf("line %d: %s %v %s", cmd.Line, m.Status(), m.Results(), m.TrapKind()))
		}
	}
	return outcomes
}

// TestSpecDifferential checks every step (up to 10,000) of every 25th
// invocation of each Wasm 2.0 spec command file (SIMD files skipped, as
// the machine has no v128), host calls of the spectest module included.
func TestSpecDifferential(t *testing.T) {
	files, err := filepath.Glob(specDir + "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec command files: %v", err)
	}
	v := newVerifier(t)
	st := newDiffStats()
	defer st.merge()
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "simd") {
			continue
		}
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var sc specScript
			if err := json.Unmarshal(b, &sc); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			rec := trace.NewMachine(trace.Config{})
			rec.RegisterSpectest()
			if err := rec.RecordHost(); err != nil {
				t.Fatal(err)
			}
			want := runSpec(t, f, &sc, rec, nil, nil)
			m := trace.NewMachine(trace.Config{})
			m.RegisterSpectest()
			if err := m.ReplayHost(rec.HostTape()); err != nil {
				t.Fatal(err)
			}
			got := runSpec(t, f, &sc, m, v, st)
			if len(got) != len(want) {
				t.Fatalf("%d invocations replayed, %d recorded", len(got), len(want))
			}
		})
	}
	st.summary(t)
}
