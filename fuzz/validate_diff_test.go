package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/refereevm/referee/wasm"
)

// corrupt returns a copy of m with one instruction of one body changed so
// that it is often invalid: an operator replaced by a random operator
// without immediates, an index moved (local, global, function, label,
// table, type, segment; or the annotation of a typed select), or an
// instruction deleted. It returns nil if the chosen body has no instruction
// to change, and whether it changed a select annotation.
func corrupt(m *wasm.Module, s *Source) (*wasm.Module, bool) {
	if len(m.Codes) == 0 {
		return nil, false
	}
	fn := s.Intn(len(m.Codes))
	var ins []wasm.Instr
	for pc := uint32(0); pc < uint32(len(m.Codes[fn].Body)); {
		in, next, err := wasm.ReadInstr(m.Codes[fn].Body, pc)
		if err != nil {
			return nil, false
		}
		ins = append(ins, in)
		pc = next
	}
	if len(ins) < 2 {
		return nil, false
	}
	retyped := false
	at := s.Intn(len(ins) - 1) // never the final end
	in := ins[at]
	switch s.Intn(3) {
	case 0: // another operator without immediates
		var plain []wasm.Opcode
		for _, o := range append(append([]opSig(nil), unaryOps...), binaryOps...) {
			plain = append(plain, o.op)
		}
		plain = append(plain, wasm.OpDrop, wasm.OpSelect, wasm.OpNop, wasm.OpReturn, wasm.OpRefIsNull, wasm.OpElse, wasm.OpEnd)
		ins[at] = wasm.Instr{Op: plain[s.Intn(len(plain))]}
	case 1: // move an index
		deltas := []int64{1, -1, 2, 100, 1 << 20}
		d := deltas[s.Intn(len(deltas))]
		switch s.Intn(2) {
		case 0:
			in.Index = uint32(int64(in.Index) + d)
		default:
			in.Index2 = uint32(int64(in.Index2) + d)
		}
		if in.Op == wasm.OpSelectT && len(in.SelectTypes) == 1 {
			in.SelectTypes = []wasm.ValType{[]wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.FuncRef, wasm.ExternRef}[s.Intn(6)]}
			retyped = true
		}
		ins[at] = in
	default: // delete
		ins = append(ins[:at], ins[at+1:]...)
	}
	var body []byte
	for _, in := range ins {
		body = wasm.AppendInstr(body, in)
	}
	c := *m
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	c.Codes[fn].Body = body
	return &c, retyped
}

// TestValidateDifferential corrupts generated modules and requires that our
// validator and wazero's compiler agree on accepting or rejecting each one
// (after our decoder accepts its encoding). A typed select whose annotation
// no longer matches its operands is finding F3 (wazero accepts it): counted
// and logged, not failed.
func TestValidateDifferential(t *testing.T) {
	n := envN(300)
	if testing.Short() {
		n = 60
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	var tried, invalid, disagree, f3 int
	for seed := uint64(0); seed < n; seed++ {
		m := GenerateSeed(seed, DefaultConfig())
		s := NewSeedSource(seed ^ 0x5eed)
		for k := 0; k < 8; k++ {
			c, retyped := corrupt(m, s)
			if c == nil {
				continue
			}
			bin := wasm.Encode(c)
			if bytes.Equal(bin, wasm.Encode(m)) {
				continue
			}
			d, err := wasm.Decode(bin)
			if err != nil {
				continue // a malformed encoding (e.g. a label index past 2^32)
			}
			tried++
			ours := wasm.Validate(d, wasm.DefaultLimits())
			compiled, theirs := rt.CompileModule(ctx, bin)
			if theirs == nil {
				compiled.Close(ctx)
			}
			if ours != nil {
				invalid++
			}
			if retyped && ours != nil && theirs == nil {
				f3++
				continue
			}
			if (ours == nil) != (theirs == nil) {
				disagree++
				if dir := os.Getenv("FUZZ_DUMP"); dir != "" {
					os.WriteFile(fmt.Sprintf("%s/vd-%d-%d.wasm", dir, seed, k), bin, 0o644)
				}
				if disagree <= 10 {
					t.Errorf("seed %d corruption %d: wasm.Validate: %v; wazero: %v", seed, k, ours, theirs)
				}
			}
		}
	}
	t.Logf("%d corrupted modules, %d invalid by our validator, %d disagreements with wazero, %d more of finding F3 (%s)",
		tried, invalid, disagree, f3, findingTypedSelect)
}
