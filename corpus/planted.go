package corpus

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// PlantedOp is an engine with a planted bug in one rare case of one
// operator, for measuring how fast a campaign finds a bug and how small
// its finding gets. It is the reference machine running the module with
// every instance of the operator rewritten into code that computes the
// right result except in the rare case:
//
//	i64.rem_s  a negative dividend: the remainder is off by one (r + 1)
//	i32.rotl   a count of 32 or more (before the modulo): the low bit flips
//	i8x16.add_sat_s  a lane that saturates at +127 (or adds up to it) is 126
//
// Unlike diff.Planted, which corrupts one transaction of a block whatever
// it does, PlantedOp's bug shows only on inputs that reach the case, as a
// real engine bug does. Gas is unchanged: the rewrite happens after
// metering and adds no charges.
type PlantedOp struct {
	Op wasm.Opcode

	mu    sync.Mutex
	cache map[[32]byte]*diff.Prepared // instrumented module hash -> rewritten (lookups only)
}

// PlantedOps lists the operators PlantedOp can corrupt.
var PlantedOps = []string{"i64.rem_s", "i32.rotl", "i8x16.add_sat_s"}

// NewPlantedOp returns the planted engine for an operator of PlantedOps
// ("" means i64.rem_s).
func NewPlantedOp(op string) (*PlantedOp, error) {
	switch op {
	case "", "i64.rem_s":
		return &PlantedOp{Op: wasm.OpI64RemS, cache: map[[32]byte]*diff.Prepared{}}, nil
	case "i32.rotl":
		return &PlantedOp{Op: wasm.OpI32Rotl, cache: map[[32]byte]*diff.Prepared{}}, nil
	case "i8x16.add_sat_s":
		return &PlantedOp{Op: wasm.SIMDOpcode(0x6f), cache: map[[32]byte]*diff.Prepared{}}, nil
	}
	return nil, fmt.Errorf("planted operator %q: known: %s", op, strings.Join(PlantedOps, ", "))
}

// Name returns "planted-op:OP".
func (p *PlantedOp) Name() string { return "planted-op:" + p.Op.String() }

// Run runs the reference machine on the rewritten module.
func (p *PlantedOp) Run(ctx context.Context, req *diff.Request) (diff.Outcome, error) {
	prog, err := p.rewritten(req.Prog)
	if err != nil {
		return diff.Outcome{}, err
	}
	r := *req
	r.Prog = prog
	return diff.Reference{}.Run(ctx, &r)
}

func (p *PlantedOp) rewritten(orig *diff.Prepared) (*diff.Prepared, error) {
	p.mu.Lock()
	prog := p.cache[orig.Hash]
	p.mu.Unlock()
	if prog != nil {
		return prog, nil
	}
	m, err := plantOp(orig.Module, p.Op)
	if err != nil {
		return nil, err
	}
	prog, err = diff.LoadPrepared(wasm.Encode(m))
	if err != nil {
		return nil, fmt.Errorf("BUG: planted: rewritten module: %w", err)
	}
	p.mu.Lock()
	if len(p.cache) > 256 {
		p.cache = map[[32]byte]*diff.Prepared{}
	}
	p.cache[orig.Hash] = prog
	p.mu.Unlock()
	return prog, nil
}

// plantOp rewrites every op in m. Each function gets two scratch locals
// of the operand type, appended after its locals, and op becomes:
//
//	i64.rem_s: local.set $b; local.tee $a; local.get $b; i64.rem_s;
//	           local.get $a; i64.const 0; i64.lt_s; i64.extend_i32_u; i64.add
//	i32.rotl:  local.set $c; local.tee $x; local.get $c; i32.rotl;
//	           local.get $c; i32.const 32; i32.ge_u; i32.xor
//	i8x16.add_sat_s: i8x16.add_sat_s; local.tee $a; local.get $a;
//	           v128.const i8x16 127 (x16); i8x16.eq; v128.const i8x16 1 (x16);
//	           v128.and; v128.xor
func plantOp(m *wasm.Module, op wasm.Opcode) (*wasm.Module, error) {
	t := wasm.I64
	switch op {
	case wasm.OpI32Rotl:
		t = wasm.I32
	case wasm.SIMDOpcode(0x6f):
		t = wasm.V128
	}
	c := *m
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	nimp := m.NumImports(wasm.ExternFunc)
	for i := range c.Codes {
		ins, ok := decodeBody(c.Codes[i].Body)
		if !ok {
			return nil, fmt.Errorf("planted: func[%d]: body does not decode", nimp+i)
		}
		ft, ok := m.FuncType(uint32(nimp + i))
		if !ok {
			return nil, fmt.Errorf("planted: func[%d]: no type", nimp+i)
		}
		a := uint32(uint64(len(ft.Params)) + c.Codes[i].NumLocals)
		b := a + 1
		var out []wasm.Instr
		hit := false
		for _, in := range ins {
			if in.Op == wasm.OpSIMD && wasm.SIMDOpcode(in.SIMD) == op {
				hit = true
				var k127, k1 [16]byte
				for j := range k127 {
					k127[j], k1[j] = 127, 1
				}
				simd := func(sub uint32, imm [16]byte) wasm.Instr { return wasm.Instr{Op: wasm.OpSIMD, SIMD: sub, V128: imm} }
				out = append(out, in, wasm.Instr{Op: wasm.OpLocalTee, Index: a}, wasm.Instr{Op: wasm.OpLocalGet, Index: a},
					simd(0x0c, k127), simd(0x23, [16]byte{}), simd(0x0c, k1), simd(0x4e, [16]byte{}), simd(0x51, [16]byte{}))
				continue
			}
			if in.Op != op {
				out = append(out, in)
				continue
			}
			hit = true
			get := func(x uint32) wasm.Instr { return wasm.Instr{Op: wasm.OpLocalGet, Index: x} }
			out = append(out, wasm.Instr{Op: wasm.OpLocalSet, Index: b}, wasm.Instr{Op: wasm.OpLocalTee, Index: a}, get(b), in, get(a))
			if op == wasm.OpI64RemS {
				out = append(out, wasm.Instr{Op: wasm.OpI64Const}, wasm.Instr{Op: wasm.OpI64LtS}, wasm.Instr{Op: wasm.OpI64ExtendI32U}, wasm.Instr{Op: wasm.OpI64Add})
			} else {
				out = append(out[:len(out)-1], get(b), wasm.Instr{Op: wasm.OpI32Const, Const: 32}, wasm.Instr{Op: wasm.OpI32GeU}, wasm.Instr{Op: wasm.OpI32Xor})
			}
		}
		if !hit {
			continue
		}
		c.Codes[i].Locals = append(append([]wasm.LocalDecl(nil), c.Codes[i].Locals...), wasm.LocalDecl{Count: 2, Type: t})
		c.Codes[i].NumLocals += 2
		c.Codes[i].Body = wasm.EncodeBody(out)
	}
	return &c, nil
}
