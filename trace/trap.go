package trace

import "fmt"

// TrapKind is the closed set of traps. String returns the spec's
// assert_trap text.
type TrapKind uint8

// Trap kinds.
const (
	TrapNone                     TrapKind = iota
	TrapUnreachable                       // "unreachable"
	TrapIntegerDivideByZero               // "integer divide by zero"
	TrapIntegerOverflow                   // "integer overflow"
	TrapInvalidConversion                 // "invalid conversion to integer"
	TrapOutOfBoundsMemory                 // "out of bounds memory access"
	TrapOutOfBoundsTable                  // "out of bounds table access"
	TrapIndirectCallTypeMismatch          // "indirect call type mismatch"
	TrapUninitializedElement              // "uninitialized element"
	TrapUndefinedElement                  // "undefined element"
	TrapCallStackExhausted                // "call stack exhausted" (call-depth limit)
	TrapValueStackExhausted               // "value stack exhausted" (value-stack limit)
	TrapStepLimit                         // "step limit exceeded" (fuel)
)

var trapText = [...]string{
	TrapNone:                     "no trap",
	TrapUnreachable:              "unreachable",
	TrapIntegerDivideByZero:      "integer divide by zero",
	TrapIntegerOverflow:          "integer overflow",
	TrapInvalidConversion:        "invalid conversion to integer",
	TrapOutOfBoundsMemory:        "out of bounds memory access",
	TrapOutOfBoundsTable:         "out of bounds table access",
	TrapIndirectCallTypeMismatch: "indirect call type mismatch",
	TrapUninitializedElement:     "uninitialized element",
	TrapUndefinedElement:         "undefined element",
	TrapCallStackExhausted:       "call stack exhausted",
	TrapValueStackExhausted:      "value stack exhausted",
	TrapStepLimit:                "step limit exceeded",
}

// String returns the spec's assert_trap text for k.
func (k TrapKind) String() string {
	if int(k) < len(trapText) {
		return trapText[k]
	}
	return fmt.Sprintf("trap(%d)", uint8(k))
}

// Trap is the error returned by Invoke and Instantiate when the guest
// traps. Func and Offset locate the instruction that trapped (function
// index in its module, byte offset in the code section); Step is the
// number of that step.
//
// A trap outside every function — an active element or data segment out
// of bounds while Instantiate applies it — has Func == NoFunc, Segment
// naming the segment ("elem[2]", "data[0]") and Offset the byte offset of
// the segment's offset expression in the module binary.
type Trap struct {
	Kind    TrapKind
	Func    uint32
	Offset  uint32
	Step    uint64
	Segment string
}

// NoFunc is Trap.Func (and PC.Func) where no function of the module is
// running: a host function, or the segment initialisation of Instantiate.
const NoFunc = hostFunc

// Error formats the trap, e.g. "trap: integer divide by zero at step 12
// (func[3] +0x1a)", or "trap: out of bounds table access at
// instantiation (elem[0], offset expression at module offset 0x24)".
func (t *Trap) Error() string {
	if t.Segment != "" {
		return fmt.Sprintf("trap: %s at instantiation (%s, offset expression at module offset 0x%x)", t.Kind, t.Segment, t.Offset)
	}
	return fmt.Sprintf("trap: %s at step %d (func[%d] +0x%x)", t.Kind, t.Step, t.Func, t.Offset)
}

// LinkError is returned by Instantiate when an import is missing or has
// the wrong type. Reason is "unknown import" or "incompatible import type".
type LinkError struct {
	Module, Name, Reason string
}

// Error formats the link error, e.g. `link: unknown import "env"."f"`.
func (e *LinkError) Error() string {
	return fmt.Sprintf("link: %s %q.%q", e.Reason, e.Module, e.Name)
}
