package wasm

// ValType is a value type as encoded in the binary format.
type ValType byte

// Value types of Wasm 2.0.
const (
	I32       ValType = 0x7f
	I64       ValType = 0x7e
	F32       ValType = 0x7d
	F64       ValType = 0x7c
	V128      ValType = 0x7b
	FuncRef   ValType = 0x70
	ExternRef ValType = 0x6f
)

// String returns the text-format name of the type ("i32", "funcref", ...).
func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case FuncRef:
		return "funcref"
	case ExternRef:
		return "externref"
	}
	return "unknown"
}

// IsRef reports whether t is a reference type.
func (t ValType) IsRef() bool { return t == FuncRef || t == ExternRef }

// FuncType is a function signature.
type FuncType struct {
	Params  []ValType
	Results []ValType
}

// Equal reports whether two function types are structurally equal.
func (f FuncType) Equal(g FuncType) bool {
	if len(f.Params) != len(g.Params) || len(f.Results) != len(g.Results) {
		return false
	}
	for i := range f.Params {
		if f.Params[i] != g.Params[i] {
			return false
		}
	}
	for i := range f.Results {
		if f.Results[i] != g.Results[i] {
			return false
		}
	}
	return true
}

// Limits bounds a memory (in 64 KiB pages) or a table (in elements).
type Limits struct {
	Min    uint32
	Max    uint32
	HasMax bool
}

// TableType is the type of a table.
type TableType struct {
	Elem   ValType // FuncRef or ExternRef
	Limits Limits
}

// MemoryType is the type of a linear memory.
type MemoryType struct {
	Limits Limits
}

// GlobalType is the type of a global.
type GlobalType struct {
	Type    ValType
	Mutable bool
}

// ExternKind says what an import or export refers to.
type ExternKind byte

// Extern kinds as encoded in import and export descriptors.
const (
	ExternFunc   ExternKind = 0
	ExternTable  ExternKind = 1
	ExternMemory ExternKind = 2
	ExternGlobal ExternKind = 3
)

// Import is one entry of the import section. Only the field that matches
// Kind is meaningful.
type Import struct {
	Module string
	Name   string
	Kind   ExternKind
	Func   uint32 // type index, for ExternFunc
	Table  TableType
	Memory MemoryType
	Global GlobalType
}

// Export is one entry of the export section.
type Export struct {
	Name  string
	Kind  ExternKind
	Index uint32
}

// ConstExpr is a constant expression. In Wasm 2.0 it is exactly one
// instruction followed by end.
type ConstExpr struct {
	// Op is the instruction's opcode: OpI32Const, OpI64Const, OpF32Const,
	// OpF64Const, OpGlobalGet, OpRefNull, OpRefFunc, or 0xFD for a vector
	// instruction (Imm = its sub-opcode; only v128.const, 0x0c, is constant).
	Op byte
	// Imm is the immediate: the sign-extended integer for i32/i64.const
	// (as uint64 bits), the IEEE bits for f32/f64.const, the global index
	// for global.get, the function index for ref.func, the ValType for
	// ref.null, the sub-opcode of a vector instruction.
	Imm uint64
	// V128 is v128.const's value, bytes in memory order.
	V128 [16]byte
	// Offset is the byte offset of the expression in the module.
	Offset uint32
}

// Global is a global defined by the module.
type Global struct {
	Type GlobalType
	Init ConstExpr
}

// SegmentMode says when an element or data segment is applied.
type SegmentMode byte

// Segment modes.
const (
	SegmentActive      SegmentMode = 0
	SegmentPassive     SegmentMode = 1
	SegmentDeclarative SegmentMode = 2 // element segments only
)

// Elem is an element segment. Segments written as function-index vectors
// are decoded into ref.func constant expressions so that every segment has
// the same shape.
type Elem struct {
	Type   ValType // FuncRef or ExternRef
	Mode   SegmentMode
	Table  uint32    // active only
	Offset ConstExpr // active only
	Init   []ConstExpr
}

// Data is a data segment.
type Data struct {
	Mode   SegmentMode // active or passive
	Memory uint32      // active only
	Offset ConstExpr   // active only
	Init   []byte
}

// LocalDecl declares Count locals of one type.
type LocalDecl struct {
	Count uint32
	Type  ValType
}

// Code is the body of one defined function.
type Code struct {
	Locals    []LocalDecl
	NumLocals uint64 // sum of Locals[i].Count (not including params)
	// Body is the instruction sequence including the final end opcode.
	Body []byte
	// BodyOffset is the byte offset of Body[0] in the module binary. A
	// program counter is reported as (function index, offset in the code
	// section); CodeSectionOffset + that offset = BodyOffset + pc.
	BodyOffset uint32
}

// Custom is a custom section, kept verbatim.
type Custom struct {
	Name string
	Data []byte
}

// Module is a decoded module. It is plain data: decoding does not validate
// it (see Validate), and nothing here is instantiated.
type Module struct {
	Types    []FuncType
	Imports  []Import
	Funcs    []uint32 // type index of each defined function
	Tables   []TableType
	Memories []MemoryType
	Globals  []Global
	Exports  []Export
	HasStart bool
	Start    uint32
	Elems    []Elem
	// HasDataCount records whether a data count section was present.
	HasDataCount bool
	DataCount    uint32
	Codes        []Code
	Datas        []Data
	Customs      []Custom

	// CodeSectionOffset is the byte offset of the code section's contents
	// (just after its size field) in the module binary.
	CodeSectionOffset uint32
	// Size is the length of the binary the module was decoded from.
	Size uint32
}

// NumImports counts imports of one kind.
func (m *Module) NumImports(k ExternKind) int {
	n := 0
	for i := range m.Imports {
		if m.Imports[i].Kind == k {
			n++
		}
	}
	return n
}

// ExportedFuncType returns the type of the function exported as name; ok
// is false if no function is exported so (or its type is out of range).
func (m *Module) ExportedFuncType(name string) (ft FuncType, ok bool) {
	for _, e := range m.Exports {
		if e.Name == name && e.Kind == ExternFunc {
			return m.FuncType(e.Index)
		}
	}
	return FuncType{}, false
}

// ExportedGlobalType returns the value type of the global exported as name
// (imported globals first in the index space); ok is false if no global is
// exported so, or its index is out of range.
func (m *Module) ExportedGlobalType(name string) (t ValType, ok bool) {
	for _, e := range m.Exports {
		if e.Name != name || e.Kind != ExternGlobal {
			continue
		}
		idx := e.Index
		for i := range m.Imports {
			if m.Imports[i].Kind == ExternGlobal {
				if idx == 0 {
					return m.Imports[i].Global.Type, true
				}
				idx--
			}
		}
		if uint64(idx) < uint64(len(m.Globals)) {
			return m.Globals[idx].Type.Type, true
		}
		return 0, false
	}
	return 0, false
}

// FuncTypeIndex returns the type index of function idx in the function index
// space (imported functions first). ok is false if idx or the type index is
// out of range.
func (m *Module) FuncTypeIndex(idx uint32) (typeIdx uint32, ok bool) {
	for i := range m.Imports {
		if m.Imports[i].Kind != ExternFunc {
			continue
		}
		if idx == 0 {
			typeIdx = m.Imports[i].Func
			return typeIdx, typeIdx < uint32(len(m.Types))
		}
		idx--
	}
	if uint64(idx) >= uint64(len(m.Funcs)) {
		return 0, false
	}
	typeIdx = m.Funcs[idx]
	return typeIdx, typeIdx < uint32(len(m.Types))
}
