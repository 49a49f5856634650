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
				Type     string          `json:"type"`
				LaneType string          `json:"lane_type"`
				Value    json.RawMessage `json:"value"`
			} `json:"args"`
		} `json:"action"`
	} `json:"commands"`
}

// specArg converts a wast2json argument; ok is false for one the machine
// cannot take (a named funcref).
func specArg(typ string, raw json.RawMessage) (trace.Value, bool) {
	if typ == "v128" {
		return specV128(raw)
	}
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
// step of every every-th invocation. It returns the outcomes.
func runSpec(t *testing.T, path string, sc *specScript, m *trace.Machine, v *Verifier, st *diffStats, every int) []string {
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
			prove := v != nil && cmd.Type != "action" && n%every == 0
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
// invocation of each Wasm 2.0 spec command file, host calls of the
// spectest module included.
func TestSpecDifferential(t *testing.T) { specDifferential(t, specDir, specEvery) }

// TestSIMDSpecDifferential does the same for every 4th invocation of each
// file of the SIMD part of the suite (its invocations are a few steps
// each): every class of vector instruction through the SIMD provers.
func TestSIMDSpecDifferential(t *testing.T) { specDifferential(t, simdSpecDir, 4) }

const simdSpecDir = "../../testdata/spectest/wasm-2.0-simd/"

func specDifferential(t *testing.T, specDir string, every int) {
	files, err := filepath.Glob(specDir + "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec command files: %v", err)
	}
	v := newVerifier(t)
	st := newDiffStats()
	defer st.merge()
	for _, f := range files {
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
			want := runSpec(t, f, &sc, rec, nil, nil, every)
			m := trace.NewMachine(trace.Config{})
			m.RegisterSpectest()
			if err := m.ReplayHost(rec.HostTape()); err != nil {
				t.Fatal(err)
			}
			got := runSpec(t, f, &sc, m, v, st, every)
			if len(got) != len(want) {
				t.Fatalf("%d invocations replayed, %d recorded", len(got), len(want))
			}
		})
	}
	st.summary(t)
}

// specV128 converts a v128 argument: its lanes, lane 0 first.
func specV128(raw json.RawMessage) (trace.Value, bool) {
	var lanes []string
	if json.Unmarshal(raw, &lanes) != nil || len(lanes) == 0 || 128%len(lanes) != 0 {
		return trace.Value{}, false
	}
	bits := 128 / len(lanes)
	var w [2]uint64
	for i, l := range lanes {
		x, err := strconv.ParseUint(l, 10, bits)
		if err != nil {
			return trace.Value{}, false
		}
		w[i*bits/64] |= x << (i * bits % 64)
	}
	return trace.V128(w[0], w[1]), true
}

// simdClass maps each vector instruction to its class in the gas table:
// "simd " and the prover's kind of work.
var simdClass = func() map[string]string {
	m := map[string]string{}
	for sub := uint32(0); sub < 0x100; sub++ {
		op, ok := wasm.SIMDInfo(sub)
		if !ok {
			continue
		}
		cl := "simd integer"
		switch k := uint32(wasm.SIMDOpcode(sub)); {
		case op.Class == wasm.SIMDLoad || op.Class == wasm.SIMDLoadLane:
			cl = "simd load"
		case op.Class == wasm.SIMDStore || op.Class == wasm.SIMDStoreLane:
			cl = "simd store"
		case simdFloatLanes(k) == 32:
			cl = "simd f32x4"
		case simdFloatLanes(k) == 64:
			cl = "simd f64x2"
		case op.Class == wasm.SIMDConst || op.Class == wasm.SIMDShuffle || op.Class == wasm.SIMDSplat ||
			op.Class == wasm.SIMDExtract || op.Class == wasm.SIMDReplace:
			cl = "simd lanes"
		}
		m[op.Name] = cl
	}
	return m
}()

// simdFloatLanes is the lane width SimdOps.isF32/isF64 route by (0: neither).
func simdFloatLanes(k uint32) int {
	s := k & 0xff
	switch {
	case s >= 0x41 && s <= 0x46, s == 0x5f, s >= 0x67 && s <= 0x6a, s >= 0xe0 && s <= 0xeb, s >= 0xf8 && s <= 0xfb:
		return 32
	case s >= 0x47 && s <= 0x4c, s == 0x5e, s == 0x74, s == 0x75, s == 0x7a, s == 0x94, s >= 0xec && s <= 0xf7, s >= 0xfc:
		return 64
	}
	return 0
}
