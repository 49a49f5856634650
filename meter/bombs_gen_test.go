package meter

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// The bomb modules of testdata/bombs are written by this generator:
//
//	go test ./meter -run TestBombFiles -bombs.write
//
// TestBombFiles (without the flag) checks that the committed files are
// exactly what it generates, so the recipe below is the files' source.
var writeBombs = flag.Bool("bombs.write", false, "rewrite testdata/bombs/*.wasm from the generator")

const bombDir = "../testdata/bombs"

// bomb is one generated hostile module and what the gate must do with it.
type bomb struct {
	file string
	bin  func() []byte
	// want: "decode" (the decoder refuses it), "limit" (a resource or
	// shape limit refuses it: wasm.ErrLimit) or "accepted" (valid and
	// within every limit: it must compile and instantiate in bounded time).
	want string
	// run, if set, is an export to invoke on every engine after compiling:
	// the outcome must agree.
	run string
}

var bombs = []bomb{
	// Locals: 10 bytes of code declaring 2^32-1 locals (16 GiB of frame).
	{file: "locals_4g.wasm", bin: func() []byte { return localsBomb(0xffffffff, false) }, want: "limit"},
	// Two declarations whose counts overflow 2^32.
	{file: "locals_overflow.wasm", bin: localsOverflow, want: "decode"},
	// 50,000 i64 locals in a self-recursive function.
	{file: "locals_50k_recursive.wasm", bin: func() []byte { return localsBomb(50_000, true) }, want: "limit"},
	// The largest frame allowed (4,095 locals + 1 param) recursing: the
	// depth counter weighs each frame as 129 and traps at the same depth
	// everywhere, long before any native stack overflows.
	{file: "locals_4095_recursive.wasm", bin: func() []byte { return localsBomb(4095, true) }, want: "accepted", run: "run"},
	// A function type with 8,000 results (wasmtime refuses more than
	// 1,000; 32,000 made wazero's compiler use 1.5 GB), one with 129 params,
	// and 2,047 functions of 128 results each (the cap).
	{file: "results_8000.wasm", bin: func() []byte { return resultsBomb(1, 8000) }, want: "limit"},
	{file: "params_129.wasm", bin: func() []byte { return paramsBomb(129) }, want: "limit"},
	{file: "results_128x2047.wasm", bin: func() []byte { return resultsBomb(2047, 128) }, want: "accepted"},
	// Operand height: 8,193 values on the stack at once (MaxFrameSlots);
	// one function of 8,000 (accepted) and two (their slots times their
	// body bytes exceed MaxSlotBytes: Cranelift's compile time grows with
	// that product).
	{file: "height_8193.wasm", bin: func() []byte { return heightBomb(1, 8193) }, want: "limit"},
	{file: "height_8000.wasm", bin: func() []byte { return heightBomb(1, 8000) }, want: "accepted"},
	{file: "height_8000x2.wasm", bin: func() []byte { return heightBomb(2, 8000) }, want: "limit"},
	// 100,000 nested blocks.
	{file: "nesting_100k.wasm", bin: func() []byte { return nestedBlocks(100_000) }, want: "limit"},
	// 20 KB of nested loops, the shape of the V8 Liftoff/TurboFan bombs.
	{file: "loops_10k.wasm", bin: func() []byte { return nestedLoops(10_000, false) }, want: "limit"},
	// 255 nested loops, each with live locals and a conditional back edge:
	// 511 basic blocks, just within the per-function cap.
	{file: "loops_255.wasm", bin: func() []byte { return nestedLoops(255, true) }, want: "accepted"},
	// 256 bare nested loops (the depth cap), and 257.
	{file: "loops_256.wasm", bin: func() []byte { return nestedLoops(256, false) }, want: "accepted"},
	{file: "loops_257.wasm", bin: func() []byte { return nestedLoops(257, false) }, want: "limit"},
	// A function section claiming 10 million functions in a 27-byte file.
	{file: "funcs_count_10m.wasm", bin: func() []byte { return funcCountBomb(10_000_000) }, want: "decode"},
	{file: "funcs_2049.wasm", bin: func() []byte { return manyFuncs(2049) }, want: "limit"},
	{file: "funcs_2048.wasm", bin: func() []byte { return manyFuncs(2048) }, want: "accepted"},
	// 2,000 br_if in one function: compilers build dominator trees in
	// superlinear time over basic blocks.
	{file: "brif_2000.wasm", bin: func() []byte { return brIfChain(1, 2000) }, want: "limit"},
	// 4 functions of 510 br_if each: 512 basic blocks per function and
	// 2,044 beyond the entry blocks in the module, both caps; 5 functions
	// exceed the module's cap.
	{file: "brif_4x510.wasm", bin: func() []byte { return brIfChain(4, 510) }, want: "accepted"},
	{file: "brif_5x510.wasm", bin: func() []byte { return brIfChain(5, 510) }, want: "limit"},
	// br_table with 65,536 and 2,049 targets (wazero's compiler adds the
	// targets as predecessors in quadratic time: 2^20 targets compile for
	// more than 10 minutes), and 1,024 (accepted).
	{file: "br_table_65536.wasm", bin: func() []byte { return brTable(65535) }, want: "limit"},
	{file: "br_table_2049.wasm", bin: func() []byte { return brTable(2048) }, want: "limit"},
	{file: "br_table_1024.wasm", bin: func() []byte { return brTable(1023) }, want: "accepted"},
	// A data segment declaring 2^32-1 bytes and holding none.
	{file: "data_4g.wasm", bin: dataBomb, want: "decode"},
	// 240 KiB of data, all present.
	{file: "data_240k.wasm", bin: func() []byte { return bigData(240 << 10) }, want: "accepted"},
	// Tables: 2^32-1 and 65,536 initial elements.
	{file: "table_4g.wasm", bin: func() []byte { return tableBomb(0xffffffff) }, want: "limit"},
	{file: "table_65536.wasm", bin: func() []byte { return tableBomb(65536) }, want: "accepted"},
	// A memory of 65,536 initial pages (4 GiB).
	{file: "memory_4g.wasm", bin: func() []byte { return memoryBomb(65536) }, want: "limit"},
	// Straight-line code: three 64 KiB function bodies of dense arithmetic.
	{file: "body_3x64k.wasm", bin: func() []byte { return bigBodies(3, 64<<10-16) }, want: "accepted"},
	// A 300 KB function body (over the body and module size caps).
	{file: "body_300k.wasm", bin: func() []byte { return bigBodies(1, 300_000) }, want: "limit"},
}

// TestBombFiles checks that testdata/bombs holds exactly the generated
// files (or rewrites them with -bombs.write).
func TestBombFiles(t *testing.T) {
	want := map[string]bool{}
	for _, b := range bombs {
		want[b.file] = true
		path := filepath.Join(bombDir, b.file)
		bin := b.bin()
		if *writeBombs {
			if err := os.WriteFile(path, bin, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate with -bombs.write)", err)
		}
		if string(got) != string(bin) {
			t.Errorf("%s differs from the generator (regenerate with -bombs.write)", b.file)
		}
	}
	files, err := filepath.Glob(filepath.Join(bombDir, "*.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s is not generated by bombs_gen_test.go", f)
		}
	}
}

// uleb appends the unsigned LEB128 encoding of v.
func uleb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

// vec prefixes payload with its length.
func vec(payload []byte) []byte { return append(uleb(nil, uint64(len(payload))), payload...) }

func section(id byte, payload []byte) []byte { return append([]byte{id}, vec(payload)...) }

func module(sections ...[]byte) []byte {
	b := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

// Type 0 is [] -> [], type 1 is [i32] -> [i32].
var types = section(1, []byte{2, 0x60, 0, 0, 0x60, 1, 0x7f, 1, 0x7f})

// funcs declares n functions of type typ.
func funcs(n int, typ byte) []byte {
	p := uleb(nil, uint64(n))
	for i := 0; i < n; i++ {
		p = append(p, typ)
	}
	return section(3, p)
}

// exportRun exports function 0 as "run".
var exportRun = section(7, append(append([]byte{1}, vec([]byte("run"))...), 0, 0))

// code builds a code section from function bodies (local declarations and
// instructions, without the size prefix).
func code(bodies ...[]byte) []byte {
	p := uleb(nil, uint64(len(bodies)))
	for _, b := range bodies {
		p = append(p, vec(b)...)
	}
	return section(10, p)
}

// localsBomb: one function declaring n i64 locals. recursive: it takes an
// i32, returns it, and calls itself with it (unbounded recursion).
func localsBomb(n uint64, recursive bool) []byte {
	body := uleb([]byte{1}, n)
	if !recursive {
		body = append(body, 0x7f, 0x0b)
		return module(types, funcs(1, 0), code(body))
	}
	// local.get 0; call 0; end
	body = append(body, 0x7e, 0x20, 0, 0x10, 0, 0x0b)
	return module(types, funcs(1, 1), exportRun, code(body))
}

func localsOverflow() []byte {
	body := uleb([]byte{2}, 0xffffffff)
	body = append(body, 0x7f)
	body = uleb(body, 0xffffffff)
	body = append(body, 0x7e, 0x0b)
	return module(types, funcs(1, 0), code(body))
}

func nestedBlocks(n int) []byte {
	body := []byte{0}
	for i := 0; i < n; i++ {
		body = append(body, 0x02, 0x40)
	}
	for i := 0; i <= n; i++ {
		body = append(body, 0x0b)
	}
	return module(types, funcs(1, 0), code(body))
}

// nestedLoops: n nested loops. With work, each level increments local 0
// and branches back while it is below local 1, so every loop header has
// live locals.
func nestedLoops(n int, work bool) []byte {
	body := []byte{1, 4, 0x7f}
	for i := 0; i < n; i++ {
		body = append(body, 0x03, 0x40)
		if work {
			// local.get 0; i32.const 1; i32.add; local.tee 0; local.get 1; i32.lt_u; br_if 0
			body = append(body, 0x20, 0, 0x41, 1, 0x6a, 0x22, 0, 0x20, 1, 0x49, 0x0d, 0)
		}
	}
	for i := 0; i <= n; i++ {
		body = append(body, 0x0b)
	}
	return module(types, funcs(1, 0), code(body))
}

func funcCountBomb(n uint64) []byte {
	fs := uleb(nil, n)
	fs = append(fs, 0)
	return module(types, section(3, fs), code([]byte{0, 0x0b}))
}

func manyFuncs(n int) []byte {
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = []byte{0, 0x0b}
	}
	return module(types, funcs(n, 0), code(bodies...))
}

// brIfChain: nf functions, each a block holding n times
// "local.get 0; br_if 0; local.get 0; i32.const 1; i32.add; local.set 0".
func brIfChain(nf, n int) []byte {
	body := []byte{1, 1, 0x7f, 0x02, 0x40}
	for i := 0; i < n; i++ {
		body = append(body, 0x20, 0, 0x0d, 0, 0x20, 0, 0x41, 1, 0x6a, 0x21, 0)
	}
	body = append(body, 0x0b, 0x0b)
	bodies := make([][]byte, nf)
	for i := range bodies {
		bodies[i] = body
	}
	return module(types, funcs(nf, 0), code(bodies...))
}

// brTable: one br_table with n targets plus the default, all to the
// function's label.
func brTable(n int) []byte {
	body := []byte{0, 0x41, 0, 0x0e}
	body = uleb(body, uint64(n))
	for i := 0; i <= n; i++ {
		body = append(body, 0)
	}
	body = append(body, 0x0b)
	return module(types, funcs(1, 0), code(body))
}

func dataBomb() []byte {
	mem := section(5, []byte{1, 0, 1})
	d := []byte{1, 0, 0x41, 0, 0x0b} // one active segment at i32.const 0
	d = uleb(d, 0xffffffff)
	return module(mem, section(11, d))
}

func bigData(n int) []byte {
	pages := uint64(n+65535) / 65536
	mem := uleb([]byte{1, 0}, pages)
	d := []byte{1, 0, 0x41, 0, 0x0b}
	d = append(d, vec(make([]byte, n))...)
	return module(section(5, mem), section(11, d))
}

func tableBomb(n uint64) []byte {
	return module(section(4, uleb([]byte{1, 0x70, 0}, n)))
}

func memoryBomb(n uint64) []byte {
	return module(section(5, uleb([]byte{1, 0}, n)))
}

// bigBodies: nf functions of about size bytes each of
// "local.get 0; local.get 1; i32.add; local.set 1" with two i32 locals.
func bigBodies(nf, size int) []byte {
	body := []byte{1, 2, 0x7f}
	for len(body)+7 <= size {
		body = append(body, 0x20, 0, 0x20, 1, 0x6a, 0x21, 1)
	}
	body = append(body, 0x0b)
	bodies := make([][]byte, nf)
	for i := range bodies {
		bodies[i] = body
	}
	return module(types, funcs(nf, 0), code(bodies...))
}

// resultsBomb: nf functions of one type with n i64 results, each body
// unreachable (a body needs no values to have many results).
func resultsBomb(nf, n int) []byte {
	t := uleb([]byte{1, 0x60, 0}, uint64(n))
	for range n {
		t = append(t, 0x7e)
	}
	bodies := make([][]byte, nf)
	for i := range bodies {
		bodies[i] = []byte{0, 0x00, 0x0b}
	}
	return module(section(1, t), funcs(nf, 0), code(bodies...))
}

// paramsBomb: one function of a type with n i64 params.
func paramsBomb(n int) []byte {
	t := uleb([]byte{1, 0x60}, uint64(n))
	for range n {
		t = append(t, 0x7e)
	}
	t = append(t, 0)
	return module(section(1, t), funcs(1, 0), code([]byte{0, 0x0b}))
}

// heightBomb: nf functions pushing h values (i32.const 0) and dropping
// them: an operand height of h.
func heightBomb(nf, h int) []byte {
	body := []byte{0}
	for range h {
		body = append(body, 0x41, 0)
	}
	for range h {
		body = append(body, 0x1a)
	}
	body = append(body, 0x0b)
	bodies := make([][]byte, nf)
	for i := range bodies {
		bodies[i] = body
	}
	return module(types, funcs(nf, 0), code(bodies...))
}
