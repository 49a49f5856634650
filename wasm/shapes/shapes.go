// Package shapes generates stand-ins for real-world modules: modules of
// the same shape (nesting depth, function count, body size, data size) as
// programs compiled by Go, Emscripten and Rust that referee was run on,
// without committing tens of megabytes of third-party binaries. Each shape
// exports `run: [i32] -> [i32]` and carries a Go model of what run
// computes, so a test can check an engine's answer without trusting any
// engine.
//
// It is a helper for tests and benchmarks: it builds modules, it never
// runs them, and it imports only wasm.
package shapes

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Shape is one generated module and the model of its run export.
type Shape struct {
	Name string
	// What the shape stands for and where its figures come from.
	About string
	// Depth is the deepest block nesting of any function (the validator's
	// count, not counting the function body itself).
	Depth int
	Funcs int // defined functions
	// Module is the generated module; Encode it for the binary.
	Module *wasm.Module
	// Want is the model: what run(arg) returns.
	Want func(arg uint32) uint32
}

// Binary returns the shape's module in the binary format.
func (s *Shape) Binary() []byte { return wasm.Encode(s.Module) }

// The shapes of the deep real-world modules of issue 17: a Go program
// nests 3,289 blocks deep (a resume-point dispatcher), tree-sitter's
// swift, tsx and objc lexers 1,110-1,917 (one block per lexer state).
// The rest are the other real shapes: many functions, big data, a big
// function body.
func All() []*Shape {
	return []*Shape{
		GoProgram(),
		Lexer("tree-sitter-swift-lexer", 1917),
		Lexer("tree-sitter-tsx-lexer", 1474),
		Lexer("tree-sitter-objc-lexer", 1110),
		RustProgram(),
		LargeFunction(),
	}
}

// GoProgram stands for a 14 MB Go program compiled with GOOS=js or wasip1:
// Go's Wasm back end turns every function into a loop around a br_table
// over its resume points, one nested block per point, so a big function
// nests thousands of blocks (3,289 in the program measured); such a
// program has tens of thousands of small functions and megabytes of data.
func GoProgram() *Shape {
	const depth = 3289
	const funcs = 10_000
	const dataSize = 6 << 20
	return manyFuncs("go-program", "Go wasip1 program: resume-point dispatcher nesting 3,289, 10,000 functions, 6 MiB data",
		depth, funcs, dataSize)
}

// RustProgram stands for an 18 MB Rust program: shallow nesting, tens of
// thousands of functions, a large data segment.
func RustProgram() *Shape {
	return manyFuncs("rust-program", "Rust program: 30,000 functions, 8 MiB data, shallow nesting",
		64, 30_000, 8<<20)
}

// manyFuncs is a dispatcher of depth blocks in run, funcs-1 small
// functions that run calls through a chain, and one active data segment
// of dataSize pseudo-random bytes that run reads.
func manyFuncs(name, about string, depth, funcs, dataSize int) *Shape {
	data := pseudoRandom(dataSize, uint32(funcs))
	pages := uint32((dataSize + 0xffff) >> 16)
	m := &wasm.Module{
		Types: []wasm.FuncType{
			{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I32}},
		},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: pages}}},
		Exports:  []wasm.Export{{Name: "run", Kind: wasm.ExternFunc, Index: 0}},
		Datas: []wasm.Data{{Mode: wasm.SegmentActive, Offset: wasm.ConstExpr{Op: byte(wasm.OpI32Const)},
			Init: data}},
	}
	// run(x): acc = dispatch(x); acc += f1(x); acc += load32(x*4093 mod (size-4)).
	var b body
	b.dispatcher(depth, 1)
	b.op(wasm.OpLocalGet, 1)
	b.op(wasm.OpLocalGet, 0)
	b.op(wasm.OpCall, 1)
	b.add()
	b.op(wasm.OpLocalGet, 1)
	b.op(wasm.OpLocalGet, 0)
	b.i32(4093)
	b.plain(wasm.OpI32Mul)
	b.i32(uint32(dataSize - 4))
	b.plain(wasm.OpI32RemU)
	b.ins = append(b.ins, wasm.Instr{Op: wasm.OpI32Load, Align: 0})
	b.add()
	b.op(wasm.OpLocalGet, 1)
	b.plain(wasm.OpEnd)
	m.Funcs = append(m.Funcs, 0)
	m.Codes = append(m.Codes, wasm.Code{Locals: []wasm.LocalDecl{{Count: 1, Type: wasm.I32}}, NumLocals: 1, Body: wasm.EncodeBody(b.ins)})
	// f_i(x) = x*i + 1 + f_{i+1}(x) for every 97th i (a call chain of about
	// funcs/97 calls), x*i + 1 otherwise.
	for i := 1; i < funcs; i++ {
		var f body
		f.op(wasm.OpLocalGet, 0)
		f.i32(uint32(i))
		f.plain(wasm.OpI32Mul)
		f.i32(1)
		f.plain(wasm.OpI32Add)
		if next := i + 97; i%97 == 1 && next < funcs {
			f.op(wasm.OpLocalGet, 0)
			f.op(wasm.OpCall, uint32(next))
			f.plain(wasm.OpI32Add)
		}
		f.plain(wasm.OpEnd)
		m.Funcs = append(m.Funcs, 0)
		m.Codes = append(m.Codes, wasm.Code{Body: wasm.EncodeBody(f.ins)})
	}
	want := func(x uint32) uint32 {
		acc := dispatchModel(depth, x)
		for i := 1; i < funcs; {
			acc += x*uint32(i) + 1
			if next := i + 97; i%97 == 1 && next < funcs {
				i = next
				continue
			}
			break
		}
		off := int(x * 4093 % uint32(dataSize-4))
		acc += uint32(data[off]) | uint32(data[off+1])<<8 | uint32(data[off+2])<<16 | uint32(data[off+3])<<24
		return acc
	}
	return &Shape{Name: name, About: about, Depth: depth, Funcs: funcs, Module: m, Want: want}
}

// Lexer stands for a tree-sitter lexer compiled by Emscripten: a state
// machine `for (;;) switch (state) { case i: ... }` whose switch becomes
// one nested block per state around a br_table, inside the loop; each
// case moves to another state until the input is consumed.
func Lexer(name string, states int) *Shape {
	const steps = 64
	m := &wasm.Module{
		Types:   []wasm.FuncType{{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I32}}},
		Funcs:   []uint32{0},
		Exports: []wasm.Export{{Name: "run", Kind: wasm.ExternFunc, Index: 0}},
	}
	// locals: 0 input, 1 state, 2 steps, 3 acc.
	const input, state, count, acc = 0, 1, 2, 3
	var b body
	b.ins = append(b.ins, wasm.Instr{Op: wasm.OpLoop, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
	b.blocks(states)
	b.op(wasm.OpLocalGet, state)
	b.brTable(states)
	for i := 0; i < states; i++ {
		b.plain(wasm.OpEnd) // the block whose label is i: case i follows
		// acc = acc*31 + i
		b.op(wasm.OpLocalGet, acc)
		b.i32(31)
		b.plain(wasm.OpI32Mul)
		b.i32(uint32(i))
		b.plain(wasm.OpI32Add)
		b.op(wasm.OpLocalSet, acc)
		// state = (state*5 + i + input) mod states
		b.op(wasm.OpLocalGet, state)
		b.i32(5)
		b.plain(wasm.OpI32Mul)
		b.i32(uint32(i))
		b.plain(wasm.OpI32Add)
		b.op(wasm.OpLocalGet, input)
		b.plain(wasm.OpI32Add)
		b.i32(uint32(states))
		b.plain(wasm.OpI32RemU)
		b.op(wasm.OpLocalSet, state)
		// if ++steps < 64, back to the loop (label states-1-i: the blocks
		// still open around case i, then the loop)
		b.op(wasm.OpLocalGet, count)
		b.i32(1)
		b.plain(wasm.OpI32Add)
		b.ins = append(b.ins, wasm.Instr{Op: wasm.OpLocalTee, Index: count})
		b.i32(steps)
		b.plain(wasm.OpI32LtU)
		b.op(wasm.OpBrIf, uint32(states-1-i))
		b.op(wasm.OpLocalGet, acc)
		b.plain(wasm.OpReturn)
	}
	b.plain(wasm.OpEnd) // loop
	b.plain(wasm.OpUnreachable)
	b.plain(wasm.OpEnd)
	m.Codes = []wasm.Code{{Locals: []wasm.LocalDecl{{Count: 3, Type: wasm.I32}}, NumLocals: 3, Body: wasm.EncodeBody(b.ins)}}
	want := func(x uint32) uint32 {
		var st, n, a uint32
		for {
			i := st
			a = a*31 + i
			st = (st*5 + i + x) % uint32(states)
			if n++; n >= steps {
				return a
			}
		}
	}
	return &Shape{Name: name, About: fmt.Sprintf("tree-sitter lexer: %d states, one nested block each", states),
		Depth: states + 1, Funcs: 1, Module: m, Want: want}
}

// LargeFunction stands for the biggest functions of SQLite and
// tree-sitter parsers (hundreds of KiB of straight-line code): one body of
// about 2 MiB.
func LargeFunction() *Shape {
	const reps = 200_000
	var b body
	for i := 0; i < reps; i++ {
		// acc = acc ^ (acc*33 + i): 3 locals ops and 4 arithmetic, ~12 bytes
		b.op(wasm.OpLocalGet, 1)
		b.op(wasm.OpLocalGet, 1)
		b.i32(33)
		b.plain(wasm.OpI32Mul)
		b.i32(uint32(i))
		b.plain(wasm.OpI32Add)
		b.plain(wasm.OpI32Xor)
		b.op(wasm.OpLocalSet, 1)
	}
	b.op(wasm.OpLocalGet, 1)
	b.op(wasm.OpLocalGet, 0)
	b.plain(wasm.OpI32Add)
	b.plain(wasm.OpEnd)
	m := &wasm.Module{
		Types:   []wasm.FuncType{{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I32}}},
		Funcs:   []uint32{0},
		Exports: []wasm.Export{{Name: "run", Kind: wasm.ExternFunc, Index: 0}},
		Codes:   []wasm.Code{{Locals: []wasm.LocalDecl{{Count: 1, Type: wasm.I32}}, NumLocals: 1, Body: wasm.EncodeBody(b.ins)}},
	}
	want := func(x uint32) uint32 {
		var a uint32
		for i := uint32(0); i < reps; i++ {
			a ^= a*33 + i
		}
		return a + x
	}
	return &Shape{Name: "large-function", About: "SQLite/tree-sitter parser: one straight-line function of about 2 MiB",
		Funcs: 1, Module: m, Want: want}
}

// dispatchModel is what body.dispatcher leaves in its accumulator for
// argument x: the cases from x mod depth to the last, each acc*31 + i+1.
func dispatchModel(depth int, x uint32) uint32 {
	var acc uint32
	for i := x % uint32(depth); i < uint32(depth); i++ {
		acc = acc*31 + i + 1
	}
	return acc
}

// body builds an instruction sequence.
type body struct{ ins []wasm.Instr }

func (b *body) plain(op wasm.Opcode)          { b.ins = append(b.ins, wasm.Instr{Op: op}) }
func (b *body) op(op wasm.Opcode, idx uint32) { b.ins = append(b.ins, wasm.Instr{Op: op, Index: idx}) }
func (b *body) i32(v uint32) {
	b.ins = append(b.ins, wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(int32(v)))})
}
func (b *body) add() { b.plain(wasm.OpI32Add); b.op(wasm.OpLocalSet, 1) }
func (b *body) blocks(n int) {
	for i := 0; i < n; i++ {
		b.ins = append(b.ins, wasm.Instr{Op: wasm.OpBlock, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
	}
}

// brTable branches to label (operand) for operands below n, to n-1 above.
func (b *body) brTable(n int) {
	labels := make([]uint32, n)
	for i := range labels {
		labels[i] = uint32(i)
	}
	b.ins = append(b.ins, wasm.Instr{Op: wasm.OpBrTable, Labels: labels, Index: uint32(n - 1)})
}

// dispatcher is Go's resume-point dispatch: depth nested blocks around a
// br_table on (local 0 mod depth); case i (after the end of the block
// whose label is i) sets local acc = acc*31 + i+1 and falls through to
// the next case.
func (b *body) dispatcher(depth int, acc uint32) {
	b.blocks(depth)
	b.op(wasm.OpLocalGet, 0)
	b.i32(uint32(depth))
	b.plain(wasm.OpI32RemU)
	b.brTable(depth)
	for i := 0; i < depth; i++ {
		b.plain(wasm.OpEnd)
		b.op(wasm.OpLocalGet, acc)
		b.i32(31)
		b.plain(wasm.OpI32Mul)
		b.i32(uint32(i + 1))
		b.plain(wasm.OpI32Add)
		b.op(wasm.OpLocalSet, acc)
	}
}

// pseudoRandom returns n deterministic bytes (xorshift32 from seed).
func pseudoRandom(n int, seed uint32) []byte {
	out := make([]byte, n)
	s := seed | 1
	for i := range out {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		out[i] = byte(s >> 24)
	}
	return out
}
