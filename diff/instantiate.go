package diff

import (
	"strings"

	"github.com/refereevm/referee/block"
)

// An instantiation that traps is an outcome, not an engine failure. A
// contract has no start function and imports only the host ABI, so the only
// instantiation traps are an active data segment out of bounds of the
// memory or an active element segment out of bounds of the table: a
// property of the module alone, the same on every correct engine. Every
// transaction on such a contract gets the same failed receipt, a trap of
// the segment's kind charged its whole gas limit (docs/metering.md: a
// trapped transaction is), with no instance to observe: no results,
// globals or memory. An engine that instantiates such a module without a
// trap (wazero v1.12.0 ignores an out-of-bounds element segment) diverges
// from the others as trap-vs-ok; see docs/divergence.md.

// instantiationTrap returns the outcome of a transaction on a module whose
// instantiation trapped with the normalised trap kind trap.
func instantiationTrap(req *Request, call *block.Call, trap, detail string) Outcome {
	o := Outcome{GuestGas: req.Tx.GasLimit, Detail: detail}
	o.MemoryHash = memoryHash(sliceMem(nil))
	o.Receipt = call.Receipt(trap, o.GuestGas)
	return o
}

// segmentTrapKind returns the normalised trap kind that ends an engine's
// instantiation error message, if it is a segment's out-of-bounds trap
// (wazero: "data[0]: out of bounds memory access").
func segmentTrapKind(msg string) (string, bool) {
	msg = strings.TrimSpace(firstLine(msg))
	for _, k := range []string{"out of bounds memory access", "out of bounds table access", "undefined element"} {
		if strings.HasSuffix(msg, k) {
			return NormalizeTrap(k), true
		}
	}
	return "", false
}
