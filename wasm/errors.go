package wasm

import (
	"errors"
	"fmt"
)

// Sentinel errors of the decoder. Every decode error wraps one of
// them (test with errors.Is) and adds the section, the element index and the
// byte offset in front, e.g.
//
//	section code: func[3].local[1]: read value type at offset 0x1a2: unexpected end
//
// The texts are the spec test suite's assert_malformed texts where one
// exists, so a spec driver can match them with strings.Contains. Numbers
// follow one rule: offsets and byte values read from the binary (section
// ids, flags, kinds, opcodes) are hex; counts, sizes and indices are
// decimal.
var (
	// ErrUnexpectedEOF: the input ended inside a value.
	ErrUnexpectedEOF = errors.New("unexpected end")
	// ErrUnexpectedEnd: a value runs past the end of its section or function body.
	ErrUnexpectedEnd = errors.New("unexpected end of section or function")
	// ErrIntTooLong: a LEB128 integer uses more bytes than its type allows.
	ErrIntTooLong = errors.New("integer representation too long")
	// ErrIntTooLarge: the last byte of a LEB128 integer has bits set beyond its type.
	ErrIntTooLarge = errors.New("integer too large")
	// ErrMagic: the file does not start with "\0asm".
	ErrMagic = errors.New("magic header not detected")
	// ErrVersion: the version field is not 1.
	ErrVersion = errors.New("unknown binary version")
	// ErrSectionID: a section id above 12.
	ErrSectionID = errors.New("malformed section id")
	// ErrSectionOrder: a non-custom section is repeated or out of order.
	ErrSectionOrder = errors.New("unexpected content after last section")
	// ErrSectionSize: a section's contents did not use exactly its declared size.
	ErrSectionSize = errors.New("section size mismatch")
	// ErrLengthOutOfBounds: a length or count runs past the end of its section.
	ErrLengthOutOfBounds = errors.New("length out of bounds")
	// ErrIllegalOpcode: an opcode that is not in Wasm 2.0.
	ErrIllegalOpcode = errors.New("illegal opcode")
	// ErrRelaxedSIMD: a relaxed-SIMD instruction (0xfd 0x100 and up). Its
	// results may differ between engines by design, so no reference
	// machine can commit to them.
	ErrRelaxedSIMD = errors.New("relaxed SIMD is non-deterministic by design and not supported")
	// ErrZeroByte: a reserved byte (memory index in memory.size and friends) is not 0x00.
	ErrZeroByte = errors.New("zero byte expected")
	// ErrEndExpected: a function body or constant expression misses its final end.
	ErrEndExpected = errors.New("END opcode expected")
	// ErrMemopFlags: a memarg alignment exponent of 32 or more.
	ErrMemopFlags = errors.New("malformed memop flags")
	// ErrValueType: a byte that is not a value type.
	ErrValueType = errors.New("malformed value type")
	// ErrRefType: a byte that is not a reference type.
	ErrRefType = errors.New("malformed reference type")
	// ErrBlockType: a block type that is neither empty, a value type nor a type index.
	ErrBlockType = errors.New("malformed block type")
	// ErrMutability: a global mutability byte other than 0 or 1.
	ErrMutability = errors.New("malformed mutability")
	// ErrImportKind: an import or export descriptor kind above 3.
	ErrImportKind = errors.New("malformed import kind")
	// ErrLimitsFlag: a limits flag other than 0 or 1 (shared memories are
	// not Wasm 2.0). It comes with ErrIntTooLarge, or ErrIntTooLong if the
	// flag byte has a continuation bit, as the spec suite words it.
	ErrLimitsFlag = errors.New("malformed limits flags")
	// ErrElemKind: an element segment flag above 7 or an elemkind byte other than 0x00.
	ErrElemKind = errors.New("malformed elements segment kind")
	// ErrDataKind: a data segment flag above 2.
	ErrDataKind = errors.New("malformed data segment kind")
	// ErrFuncType: a type section entry not starting with 0x60.
	ErrFuncType = errors.New("malformed function type")
	// ErrUTF8: a name that is not valid UTF-8.
	ErrUTF8 = errors.New("malformed UTF-8 encoding")
	// ErrTooManyLocals: the locals of one function add up to more than 2^32-1.
	ErrTooManyLocals = errors.New("too many locals")
	// ErrFuncCodeMismatch: function and code sections disagree on the count.
	ErrFuncCodeMismatch = errors.New("function and code section have inconsistent lengths")
	// ErrDataCountMismatch: data count and data sections disagree on the count.
	ErrDataCountMismatch = errors.New("data count and data section have inconsistent lengths")
	// ErrDataCountRequired: memory.init or data.drop without a data count section.
	ErrDataCountRequired = errors.New("data count section required")
	// ErrConstExpr: a constant expression with more than one instruction.
	ErrConstExpr = errors.New("constant expression must be one instruction followed by end")
)

// errAt wraps a sentinel with what was being read and its offset.
func errAt(what string, off uint32, err error) error {
	return fmt.Errorf("%s at offset 0x%x: %w", what, off, err)
}
