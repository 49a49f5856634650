package meter

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Prepare is the static half of the gatekeeper followed by the
// instrumentation: it refuses a binary larger than lim.MaxModuleSize without
// reading it, decodes it, validates it against lim (Wasm 2.0 without SIMD,
// every resource limit), instruments it with o and encodes the result, the
// binary every engine then compiles. Zero fields of lim take their
// defaults. Every error wraps the decoder's sentinel, wasm.ErrInvalid,
// wasm.ErrLimit, wasm.ErrSIMD or an Instrument error.
//
// The dynamic half, a compile-time budget per engine, belongs to the
// engines (diff/).
func Prepare(bin []byte, lim wasm.ResourceLimits, o Options) ([]byte, error) {
	max := lim.MaxModuleSize
	if max == 0 {
		max = wasm.DefaultLimits().MaxModuleSize
	}
	if uint64(len(bin)) > uint64(max) {
		return nil, fmt.Errorf("module of %d bytes: %w: more than %d bytes", len(bin), wasm.ErrLimit, max)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := wasm.Validate(m, lim); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	im, err := Instrument(m, o)
	if err != nil {
		return nil, fmt.Errorf("instrument: %w", err)
	}
	return wasm.Encode(im), nil
}
