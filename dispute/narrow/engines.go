package narrow

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// PlantedOp is the name of the planted-op engine: wazero's compiler running
// a module that corrupts one instruction's result (Plant). Its spec is
// "planted-op" (DefaultPlant) or "planted-op:OP@N", e.g. planted-op:i32.add@1000000.
const PlantedOp = "planted-op"

// DefaultPlant is the planted-op engine's fault without a spec: bit 0 of
// the result of the 1,000,000th i32.add.
var DefaultPlant = Plant{Op: wasm.OpI32Add, Nth: 1_000_000}

// ParsePlant parses "OP@N": an opcode with an integer result (a numeric
// instruction or load, or local.get, local.tee, global.get, whose integer
// executions are the ones counted) and the execution count (from 1).
func ParsePlant(s string) (Plant, error) {
	name, ns, ok := strings.Cut(s, "@")
	n, err := strconv.ParseUint(ns, 10, 64)
	if !ok || err != nil || n == 0 {
		return Plant{}, fmt.Errorf("plant %q: want OP@N with N >= 1, e.g. i32.add@1000000", s)
	}
	op, ok := opcodeByName(name)
	if !ok {
		return Plant{}, fmt.Errorf("plant %q: unknown opcode %q", s, name)
	}
	if op != wasm.OpLocalGet && op != wasm.OpLocalTee && op != wasm.OpGlobalGet {
		if t, ok := ResultType(op); !ok || (t != wasm.I32 && t != wasm.I64) {
			return Plant{}, fmt.Errorf("plant %q: %s has no integer result", s, name)
		}
	}
	return Plant{Op: op, Nth: n}, nil
}

var (
	opNamesOnce sync.Once
	opNames     map[string]wasm.Opcode
)

func opcodeByName(name string) (wasm.Opcode, bool) {
	opNamesOnce.Do(func() {
		opNames = make(map[string]wasm.Opcode)
		for op := 0; op < 0x100; op++ {
			if _, ok := ResultType(wasm.Opcode(op)); ok {
				opNames[wasm.Opcode(op).String()] = wasm.Opcode(op)
			}
		}
		for _, op := range []wasm.Opcode{wasm.OpLocalGet, wasm.OpLocalTee, wasm.OpGlobalGet} {
			opNames[op.String()] = op
		}
		for op := 0xFC00; op < 0xFC08; op++ {
			opNames[wasm.Opcode(op).String()] = wasm.Opcode(op)
		}
	})
	op, ok := opNames[name]
	return op, ok
}

// NewEngines builds the named engines: the names diff.Engines knows, and
// PlantedOp with an optional ":OP@N".
func NewEngines(specs []string, c diff.EngineConfig) ([]Engine, error) {
	out := make([]Engine, 0, len(specs))
	for _, s := range specs {
		if s == PlantedOp || strings.HasPrefix(s, PlantedOp+":") {
			p := DefaultPlant
			if rest, ok := strings.CutPrefix(s, PlantedOp+":"); ok {
				var err error
				if p, err = ParsePlant(rest); err != nil {
					return nil, err
				}
			}
			out = append(out, Engine{Name: s, Inner: diff.NewWazero(true, c.Interruptible), Plant: &p})
			continue
		}
		es, err := diff.Engines([]string{s}, c)
		if err != nil {
			return nil, err
		}
		out = append(out, Engine{Name: s, Inner: es[0]})
	}
	return out, nil
}

// CloseEngines releases the engines' resources.
func CloseEngines(es []Engine) {
	for _, e := range es {
		diff.CloseEngines([]diff.Engine{e.Inner})
	}
}
