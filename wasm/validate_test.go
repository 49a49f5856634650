package wasm

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// oneFunc builds a module with one function of type ft and the given body
// (which must include its final end). The module is built by hand, so
// offsets in errors are offsets in the body.
func oneFunc(ft FuncType, body ...byte) *Module {
	return &Module{
		Types: []FuncType{ft},
		Funcs: []uint32{0},
		Codes: []Code{{Body: body}},
	}
}

var (
	voidType = FuncType{}
	i32Type  = FuncType{Results: []ValType{I32}}
)

func TestValidateErrors(t *testing.T) {
	withMemory := func(m *Module) *Module {
		m.Memories = []MemoryType{{Limits: Limits{Min: 1}}}
		return m
	}
	withLocals := func(m *Module, d ...LocalDecl) *Module {
		m.Codes[0].Locals = d
		for _, x := range d {
			m.Codes[0].NumLocals += uint64(x.Count)
		}
		return m
	}
	tests := []struct {
		name  string
		m     *Module
		class error
		want  string
	}{
		{
			name:  "result of the wrong type",
			m:     oneFunc(i32Type, 0x42, 0x00, 0x0b), // i64.const 0; end
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): type mismatch: expected i32, got i64",
		},
		{
			name:  "binary operand of the wrong type",
			m:     oneFunc(i32Type, 0x41, 0x01, 0x42, 0x02, 0x6a, 0x0b), // i32.const 1; i64.const 2; i32.add
			class: ErrInvalid,
			want:  "func[0]: pc=0x4 (offset 0x4 in module): type mismatch: expected i32, got i64",
		},
		{
			name:  "operand missing",
			m:     oneFunc(i32Type, 0x41, 0x01, 0x6a, 0x0b), // i32.const 1; i32.add
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): type mismatch: expected i32, got nothing",
		},
		{
			name:  "value left on the stack",
			m:     oneFunc(voidType, 0x41, 0x01, 0x0b), // i32.const 1; end
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): type mismatch: 1 extra value(s) left at the end of the block",
		},
		{
			name:  "if without else must not change the types",
			m:     oneFunc(i32Type, 0x41, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x0b, 0x0b), // i32.const 0; if (result i32) i32.const 1 end
			class: ErrInvalid,
			want:  "func[0]: pc=0x6 (offset 0x6 in module): if without else: type mismatch: expected i32, got nothing",
		},
		{
			name:  "br_table labels of different arity",
			m:     oneFunc(voidType, 0x02, 0x7f, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b, 0x1a, 0x0b), // block (result i32) ... br_table 0 1
			class: ErrInvalid,
			want:  "func[0]: pc=0x4 (offset 0x4 in module): type mismatch: br_table label 0 carries 1 values, default label 1 carries 0",
		},
		{
			name:  "unknown label",
			m:     oneFunc(voidType, 0x0c, 0x01, 0x0b), // br 1
			class: ErrInvalid,
			want:  "func[0]: pc=0x0 (offset 0x0 in module): unknown label 1",
		},
		{
			name:  "unknown local",
			m:     oneFunc(i32Type, 0x20, 0x00, 0x0b), // local.get 0
			class: ErrInvalid,
			want:  "func[0]: pc=0x0 (offset 0x0 in module): unknown local 0",
		},
		{
			name:  "local of the wrong type",
			m:     withLocals(oneFunc(i32Type, 0x20, 0x01, 0x0b), LocalDecl{Count: 1, Type: I32}, LocalDecl{Count: 1, Type: F64}), // local.get 1
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): type mismatch: expected i32, got f64",
		},
		{
			name:  "select on references needs a type",
			m:     oneFunc(voidType, 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1b, 0x1a, 0x0b), // ref.null func x2; i32.const 0; select; drop
			class: ErrInvalid,
			want:  "func[0]: pc=0x6 (offset 0x6 in module): type mismatch: select without a type on funcref and funcref (only numeric types)",
		},
		{
			name:  "load without memory",
			m:     oneFunc(i32Type, 0x41, 0x00, 0x28, 0x02, 0x00, 0x0b), // i32.const 0; i32.load align=4
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): unknown memory 0",
		},
		{
			name:  "alignment larger than natural",
			m:     withMemory(oneFunc(i32Type, 0x41, 0x00, 0x28, 0x03, 0x00, 0x0b)), // i32.load align=8
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): alignment must not be larger than natural: 2^3 > 4 bytes",
		},
		{
			name:  "undeclared function reference",
			m:     oneFunc(voidType, 0xd2, 0x00, 0x1a, 0x0b), // ref.func 0; drop
			class: ErrInvalid,
			want:  "func[0]: pc=0x0 (offset 0x0 in module): undeclared function reference: func 0 occurs in no element segment, export or global initializer",
		},
		{
			name: "immutable global",
			m: func() *Module {
				m := oneFunc(voidType, 0x41, 0x00, 0x24, 0x00, 0x0b)
				m.Globals = []Global{{Type: GlobalType{Type: I32}, Init: ConstExpr{Op: byte(OpI32Const)}}}
				return m
			}(),
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): global is immutable: global.set 0",
		},
		{
			name: "memory.init without data count",
			m: func() *Module {
				m := withMemory(oneFunc(voidType, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b)) // memory.init 0
				m.Datas = []Data{{Mode: SegmentPassive}}
				return m
			}(),
			class: ErrInvalid,
			want:  "func[0]: pc=0x6 (offset 0x6 in module): data count section required: memory.init without one",
		},
		{
			name:  "SIMD lane index",
			m:     oneFunc(voidType, append(append([]byte{0xfd, 0x0c}, make([]byte, 16)...), 0xfd, 0x1b, 0x04, 0x1a, 0x0b)...), // v128.const 0; i32x4.extract_lane 4; drop
			class: ErrInvalid,
			want:  "func[0]: pc=0x12 (offset 0x12 in module): i32x4.extract_lane: invalid lane index: i32x4.extract_lane lane 4 of 4",
		},
		{
			name:  "SIMD shuffle lane",
			m:     oneFunc(voidType, append(append(append(append([]byte{0xfd, 0x0c}, make([]byte, 16)...), 0xfd, 0x0c), make([]byte, 16)...), append(append([]byte{0xfd, 0x0d}, make([]byte, 15)...), 32, 0x1a, 0x0b)...)...),
			class: ErrInvalid,
			want:  "func[0]: pc=0x24 (offset 0x24 in module): i8x16.shuffle: invalid lane index: i8x16.shuffle lane 15 selects 32 of 32",
		},
		{
			name:  "SIMD type mismatch",
			m:     oneFunc(voidType, 0x41, 0x00, 0xfd, 0x4d, 0x01, 0x1a, 0x0b), // i32.const 0; v128.not; drop
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): v128.not: type mismatch: expected v128, got i32",
		},
		{
			name:  "SIMD load alignment",
			m:     withMemory(oneFunc(voidType, 0x41, 0x00, 0xfd, 0x00, 0x05, 0x00, 0x1a, 0x0b)), // v128.load align=2^5
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): v128.load: alignment must not be larger than natural: 2^5 > 16 bytes",
		},
		{
			name:  "SIMD load without memory",
			m:     oneFunc(voidType, 0x41, 0x00, 0xfd, 0x00, 0x04, 0x00, 0x1a, 0x0b),
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): v128.load: unknown memory 0",
		},
		{
			name:  "SIMD table of v128",
			m:     &Module{Tables: []TableType{{Elem: V128}}},
			class: ErrInvalid,
			want:  "section table: table[0]: table element type v128 is not a reference type",
		},
		{
			name: "duplicate export name",
			m: func() *Module {
				m := oneFunc(voidType, 0x0b)
				m.Exports = []Export{{Name: "f"}, {Name: "g"}, {Name: "f"}}
				return m
			}(),
			class: ErrInvalid,
			want:  `section export: export[2] "f": duplicate export name`,
		},
		{
			name:  "two memories",
			m:     &Module{Memories: []MemoryType{{}, {}}},
			class: ErrInvalid,
			want:  "section memory: multiple memories: 2 memories",
		},
		{
			name:  "memory too large",
			m:     &Module{Memories: []MemoryType{{Limits: Limits{Min: 65537}}}},
			class: ErrInvalid,
			want:  "section memory: memory[0]: memory size must be at most 65536 pages (4GiB): limits 65537..0",
		},
		{
			name:  "start function with params",
			m:     func() *Module { m := oneFunc(FuncType{Params: []ValType{I32}}, 0x0b); m.HasStart = true; return m }(),
			class: ErrInvalid,
			want:  "section start: func[0]: start function: type [i32] -> [] is not [] -> []",
		},
		{
			name:  "global.get of a mutable import in an initializer",
			m:     &Module{Imports: []Import{{Module: "m", Name: "g", Kind: ExternGlobal, Global: GlobalType{Type: I32, Mutable: true}}}, Globals: []Global{{Type: GlobalType{Type: I32}, Init: ConstExpr{Op: byte(OpGlobalGet), Offset: 0x20}}}},
			class: ErrInvalid,
			want:  "section global: global[1]: init at offset 0x20: constant expression required: global.get 0 of a mutable global",
		},
		{
			name:  "initializer of the wrong type",
			m:     &Module{Globals: []Global{{Type: GlobalType{Type: I32}, Init: ConstExpr{Op: byte(OpF32Const), Offset: 0x10}}}},
			class: ErrInvalid,
			want:  "section global: global[0]: init at offset 0x10: type mismatch: expected i32, got f32",
		},
		{
			name:  "active element segment into a table of another type",
			m:     &Module{Tables: []TableType{{Elem: ExternRef}}, Elems: []Elem{{Type: FuncRef, Mode: SegmentActive, Offset: ConstExpr{Op: byte(OpI32Const)}}}},
			class: ErrInvalid,
			want:  "section elem: elem[0]: type mismatch: table 0 holds externref, segment holds funcref",
		},
		{
			name:  "element initializer naming an unknown function",
			m:     &Module{Elems: []Elem{{Type: FuncRef, Mode: SegmentDeclarative, Init: []ConstExpr{{Op: byte(OpRefFunc), Imm: 3, Offset: 0x33}}}}},
			class: ErrInvalid,
			want:  "section elem: elem[0]: init[0] at 0x33: unknown function 3",
		},
		{
			name:  "data segment without memory",
			m:     &Module{Datas: []Data{{Mode: SegmentActive, Offset: ConstExpr{Op: byte(OpI32Const)}}}},
			class: ErrInvalid,
			want:  "section data: data[0]: unknown memory 0",
		},
		{
			name:  "empty offset expression",
			m:     &Module{Memories: []MemoryType{{}}, Datas: []Data{{Mode: SegmentActive, Offset: ConstExpr{Op: byte(OpEnd), Offset: 0x15}}}},
			class: ErrInvalid,
			want:  "section data: data[0]: offset at 0x15: type mismatch: expected i32, got []",
		},
		{
			name:  "global.get of a defined global in an initializer",
			m:     &Module{Globals: []Global{{Type: GlobalType{Type: I32}, Init: ConstExpr{Op: byte(OpI32Const)}}, {Type: GlobalType{Type: I32}, Init: ConstExpr{Op: byte(OpGlobalGet), Offset: 0x20}}}},
			class: ErrInvalid,
			want:  "section global: global[1]: init at offset 0x20: unknown global 0 (a constant expression sees only imported globals)",
		},
		{
			name:  "export of an unknown table",
			m:     &Module{Exports: []Export{{Name: "t", Kind: ExternTable, Index: 0}}},
			class: ErrInvalid,
			want:  `section export: export[0] "t": unknown table 0`,
		},
		{
			name: "call_indirect through an externref table",
			m: func() *Module {
				m := oneFunc(voidType, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b)
				m.Tables = []TableType{{Elem: ExternRef}}
				return m
			}(),
			class: ErrInvalid,
			want:  "func[0]: pc=0x2 (offset 0x2 in module): type mismatch: call_indirect on table 0 of externref",
		},
		{
			name:  "table size over the limit",
			m:     &Module{Tables: []TableType{{Elem: FuncRef, Limits: Limits{Min: 20_000_000}}}},
			class: ErrLimit,
			want:  "section table: table[0]: initial table size: 20000000 exceeds MaxTableSize (10000000)",
		},
		{
			name:  "too many locals",
			m:     withLocals(oneFunc(voidType, 0x0b), LocalDecl{Count: 0xFFFFFFF0, Type: I64}),
			class: ErrLimit,
			want:  "section code: func[0]: params and locals: 4294967280 exceeds MaxLocalsPerFunc (50000)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.m, DefaultLimits())
			if err == nil {
				t.Fatalf("Validate = nil, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Validate error\nhave %q\nwant %q", err, tt.want)
			}
			for _, class := range []error{ErrInvalid, ErrLimit} {
				if have, want := errors.Is(err, class), class == tt.class; have != want {
					t.Errorf("errors.Is(err, %q) = %v, want %v", class, have, want)
				}
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	twoResults := FuncType{Params: []ValType{I32}, Results: []ValType{I32, I64}}
	tests := []struct {
		name string
		m    *Module
	}{
		{"empty module", &Module{}},
		{"empty function", oneFunc(voidType, 0x0b)},
		// unreachable makes the stack polymorphic: i32.add pops two unknowns.
		{"unreachable then add", oneFunc(i32Type, 0x00, 0x6a, 0x0b)},
		// br_table over labels of the same arity, with an unknown operand.
		{"br_table in unreachable code", oneFunc(i32Type, 0x02, 0x7f, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b, 0x0b)},
		// block (type 1) [i32] -> [i32 i64]: i64.const 7 end; drop; the function returns i32.
		{"multi-value block", &Module{
			Types: []FuncType{i32Type, twoResults},
			Funcs: []uint32{0},
			Codes: []Code{{Body: []byte{0x41, 0x01, 0x02, 0x01, 0x42, 0x07, 0x0b, 0x1a, 0x0b}}},
		}},
		// loop labels carry the start types: loop (type 0: [i32]->[]) with br_if 0.
		{"loop label carries params", &Module{
			Types: []FuncType{{Params: []ValType{I32}}},
			Funcs: []uint32{0},
			Codes: []Code{{Body: []byte{0x41, 0x01, 0x03, 0x00, 0x41, 0x00, 0x0d, 0x00, 0x1a, 0x0b, 0x41, 0x00, 0x1a, 0x0b}}},
		}},
		{"select t on funcref", oneFunc(voidType, 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1c, 0x01, 0x70, 0x1a, 0x0b)},
		{"declared function reference", func() *Module {
			m := oneFunc(voidType, 0xd2, 0x00, 0x1a, 0x0b)
			m.Exports = []Export{{Name: "f", Kind: ExternFunc}}
			return m
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.m, DefaultLimits()); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestLimitsZeroMeansDefault(t *testing.T) {
	if have, want := (ResourceLimits{}).withDefaults(), DefaultLimits(); have != want {
		t.Errorf("zero limits = %+v, want the defaults %+v", have, want)
	}
	lim := ResourceLimits{MaxFuncs: 1}
	m := &Module{Types: []FuncType{{}}, Funcs: []uint32{0, 0}, Codes: []Code{{Body: []byte{0x0b}}, {Body: []byte{0x0b}}}}
	err := Validate(m, lim)
	if want := "function index space: count: 2 exceeds MaxFuncs (1)"; err == nil || err.Error() != want || !errors.Is(err, ErrLimit) {
		t.Errorf("Validate with MaxFuncs 1 = %v, want %q wrapping ErrLimit", err, want)
	}
}

// fuzzBodyModule wraps a function body in a module with something of
// every kind to refer to: types with params and results, a memory, two
// tables, globals, a data and an element segment, and an exported
// function that ref.func may name.
func fuzzBodyModule(body []byte) *Module {
	return &Module{
		Types: []FuncType{
			{},
			{Params: []ValType{I32, I64}, Results: []ValType{F32}},
			{Params: []ValType{I32}, Results: []ValType{I32, I32}},
		},
		Imports: []Import{{Module: "m", Name: "g", Kind: ExternGlobal, Global: GlobalType{Type: I32}}},
		Funcs:   []uint32{1, 0},
		Tables: []TableType{
			{Elem: FuncRef, Limits: Limits{Min: 1}},
			{Elem: ExternRef, Limits: Limits{Min: 1}},
		},
		Memories: []MemoryType{{Limits: Limits{Min: 1}}},
		Globals: []Global{
			{Type: GlobalType{Type: I64, Mutable: true}, Init: ConstExpr{Op: byte(OpI64Const)}},
			{Type: GlobalType{Type: FuncRef}, Init: ConstExpr{Op: byte(OpRefFunc), Imm: 1}},
		},
		Exports:      []Export{{Name: "f", Kind: ExternFunc}},
		Elems:        []Elem{{Type: FuncRef, Mode: SegmentPassive, Init: []ConstExpr{{Op: byte(OpRefFunc)}}}},
		HasDataCount: true,
		DataCount:    1,
		Datas:        []Data{{Mode: SegmentPassive, Init: []byte{1}}},
		Codes: []Code{
			{Locals: []LocalDecl{{Count: 2, Type: F64}, {Count: 1, Type: ExternRef}}, NumLocals: 3, Body: body},
			{Body: []byte{0x0b}},
		},
	}
}

// FuzzValidateBody feeds arbitrary function bodies to the body validator.
// It must never panic nor report a broken invariant ("BUG:"), and must
// give the same answer twice (its stacks are reused between functions).
// Seeds: every function body of the spec suite's modules.
func FuzzValidateBody(f *testing.F) {
	var files []string
	for _, dir := range validateSpecDirs {
		fs, err := filepath.Glob(filepath.Join(dir, "*.wasm"))
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, fs...)
	}
	sort.Strings(files)
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		m, err := Decode(b)
		if err != nil {
			continue
		}
		for i := range m.Codes {
			f.Add(m.Codes[i].Body)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m := fuzzBodyModule(body)
		err1 := Validate(m, DefaultLimits())
		err2 := Validate(m, DefaultLimits())
		if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
			t.Fatalf("Validate is not deterministic: %v, then %v", err1, err2)
		}
		if err1 != nil && strings.Contains(err1.Error(), "BUG:") {
			t.Fatalf("broken invariant: %v", err1)
		}
	})
}
