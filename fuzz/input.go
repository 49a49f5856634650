package fuzz

import (
	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/wasm"
)

// DifferentialInput is what FuzzDifferential makes of a fuzzer's bytes:
// the first bytes choose a swarm configuration (NaNs canonicalized,
// termination ensured, dropped values checksummed), the next ones the
// module, and the Source it returns holds the rest, for the arguments.
// A crash file of that target (go test -fuzz's or its libFuzzer
// binary's) becomes a finding through it (referee corpus import).
func DifferentialInput(data []byte) (*wasm.Module, *Source, error) {
	s := NewSource(data)
	cfg := SwarmConfig(s)
	cfg.CanonicalizeNaNs, cfg.EnsureTermination, cfg.Checksum = true, true, true
	m, err := GenerateFrom(s, cfg)
	return m, s, err
}

// DifferentialCalls is DifferentialInput with the calls a campaign makes
// on the module (PlanCalls, arguments from the rest of the bytes).
func DifferentialCalls(data []byte) (*wasm.Module, []corpus.Call, error) {
	m, s, err := DifferentialInput(data)
	if err != nil {
		return nil, nil, err
	}
	return m, PlanCalls(m, s), nil
}
