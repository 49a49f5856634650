package numeric

// Trap says why a numeric operation has no result. The values equal the
// matching trace.TrapKind values (trace checks this in a test), so the machine
// converts with a plain type conversion and pays nothing.
type Trap uint8

// The traps a numeric operation can raise.
const (
	TrapNone                Trap = 0
	TrapIntegerDivideByZero Trap = 2 // "integer divide by zero"
	TrapIntegerOverflow     Trap = 3 // "integer overflow"
	TrapInvalidConversion   Trap = 4 // "invalid conversion to integer"
)

// String returns the spec's assert_trap text for the trap.
func (t Trap) String() string {
	switch t {
	case TrapNone:
		return "none"
	case TrapIntegerDivideByZero:
		return "integer divide by zero"
	case TrapIntegerOverflow:
		return "integer overflow"
	case TrapInvalidConversion:
		return "invalid conversion to integer"
	}
	return "unknown trap"
}
