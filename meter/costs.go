package meter

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// MaxCost bounds every field of a CostTable and Options.GrowCostPerPage, so
// that a dynamic charge (at most 2^32-1 units times a cost) and the static
// cost of a whole function body (at most 8 MiB of opcodes times a cost)
// stay far below 2^63.
const MaxCost = 1 << 24

// CostTable is the gas price of each instruction class. One unit is about the
// work of one simple integer instruction. The classes and their defaults are
// listed in docs/metering.md; Class says which class an opcode is in.
//
// block, loop, else and end cost nothing and are not configurable: they
// execute no work on a compiling engine, and giving them a price would make
// the charge depend on how an engine implements a branch to them.
type CostTable struct {
	Base         uint64 // nop, drop, select, locals, globals, constants, integer add/sub/logic/shift/compare, conversions between integers, reinterpret, ref.*, memory.size, table.size
	IntMul       uint64 // i32.mul, i64.mul
	IntDiv       uint64 // integer div and rem
	Float        uint64 // float arithmetic other than div and sqrt, float compares, float<->int conversions, promote, demote
	FloatDiv     uint64 // f32/f64 div and sqrt
	Load         uint64 // every load
	Store        uint64 // every store
	Branch       uint64 // br, br_if, br_table, if, return, unreachable
	Call         uint64 // call
	CallIndirect uint64 // call_indirect
	Table        uint64 // table.get, table.set
	Grow         uint64 // memory.grow and table.grow, plus a per-unit charge (Options.GrowCostPerPage, TableGrowPerElem)
	Bulk         uint64 // memory.copy/fill/init, table.copy/fill/init, data.drop, elem.drop: the fixed part
	// BulkPerWord is charged per started 32-byte word of the length operand
	// of memory.copy, memory.fill and memory.init.
	BulkPerWord uint64
	// TablePerElem is charged per element of the length operand of
	// table.copy, table.fill, table.init and the delta of table.grow.
	TablePerElem uint64
	// Vector instructions (loads and stores are Load and Store):
	SIMD    uint64 // v128 bitwise ops, integer lane add/sub/min/max/avgr/abs/neg/compare/shift/saturation, lanes, splats, constants, shuffles, narrowing, extension, tests
	SIMDMul uint64 // integer lane mul, extmul, dot, q15mulr; float lane arithmetic other than div and sqrt, float compares and rounding, conversions
	SIMDDiv uint64 // f32x4/f64x2 div and sqrt
}

// DefaultCosts returns the cost table used for blocks. The ratios follow
// the relative latency of the operations on current x86-64 and arm64 cores
// (a 64-bit division is 20-40 cycles, a multiply 3), rounded.
func DefaultCosts() CostTable {
	return CostTable{
		Base:         1,
		IntMul:       3,
		IntDiv:       20,
		Float:        3,
		FloatDiv:     20,
		Load:         3,
		Store:        3,
		Branch:       2,
		Call:         10,
		CallIndirect: 15,
		Table:        3,
		Grow:         100,
		Bulk:         10,
		BulkPerWord:  2,
		TablePerElem: 2,
		// a vector op does the work of its 2 to 16 lanes in one
		// instruction on x86-64 (SSE4.1) and arm64 (NEON): about a scalar
		// op's latency, twice or more for the multiplies and float ops
		SIMD:    2,
		SIMDMul: 4,
		SIMDDiv: 40,
	}
}

// check returns an error if a field of c exceeds MaxCost.
func (c CostTable) check() error {
	fields := []struct {
		name string
		v    uint64
	}{
		{"Base", c.Base}, {"IntMul", c.IntMul}, {"IntDiv", c.IntDiv}, {"Float", c.Float},
		{"FloatDiv", c.FloatDiv}, {"Load", c.Load}, {"Store", c.Store}, {"Branch", c.Branch},
		{"Call", c.Call}, {"CallIndirect", c.CallIndirect}, {"Table", c.Table}, {"Grow", c.Grow},
		{"Bulk", c.Bulk}, {"BulkPerWord", c.BulkPerWord}, {"TablePerElem", c.TablePerElem},
		{"SIMD", c.SIMD}, {"SIMDMul", c.SIMDMul}, {"SIMDDiv", c.SIMDDiv},
	}
	for _, f := range fields {
		if f.v > MaxCost {
			return fmt.Errorf("cost table: %s = %d exceeds %d", f.name, f.v, MaxCost)
		}
	}
	return nil
}

// Class names the cost class of an opcode: the CostTable field that prices
// it ("Base", "IntDiv", ...), or "Free" for block, loop, else and end.
func Class(op wasm.Opcode) string {
	if op>>8 == 0xFD {
		return simdClass(uint32(op & 0xFF))
	}
	switch {
	case op == wasm.OpBlock || op == wasm.OpLoop || op == wasm.OpElse || op == wasm.OpEnd:
		return "Free"
	case op == wasm.OpBr || op == wasm.OpBrIf || op == wasm.OpBrTable || op == wasm.OpIf ||
		op == wasm.OpReturn || op == wasm.OpUnreachable:
		return "Branch"
	case op == wasm.OpCall:
		return "Call"
	case op == wasm.OpCallIndirect:
		return "CallIndirect"
	case op == wasm.OpTableGet || op == wasm.OpTableSet:
		return "Table"
	case op >= wasm.OpI32Load && op <= wasm.OpI64Load32U:
		return "Load"
	case op >= wasm.OpI32Store && op <= wasm.OpI64Store32:
		return "Store"
	case op == wasm.OpMemoryGrow || op == wasm.OpTableGrow:
		return "Grow"
	case op >= wasm.OpMemoryInit && op <= wasm.OpTableCopy || op == wasm.OpTableFill:
		return "Bulk"
	case op == wasm.OpI32Mul || op == wasm.OpI64Mul:
		return "IntMul"
	case op >= wasm.OpI32DivS && op <= wasm.OpI32RemU, op >= wasm.OpI64DivS && op <= wasm.OpI64RemU:
		return "IntDiv"
	case op == wasm.OpF32Div || op == wasm.OpF64Div || op == wasm.OpF32Sqrt || op == wasm.OpF64Sqrt:
		return "FloatDiv"
	case op >= wasm.OpF32Eq && op <= wasm.OpF64Ge,
		op >= wasm.OpF32Abs && op <= wasm.OpF64Copysign,
		op >= wasm.OpI32TruncF32S && op <= wasm.OpI32TruncF64U,
		op >= wasm.OpI64TruncF32S && op <= wasm.OpF64PromoteF32 && op != wasm.OpI64ExtendI32S && op != wasm.OpI64ExtendI32U,
		op >= wasm.OpI32TruncSatF32S && op <= wasm.OpI64TruncSatF64U:
		return "Float"
	}
	return "Base"
}

// simdClass is the cost class of vector instruction sub (wasm.SIMDOpcode).
func simdClass(sub uint32) string {
	info, ok := wasm.SIMDInfo(sub)
	if !ok {
		return "Base"
	}
	switch info.Class {
	case wasm.SIMDLoad, wasm.SIMDLoadLane:
		return "Load"
	case wasm.SIMDStore, wasm.SIMDStoreLane:
		return "Store"
	}
	switch {
	case sub == 0xe7 || sub == 0xe3 || sub == 0xf3 || sub == 0xef: // div, sqrt
		return "SIMDDiv"
	case sub == 0x95 || sub == 0xb5 || sub == 0xd5 || sub == 0x82 || sub == 0xba, // mul, q15mulr, dot
		sub >= 0x9c && sub <= 0x9f, sub >= 0xbc && sub <= 0xbf, sub >= 0xdc && sub <= 0xdf, // extmul
		sub >= 0x41 && sub <= 0x4c,                                                           // float compares
		sub == 0x5e || sub == 0x5f,                                                           // demote, promote
		sub >= 0x67 && sub <= 0x6a, sub == 0x74 || sub == 0x75 || sub == 0x7a || sub == 0x94, // rounding
		sub >= 0xe4 && sub <= 0xeb, sub >= 0xf0 && sub <= 0xf7, // float arithmetic
		sub >= 0xf8: // conversions
		return "SIMDMul"
	}
	return "SIMD"
}

// priced is a CostTable resolved to one price per opcode.
type priced struct {
	single [256]uint64  // one-byte opcodes
	fc     [0x12]uint64 // 0xFC-prefixed opcodes by sub-opcode
	fd     [256]uint64  // 0xFD-prefixed (vector) opcodes by sub-opcode
	c      CostTable
}

func newPriced(c CostTable) *priced {
	p := &priced{c: c}
	for i := range p.single {
		p.single[i] = c.byClass(Class(wasm.Opcode(i)))
	}
	for i := range p.fc {
		p.fc[i] = c.byClass(Class(wasm.Opcode(0xFC00 | i)))
	}
	for i := range p.fd {
		p.fd[i] = c.byClass(Class(wasm.SIMDOpcode(uint32(i))))
	}
	return p
}

// cost returns the static price of op.
func (p *priced) cost(op wasm.Opcode) uint64 {
	if op < 0x100 {
		return p.single[op]
	}
	if op >= 0xFC00 && op < 0xFC00+wasm.Opcode(len(p.fc)) {
		return p.fc[op-0xFC00]
	}
	if op>>8 == 0xFD {
		return p.fd[op&0xFF]
	}
	return p.c.Base
}

func (c CostTable) byClass(class string) uint64 {
	switch class {
	case "Free":
		return 0
	case "IntMul":
		return c.IntMul
	case "IntDiv":
		return c.IntDiv
	case "Float":
		return c.Float
	case "FloatDiv":
		return c.FloatDiv
	case "Load":
		return c.Load
	case "Store":
		return c.Store
	case "Branch":
		return c.Branch
	case "Call":
		return c.Call
	case "CallIndirect":
		return c.CallIndirect
	case "Table":
		return c.Table
	case "Grow":
		return c.Grow
	case "Bulk":
		return c.Bulk
	case "SIMD":
		return c.SIMD
	case "SIMDMul":
		return c.SIMDMul
	case "SIMDDiv":
		return c.SIMDDiv
	}
	return c.Base
}
