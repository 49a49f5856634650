package diff

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/refereevm/referee/block"
)

// Planted is the engine "planted": the reference machine with one result
// corrupted on purpose, so that an operator (or a test) can watch a block
// being refused end to end. It corrupts the outcome of transaction Tx in
// field Field:
//
//	return  the return data (one byte flipped, or a byte appended if empty) → value-mismatch
//	write   the first storage write's value (or a write added)               → storage
//	log     the first log (or a log added)                                  → logs
//	gas     gas used + 1                                                    → gas
//	status  ok becomes a trap "unreachable", any other status becomes ok    → trap-vs-ok
//	memory  the memory hash                                                 → memory
//	crash   the run panics                                                  → engine-crash
//
// The spec string is FIELD@TX, e.g. "write@0"; "" means "return@2", the
// return data of the third transaction.
type Planted struct {
	Field string
	Tx    int
	Inner Engine
}

// PlantedFields lists the fields Planted can corrupt.
var PlantedFields = []string{"return", "write", "log", "gas", "status", "memory", "crash"}

// NewPlanted parses a spec ("" or FIELD@TX) and wraps the reference engine.
func NewPlanted(spec string) (*Planted, error) {
	if spec == "" {
		spec = "return@2"
	}
	field, txs, ok := strings.Cut(spec, "@")
	tx, err := strconv.Atoi(txs)
	if !ok || err != nil || tx < 0 {
		return nil, fmt.Errorf("planted engine spec %q: want FIELD@TX, e.g. write@0", spec)
	}
	for _, f := range PlantedFields {
		if f == field {
			return &Planted{Field: field, Tx: tx, Inner: Reference{}}, nil
		}
	}
	return nil, fmt.Errorf("planted engine spec %q: unknown field %q (known: %s)", spec, field, strings.Join(PlantedFields, ", "))
}

// Name returns "planted".
func (p *Planted) Name() string { return "planted" }

// Run runs the inner engine and corrupts the outcome of transaction p.Tx.
func (p *Planted) Run(ctx context.Context, req *Request) (Outcome, error) {
	if req.TxIndex == p.Tx && p.Field == "crash" {
		panic("planted: crash requested")
	}
	o, err := p.Inner.Run(ctx, req)
	if err != nil || req.TxIndex != p.Tx {
		return o, err
	}
	r := &o.Receipt
	switch p.Field {
	case "return":
		r.ReturnData = flip(r.ReturnData)
	case "write":
		if len(r.Writes) == 0 {
			r.Writes = []block.Write{{Key: []byte("planted"), Value: []byte{1}}}
		} else {
			w := append([]block.Write(nil), r.Writes...)
			w[0].Value = flip(w[0].Value)
			r.Writes = w
		}
	case "log":
		if len(r.Logs) == 0 {
			r.Logs = [][]byte{[]byte("planted")}
		} else {
			l := append([][]byte(nil), r.Logs...)
			l[0] = flip(l[0])
			r.Logs = l
		}
	case "gas":
		r.GasUsed++
	case "status":
		if r.Status == block.StatusOK {
			*r = block.Receipt{Status: block.StatusTrap, Trap: "unreachable", GasUsed: r.GasUsed}
		} else {
			*r = block.Receipt{Status: block.StatusOK, GasUsed: r.GasUsed}
		}
	case "memory":
		o.MemoryHash[0] ^= 1
	}
	return o, nil
}

// flip returns b with its first byte's low bit flipped, or one zero byte
// if b is empty. b itself is not modified.
func flip(b []byte) []byte {
	if len(b) == 0 {
		return []byte{0}
	}
	out := append([]byte(nil), b...)
	out[0] ^= 1
	return out
}
