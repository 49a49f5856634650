package fuzz

import "github.com/refereevm/referee/wasm"

// Mutation kinds, in the order Mutate picks among them.
const (
	MutateConst  = iota // a constant gets an edge-biased value of its type
	MutateSwap          // an operator becomes another of the same type signature
	MutateInsert        // an operator is inserted (a unary T->T, or "const; binary op")
	MutateDelete        // an instruction is deleted, or replaced by drops and a constant (a numeric operator always is)
	numMutations
)

// mutateAttempts bounds the candidates Mutate tries before falling back.
const mutateAttempts = 16

// Mutate returns a valid variant of m that differs from it in one place,
// chosen by s: a changed constant, an operator swapped for another of the
// same type signature (and the same guard, so that DisallowTraps and
// CanonicalizeNaNs guards stay right), an inserted operator, or a deleted
// or replaced instruction. Each candidate is checked with wasm.Validate;
// after mutateAttempts invalid ones Mutate falls back to changing a
// constant, and returns a copy of m if it has none. m is not modified.
// Mutations may remove a fuel check, so runs of mutated modules need
// another bound (the metering's gas).
func Mutate(m *wasm.Module, s *Source) *wasm.Module {
	if len(m.Codes) == 0 {
		c := *m
		return &c
	}
	for a := 0; a < mutateAttempts; a++ {
		if c := mutateOnce(m, s, s.Intn(numMutations)); c != nil && wasm.Validate(c, wasm.DefaultLimits()) == nil {
			return c
		}
	}
	for a := 0; a < mutateAttempts; a++ {
		if c := mutateOnce(m, s, MutateConst); c != nil && wasm.Validate(c, wasm.DefaultLimits()) == nil {
			return c
		}
	}
	c := *m
	return &c
}

// MutateKind applies one mutation of the given kind, or returns nil if
// the chosen site does not allow it. The result is not validated.
func MutateKind(m *wasm.Module, s *Source, kind int) *wasm.Module {
	if len(m.Codes) == 0 {
		return nil
	}
	return mutateOnce(m, s, kind)
}

func mutateOnce(m *wasm.Module, s *Source, kind int) *wasm.Module {
	fn := s.Intn(len(m.Codes))
	ins, err := wasm.DecodeBody(m.Codes[fn].Body)
	if err != nil || len(ins) < 2 {
		return nil
	}
	var out []wasm.Instr
	switch kind {
	case MutateConst:
		i, ok := pick(s, len(ins), func(i int) bool { return isConstOp(ins[i].Op) })
		if !ok {
			return nil
		}
		out = append([]wasm.Instr(nil), ins...)
		out[i].Const = constValue(s, ins[i].Op, ins[i].Const)
	case MutateSwap:
		i, ok := pick(s, len(ins), func(i int) bool { return len(swapClass(ins[i].Op)) > 1 })
		if !ok {
			return nil
		}
		class := swapClass(ins[i].Op)
		op := class[s.Intn(len(class))]
		if op == ins[i].Op {
			op = class[(indexOf(class, op)+1)%len(class)]
		}
		out = append([]wasm.Instr(nil), ins...)
		out[i] = wasm.Instr{Op: op}
	case MutateInsert:
		at := s.Intn(len(ins)) // before ins[at]; never after the final end
		out = append(append(append([]wasm.Instr(nil), ins[:at]...), insertion(s)...), ins[at:]...)
	case MutateDelete:
		at := s.Intn(len(ins) - 1)
		if ins[at].Op == wasm.OpEnd || ins[at].Op == wasm.OpElse {
			return nil
		}
		var repl []wasm.Instr
		if o, n, ok := numericSig(ins[at].Op); ok {
			// A numeric operator's stack effect is known: its operands are
			// dropped and a zero of its result type takes its place.
			for k := 0; k < n; k++ {
				repl = append(repl, wasm.Instr{Op: wasm.OpDrop})
			}
			repl = append(repl, wasm.ZeroConst(o.out))
		} else if s.Bool() {
			for k := s.Intn(3); k >= 0; k-- {
				repl = append(repl, wasm.Instr{Op: wasm.OpDrop})
			}
			if s.Bool() {
				repl = append(repl, wasm.ZeroConst(numTypes[s.Intn(len(numTypes))]))
			}
		}
		out = append(append(append([]wasm.Instr(nil), ins[:at]...), repl...), ins[at+1:]...)
	default:
		return nil
	}
	c := *m
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	c.Codes[fn].Body = wasm.EncodeBody(out)
	return &c
}

var numTypes = []wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64}

// numericSig returns the signature of a numeric operator and its number of
// operands.
func numericSig(op wasm.Opcode) (opSig, int, bool) {
	for _, o := range unaryOps {
		if o.op == op {
			return o, 1, true
		}
	}
	for _, o := range binaryOps {
		if o.op == op {
			return o, 2, true
		}
	}
	return opSig{}, 0, false
}

// insertion is an operator sequence that maps a T on the stack to a T:
// a unary operator, or a constant and a binary operator, of a type chosen
// by s. Only operators without guards are inserted (no traps, no NaNs
// with engine-chosen bits).
func insertion(s *Source) []wasm.Instr {
	t := numTypes[s.Intn(len(numTypes))]
	if s.Bool() {
		var un []wasm.Opcode
		for _, o := range unaryOps {
			if o.in == t && o.out == t && o.guard == guardNone && o.feat == featBase {
				un = append(un, o.op)
			}
		}
		if len(un) > 0 {
			return []wasm.Instr{{Op: un[s.Intn(len(un))]}}
		}
	}
	var bin []wasm.Opcode
	for _, o := range binaryOps {
		if o.in == t && o.out == t && o.guard == guardNone && o.feat == featBase {
			bin = append(bin, o.op)
		}
	}
	k := wasm.ZeroConst(t)
	k.Const = constValue(s, k.Op, 0)
	return []wasm.Instr{k, {Op: bin[s.Intn(len(bin))]}}
}

// swapClass returns the operators op may be swapped with: the unary or
// binary operators with its operand and result types, guard and feature
// (truncations, whose guards depend on the operator, are never swapped);
// nil if op is not a numeric operator.
func swapClass(op wasm.Opcode) []wasm.Opcode {
	for _, table := range [][]opSig{unaryOps, binaryOps} {
		for _, o := range table {
			if o.op != op {
				continue
			}
			if o.guard == guardTrunc {
				return nil
			}
			var class []wasm.Opcode
			for _, p := range table {
				if p.in == o.in && p.out == o.out && p.guard == o.guard && p.feat == o.feat {
					class = append(class, p.op)
				}
			}
			return class
		}
	}
	return nil
}

func indexOf(ops []wasm.Opcode, op wasm.Opcode) int {
	for i, o := range ops {
		if o == op {
			return i
		}
	}
	return -1
}

func isConstOp(op wasm.Opcode) bool {
	switch op {
	case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const:
		return true
	}
	return false
}

// constValue is a new value for a constant of op: an edge-biased value of
// its type, or a neighbour of the old value.
func constValue(s *Source, op wasm.Opcode, old uint64) uint64 {
	near := s.Intn(4) == 0
	switch op {
	case wasm.OpI32Const:
		v := i32Value(s)
		if near {
			v = uint32(old) + uint32(s.Intn(3)) - 1
		}
		return uint64(int64(int32(v))) // i32 constants are stored sign-extended
	case wasm.OpI64Const:
		if near {
			return old + uint64(s.Intn(3)) - 1
		}
		return i64Value(s)
	case wasm.OpF32Const:
		return uint64(f32Value(s))
	case wasm.OpF64Const:
		return f64Value(s)
	}
	return old
}
