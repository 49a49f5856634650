//go:build gofuzz

package fuzz

import (
	"errors"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// Fuzz is the entry point for github.com/dvyukov/go-fuzz (build tag
// gofuzz). data chooses a swarm configuration, a module and arguments; the
// module must validate and every exported function must return or trap on
// the reference machine, within the fuel the generator put in. Comparing
// with other engines is FuzzDifferential's job (only tests may import
// them). It returns 1 for inputs worth keeping.
func Fuzz(data []byte) int {
	s := NewSource(data)
	cfg := SwarmConfig(s)
	cfg.CanonicalizeNaNs, cfg.EnsureTermination = true, true
	m, err := GenerateFrom(s, cfg)
	if err != nil {
		return -1
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		panic("BUG: generated module is invalid: " + err.Error())
	}
	mc := trace.NewMachine(trace.Config{MaxSteps: 50_000_000})
	inst, err := mc.Instantiate(m)
	var tr *trace.Trap
	if err != nil {
		if !errors.As(err, &tr) {
			panic("BUG: instantiate: " + err.Error())
		}
		return 0
	}
	for _, e := range m.Exports {
		if e.Kind != wasm.ExternFunc || e.Name == ResetFuelExport {
			continue
		}
		if _, err := mc.Invoke(inst, ResetFuelExport, nil); err != nil {
			panic("BUG: fuel reset: " + err.Error())
		}
		ft, _ := m.FuncType(e.Index)
		if _, err := mc.Invoke(inst, e.Name, Args(s, ft.Params)); err != nil {
			if !errors.As(err, &tr) || tr.Kind == trace.TrapStepLimit {
				panic("BUG: " + e.Name + ": " + err.Error())
			}
		}
	}
	return 1
}
