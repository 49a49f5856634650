package shapes

import (
	"errors"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestShapesValidateByDefault: every real-world shape decodes and
// validates under wasm.DefaultLimits, and the deep ones are exactly as
// deep as they claim (one level less of MaxBlockDepth refuses them).
func TestShapesValidateByDefault(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			bin := s.Binary()
			m, err := wasm.Decode(bin)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
				t.Fatalf("%d bytes, %d functions, depth %d: %v", len(bin), s.Funcs, s.Depth, err)
			}
			if len(m.Codes) != s.Funcs {
				t.Errorf("%d functions decoded, shape says %d", len(m.Codes), s.Funcs)
			}
			if s.Depth == 0 {
				return
			}
			lim := wasm.ResourceLimits{MaxBlockDepth: uint32(s.Depth)}
			if err := wasm.Validate(m, lim); err != nil {
				t.Errorf("MaxBlockDepth %d: %v", s.Depth, err)
			}
			lim.MaxBlockDepth--
			if err := wasm.Validate(m, lim); !errors.Is(err, wasm.ErrLimit) {
				t.Errorf("MaxBlockDepth %d: %v, want a limit error", s.Depth-1, err)
			}
			t.Logf("%s: %d bytes, %d functions, depth %d", s.About, len(bin), s.Funcs, s.Depth)
		})
	}
}
