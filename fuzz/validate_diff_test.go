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

// corruptModule returns a copy of m with one module-level field changed so
// that it is often invalid, or nil if m has nothing of the chosen kind.
func corruptModule(m *wasm.Module, s *Source) *wasm.Module {
	c := *m
	switch s.Intn(9) {
	case 0: // a global initializer of another type
		if len(c.Globals) == 0 {
			return nil
		}
		c.Globals = append([]wasm.Global(nil), c.Globals...)
		i := s.Intn(len(c.Globals))
		ops := []wasm.Opcode{wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const}
		c.Globals[i].Init = wasm.ConstExpr{Op: byte(ops[s.Intn(len(ops))])}
	case 1: // limits with min > max, or beyond the memory maximum
		if len(c.Memories) == 0 {
			return nil
		}
		c.Memories = []wasm.MemoryType{c.Memories[0]}
		l := &c.Memories[0].Limits
		if s.Bool() {
			l.Min, l.HasMax = l.Max+1, true
		} else {
			l.Max, l.HasMax = 65537, true
		}
	case 2:
		if len(c.Tables) == 0 {
			return nil
		}
		c.Tables = append([]wasm.TableType(nil), c.Tables...)
		l := &c.Tables[0].Limits
		l.Min, l.HasMax = l.Max+1, true
	case 3: // an export index out of range, or a duplicate name
		if len(c.Exports) == 0 {
			return nil
		}
		c.Exports = append([]wasm.Export(nil), c.Exports...)
		i := s.Intn(len(c.Exports))
		if s.Bool() {
			c.Exports[i].Index += 100
		} else {
			c.Exports = append(c.Exports, c.Exports[i])
		}
	case 4: // a start function with parameters or results
		for f := range c.Funcs {
			ft := c.Types[c.Funcs[f]]
			if len(ft.Params)+len(ft.Results) > 0 {
				c.HasStart, c.Start = true, uint32(f)
				return &c
			}
		}
		return nil
	case 5: // an element initializer that names no function, or a wrong type
		if len(c.Elems) == 0 {
			return nil
		}
		c.Elems = append([]wasm.Elem(nil), c.Elems...)
		i := s.Intn(len(c.Elems))
		e := c.Elems[i]
		e.Init = append([]wasm.ConstExpr{refFunc(uint32(len(c.Funcs) + s.Intn(3)))}, e.Init...)
		if s.Bool() {
			e.Init[0] = refNull(wasm.ExternRef)
		}
		c.Elems[i] = e
	case 6: // data without a memory
		if len(c.Datas) == 0 {
			return nil
		}
		c.Memories = nil
		for _, e := range c.Exports {
			if e.Kind == wasm.ExternMemory {
				return nil
			}
		}
	case 7: // a data count that disagrees
		if !c.HasDataCount {
			return nil
		}
		c.DataCount++
	default: // a function of a type that does not exist
		c.Funcs = append([]uint32(nil), c.Funcs...)
		c.Funcs[s.Intn(len(c.Funcs))] = uint32(len(c.Types) + s.Intn(3))
	}
	return &c
}

// TestValidateDifferentialModule is TestValidateDifferential for
// module-level corruptions. A wazero panic on an invalid module is finding
// F4 (counted and logged); on a valid one it fails.
func TestValidateDifferentialModule(t *testing.T) {
	n := envN(300)
	if testing.Short() {
		n = 60
	}
	ctx := context.Background()
	eng := newWazero(ctx, "wazero-interp", wazero.NewRuntimeConfigInterpreter())
	defer eng.close(ctx)
	var tried, invalid, disagree, panics int
	for seed := uint64(0); seed < n; seed++ {
		m := GenerateSeed(seed, DefaultConfig())
		s := NewSeedSource(seed ^ 0xc0de)
		for k := 0; k < 8; k++ {
			c := corruptModule(m, s)
			if c == nil {
				continue
			}
			bin := wasm.Encode(c)
			d, err := wasm.Decode(bin)
			if err != nil {
				continue // malformed: e.g. a data count that disagrees
			}
			tried++
			ours := wasm.Validate(d, wasm.DefaultLimits())
			accepted, perr := wazeroCompile(ctx, eng, bin)
			if ours != nil {
				invalid++
			}
			if perr != nil {
				if ours == nil {
					t.Errorf("seed %d corruption %d: valid module, and %v", seed, k, perr)
				}
				panics++ // finding F4 (or a relative): logged below
				continue
			}
			if (ours == nil) != accepted {
				disagree++
				if disagree <= 10 {
					t.Errorf("seed %d corruption %d: wasm.Validate: %v; wazero accepts: %v", seed, k, ours, accepted)
				}
			}
		}
	}
	t.Logf("%d corrupted modules, %d invalid by our validator, %d disagreements with wazero, %d wazero panics on invalid modules (%s)",
		tried, invalid, disagree, panics, findingCompilePanic)
}
