package wasm

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// wasmHeader is "\0asm" version 1.
var wasmHeader = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// module joins the header and sections.
func module(sections ...[]byte) []byte {
	b := append([]byte{}, wasmHeader...)
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

// sec builds a section with its size field.
func sec(id byte, contents ...byte) []byte {
	return append(appendU32([]byte{id}, uint32(len(contents))), contents...)
}

// cat concatenates byte strings.
func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

var (
	typeVoid  = sec(sectionType, 0x01, 0x60, 0x00, 0x00)                // (type (func))
	funcOne   = sec(sectionFunction, 0x01, 0x00)                        // one function of type 0
	memOne    = sec(sectionMemory, 0x01, 0x00, 0x01)                    // (memory 1)
	codeEmpty = sec(sectionCode, 0x01, 0x02, 0x00, byte(OpEnd))         // (func)
	dataOne   = sec(sectionData, 0x01, 0x01, 0x01, 0xaa)                // passive data "\aa"
	tableOne  = sec(sectionTable, 0x01, byte(FuncRef), 0x00, 0x01)      // (table 1 funcref)
	exportF   = sec(sectionExport, 0x01, 0x01, 'f', 0x00, 0x00)         // (export "f" (func 0))
	custom    = sec(sectionCustom, 0x01, 'c', 0xde, 0xad)               // custom section "c"
	dataCount = func(n byte) []byte { return sec(sectionDataCount, n) } //
)

// code builds a code section with one body: local declarations then instructions.
func code(locals []byte, instrs ...byte) []byte {
	body := append(append([]byte{}, locals...), instrs...)
	return sec(sectionCode, cat([]byte{0x01}, appendU32(nil, uint32(len(body))), body)...)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		err  error  // sentinel
		msg  string // substring of the message, usually the offset
	}{
		{name: "empty input", in: nil, err: ErrUnexpectedEOF, msg: "read magic at offset 0x0"},
		{name: "truncated magic", in: []byte{0x00, 0x61}, err: ErrUnexpectedEOF},
		{name: "short garbage", in: []byte{0x01}, err: ErrUnexpectedEOF},
		{name: "bad magic", in: []byte("\x00wasm\x01\x00\x00"), err: ErrMagic, msg: "offset 0x0"},
		{name: "truncated version", in: []byte("\x00asm\x01\x00"), err: ErrUnexpectedEOF, msg: "read version at offset 0x4"},
		{name: "version 2", in: []byte("\x00asm\x02\x00\x00\x00"), err: ErrVersion, msg: "read version 02 00 00 00 at offset 0x4"},
		{name: "section id 13", in: module([]byte{13, 0x00}), err: ErrSectionID, msg: "read section id 0x0d (want 0x00..0x0c) at offset 0x8"},
		{name: "section size past the end", in: module([]byte{sectionType, 0x05, 0x00}), err: ErrLengthOutOfBounds, msg: "section type: read 5 bytes of contents (1 left) at offset 0xa"},
		{name: "section size truncated", in: module([]byte{sectionType, 0x80}), err: ErrUnexpectedEOF, msg: "section type: read section size at offset 0x9"},
		{name: "section with trailing bytes", in: module(sec(sectionType, 0x00, 0x00)), err: ErrSectionSize, msg: "section type: read end of section (1 bytes left) at offset 0xb"},
		{name: "type after function", in: module(funcOne, typeVoid, codeEmpty), err: ErrSectionOrder, msg: "section type: read section out of order (or repeated) at offset 0xc"},
		{name: "type twice", in: module(typeVoid, typeVoid), err: ErrSectionOrder},
		{name: "data count after code", in: module(typeVoid, funcOne, codeEmpty, dataCount(0)), err: ErrSectionOrder, msg: "section data count"},
		{name: "element after data count", in: module(dataCount(0), sec(sectionElement, 0x00)), err: ErrSectionOrder, msg: "section element"},
		{name: "function without code", in: module(typeVoid, funcOne), err: ErrFuncCodeMismatch, msg: "1 functions, 0 bodies"},
		{name: "code without function", in: module(typeVoid, codeEmpty), err: ErrFuncCodeMismatch, msg: "0 functions, 1 bodies (code section present: true)"},
		{name: "data count 1 without data", in: module(dataCount(1)), err: ErrDataCountMismatch},
		{name: "data count 0 with one segment", in: module(dataCount(0), dataOne), err: ErrDataCountMismatch},
		{name: "type count too large", in: module(sec(sectionType, 0xff, 0xff, 0xff, 0xff, 0x0f)), err: ErrUnexpectedEnd, msg: "section type: read type count 4294967295 (0 bytes left) at offset 0xa"},
		{name: "type form not 0x60", in: module(sec(sectionType, 0x01, 0x61, 0x00, 0x00)), err: ErrFuncType, msg: "section type: type[0]: read function type form 0x61 (want 0x60) at offset 0xb"},
		{name: "bad param type", in: module(sec(sectionType, 0x01, 0x60, 0x01, 0x7a, 0x00)), err: ErrValueType, msg: "type[0]: read param type 0x7a at offset 0xd"},
		{name: "import kind 4", in: module(sec(sectionImport, 0x01, 0x01, 'm', 0x01, 'n', 0x04, 0x00)), err: ErrImportKind, msg: "section import: import[0]: read import kind 0x04 (want 0x00..0x03) at offset 0xf"},
		{name: "import name not utf-8", in: module(sec(sectionImport, 0x01, 0x01, 0xff, 0x01, 'n', 0x00, 0x00)), err: ErrUTF8, msg: "import[0]: read module name at offset 0xc"},
		{name: "name length past the section", in: module(sec(sectionImport, 0x01, 0x09, 'm', 0x01, 'n', 0x00, 0x00)), err: ErrLengthOutOfBounds},
		{name: "shared memory flag", in: module(sec(sectionMemory, 0x01, 0x03, 0x01, 0x02)), err: ErrLimitsFlag, msg: "section memory: memory[0]: read limits flag 0x03 (shared memory is not Wasm 2.0; want 0x00 or 0x01) at offset 0xb: malformed limits flags: integer too large"},
		{name: "limits flag 4", in: module(sec(sectionMemory, 0x01, 0x04, 0x01)), err: ErrIntTooLarge, msg: "malformed limits flags"},
		{name: "limits flag with continuation", in: module(sec(sectionTable, 0x01, 0x70, 0x81, 0x00, 0x01)), err: ErrIntTooLong},
		{name: "limits max truncated", in: module(sec(sectionMemory, 0x01, 0x01, 0x01)), err: ErrUnexpectedEnd, msg: "read limits max at offset 0xd"},
		{name: "table of i32", in: module(sec(sectionTable, 0x01, 0x7f, 0x00, 0x01)), err: ErrRefType, msg: "table[0]: read table element type 0x7f"},
		{name: "mutability 2", in: module(sec(sectionGlobal, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b)), err: ErrMutability, msg: "section global: global[0]: read global mutability 0x02 (want 0x00 or 0x01) at offset 0xc"},
		{name: "global init without end", in: module(sec(sectionGlobal, 0x01, 0x7f, 0x00, 0x41, 0x00)), err: ErrUnexpectedEnd, msg: "global[0]: initializer: read initializer end at offset 0xf"},
		{name: "global init two constants", in: module(sec(sectionGlobal, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x41, 0x01, 0x0b)), err: ErrConstExpr, msg: "type mismatch"},
		{name: "global init non-constant", in: module(sec(sectionGlobal, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x45, 0x0b)), err: ErrConstExpr, msg: "constant expression required: i32.eqz is not constant"},
		{name: "export kind 4", in: module(sec(sectionExport, 0x01, 0x01, 'e', 0x04, 0x00)), err: ErrImportKind, msg: `export[0] "e": read export kind 0x04`},
		{name: "elem flags 8", in: module(sec(sectionElement, 0x01, 0x08, 0x00)), err: ErrElemKind, msg: "section element: elem[0]: read segment flags 0x08 (want 0x00..0x07) at offset 0xb"},
		{name: "elem kind 1", in: module(sec(sectionElement, 0x01, 0x01, 0x01, 0x00)), err: ErrElemKind, msg: "read element kind 0x01 (want 0x00) at offset 0xc"},
		{name: "elem expr type i32", in: module(sec(sectionElement, 0x01, 0x05, 0x7f, 0x00)), err: ErrRefType},
		{name: "data flags 3", in: module(sec(sectionData, 0x01, 0x03, 0x00)), err: ErrDataKind, msg: "section data: data[0]: read segment flags 0x03 (want 0x00..0x02)"},
		{name: "data bytes past the section", in: module(sec(sectionData, 0x01, 0x01, 0x05, 0xaa)), err: ErrUnexpectedEnd, msg: "data[0]: read 5 data bytes (1 left) at offset 0xc"},
		{name: "body size past the section", in: module(typeVoid, funcOne, sec(sectionCode, 0x01, 0x05, 0x00, 0x0b)), err: ErrUnexpectedEnd, msg: "section code: func[0]: read body of 5 bytes (2 left) at offset 0x15"},
		{name: "bad local type", in: module(typeVoid, funcOne, code([]byte{0x01, 0x01, 0x7a}, 0x0b)), err: ErrValueType, msg: "section code: func[0].local[0]: read value type 0x7a at offset 0x18"},
		{
			// Two declarations of 2^32-1 locals each: rejected from the
			// counts alone, nothing allocated per local.
			name: "too many locals", err: ErrTooManyLocals, msg: "section code: func[0].local[1]: read local count (total 8589934590) at offset 0x1d",
			in: module(typeVoid, funcOne, code([]byte{0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7e}, 0x0b)),
		},
		{name: "body without end", in: module(typeVoid, funcOne, code([]byte{0x00}, 0x01)), err: ErrEndExpected, msg: "func[0]: read end of function (1 blocks open) at offset 0x18"},
		{name: "block without end", in: module(typeVoid, funcOne, code([]byte{0x00}, 0x02, 0x40, 0x01)), err: ErrEndExpected, msg: "(2 blocks open) at offset 0x1a"},
		{name: "bytes after the final end", in: module(typeVoid, funcOne, code([]byte{0x00}, 0x0b, 0x01)), err: ErrSectionSize, msg: "func[0]: read end of function (1 bytes after its end) at offset 0x18"},
		{name: "else outside if", in: module(typeVoid, funcOne, code([]byte{0x00}, 0x02, 0x40, 0x05, 0x0b, 0x0b)), err: ErrIllegalOpcode, msg: "read else outside an if at offset 0x19"},
		{name: "two elses", in: module(typeVoid, funcOne, code([]byte{0x00}, 0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b)), err: ErrIllegalOpcode},
		{name: "illegal opcode", in: module(typeVoid, funcOne, code([]byte{0x00}, 0x06, 0x0b)), err: ErrIllegalOpcode, msg: "section code: func[0]: read opcode 0x06 at offset 0x17"},
		{name: "memory.grow reserved byte", in: module(typeVoid, funcOne, memOne, code([]byte{0x00}, 0x41, 0x00, 0x40, 0x01, 0x1a, 0x0b)), err: ErrZeroByte, msg: "read memory index 0x01 at offset 0x1f"},
		{
			name: "memory.init without data count", err: ErrDataCountRequired, msg: "section code: func[0]: read memory.init or data.drop at offset 0x22",
			in: module(typeVoid, funcOne, memOne, code([]byte{0x00}, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b), dataOne),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode(tc.in)
			if err == nil {
				t.Fatalf("decoded %+v, want error %v", m, tc.err)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("have %v, want errors.Is %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("have %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		check func(*Module) bool
	}{
		{name: "header only", in: module(), check: func(m *Module) bool { return m.Size == 8 }},
		{name: "custom sections anywhere", in: module(custom, typeVoid, custom, funcOne, custom, codeEmpty, custom),
			check: func(m *Module) bool { return len(m.Customs) == 4 && m.Customs[0].Name == "c" }},
		{name: "data count 0 without data", in: module(dataCount(0)), check: func(m *Module) bool { return m.HasDataCount && m.DataCount == 0 }},
		{name: "data count with data", in: module(memOne, dataCount(1), dataOne), check: func(m *Module) bool { return len(m.Datas) == 1 && m.Datas[0].Mode == SegmentPassive }},
		{
			// Without data segments a data index is unknown, which is for
			// Validate to report (as the spec suite's memory_init.wast wants).
			name: "memory.init without data count or data", in: module(typeVoid, funcOne, memOne, code([]byte{0x00}, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b)),
			check: func(m *Module) bool { return len(m.Codes) == 1 },
		},
		{
			name: "2^32-1 locals decode without allocating", in: module(typeVoid, funcOne, code([]byte{0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x01, 0x7e}, 0x0b)),
			check: func(m *Module) bool { return m.Codes[0].NumLocals == 0xFFFFFFFF && len(m.Codes[0].Locals) == 2 },
		},
		{
			name: "offsets", in: module(typeVoid, funcOne, tableOne, exportF, code([]byte{0x01, 0x01, 0x7f}, 0x01, 0x0b)),
			// header 8, type 6, function 4, table 6, export 7: the code
			// section's id is at 31, its size at 32, its contents at 33;
			// count 1, body size 1, locals 3 bytes: the body starts at 38.
			check: func(m *Module) bool {
				return m.CodeSectionOffset == 33 && m.Codes[0].BodyOffset == 38 && string(m.Codes[0].Body) == "\x01\x0b" && m.Codes[0].NumLocals == 1
			},
		},
		{name: "limits with max", in: module(sec(sectionMemory, 0x01, 0x01, 0x01, 0x02)),
			check: func(m *Module) bool { return m.Memories[0].Limits == Limits{Min: 1, Max: 2, HasMax: true} }},
		{name: "imports of every kind", in: module(sec(sectionImport, 0x04,
			0x01, 'm', 0x01, 'f', 0x00, 0x00,
			0x01, 'm', 0x01, 't', 0x01, 0x6f, 0x00, 0x02,
			0x01, 'm', 0x01, 'm', 0x02, 0x00, 0x01,
			0x01, 'm', 0x01, 'g', 0x03, 0x7e, 0x01)),
			check: func(m *Module) bool {
				return reflect.DeepEqual(m.Imports, []Import{
					{Module: "m", Name: "f", Kind: ExternFunc},
					{Module: "m", Name: "t", Kind: ExternTable, Table: TableType{Elem: ExternRef, Limits: Limits{Min: 2}}},
					{Module: "m", Name: "m", Kind: ExternMemory, Memory: MemoryType{Limits: Limits{Min: 1}}},
					{Module: "m", Name: "g", Kind: ExternGlobal, Global: GlobalType{Type: I64, Mutable: true}},
				})
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(m) {
				t.Fatalf("unexpected module %+v", m)
			}
		})
	}
}
