package fuzz

import "github.com/refereevm/referee/wasm"

// Mutate returns a valid variant of m chosen by s (stub: a copy).
func Mutate(m *wasm.Module, s *Source) *wasm.Module {
	c := *m
	return &c
}
