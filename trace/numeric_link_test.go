package trace

import (
	"testing"

	"github.com/refereevm/referee/numeric"
)

// The machine converts numeric.Trap to TrapKind with a plain conversion, so the
// numbering of the shared kinds must agree.
func TestNumericTrapNumbering(t *testing.T) {
	for _, tc := range []struct {
		n numeric.Trap
		k TrapKind
	}{
		{numeric.TrapNone, TrapNone},
		{numeric.TrapIntegerDivideByZero, TrapIntegerDivideByZero},
		{numeric.TrapIntegerOverflow, TrapIntegerOverflow},
		{numeric.TrapInvalidConversion, TrapInvalidConversion},
	} {
		if TrapKind(tc.n) != tc.k || tc.n.String() != tc.k.String() && tc.k != TrapNone {
			t.Errorf("numeric.Trap %d (%s) does not map to trace.TrapKind %d (%s)", tc.n, tc.n, tc.k, tc.k)
		}
	}
}
