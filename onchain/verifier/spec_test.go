package verifier

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/trace/spectest"
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

// runSpec runs the commands of one file on m; with v set it checks every
// step of every every-th invocation. It returns the outcomes.
func runSpec(t *testing.T, path string, sc *spectest.Script, m *trace.Machine, v *Verifier, st *diffStats, every int) []string {
	var c *trace.Committer
	if v != nil {
		c = trace.NewCommitter(m)
	}
	outcomes, _, err := sc.Walk(m, specAbandonAfter, func(inv spectest.Invocation) {
		prove := v != nil && inv.Command != "action" && inv.N%every == 0
		for i := 0; prove && i < specMaxSteps && m.Status() == trace.StatusRunning; i++ {
			stepBoth(t, v, st, c, fmt.Sprintf("%s:%d", filepath.Base(path), inv.Line))
		}
	}) // as dispute's spec test, a runaway file is abandoned
	if err != nil {
		t.Fatal(err)
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
			sc, err := spectest.ReadScript(f)
			if err != nil {
				t.Fatal(err)
			}
			rec := trace.NewMachine(trace.Config{})
			rec.RegisterSpectest()
			if err := rec.RecordHost(); err != nil {
				t.Fatal(err)
			}
			want := runSpec(t, f, sc, rec, nil, nil, every)
			m := trace.NewMachine(trace.Config{})
			m.RegisterSpectest()
			if err := m.ReplayHost(rec.HostTape()); err != nil {
				t.Fatal(err)
			}
			got := runSpec(t, f, sc, m, v, st, every)
			if len(got) != len(want) {
				t.Fatalf("%d invocations replayed, %d recorded", len(got), len(want))
			}
		})
	}
	st.summary(t)
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
