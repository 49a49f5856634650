package wasm

import (
	"bytes"
	"fmt"
)

// Section ids.
// https://webassembly.github.io/spec/core/binary/modules.html#sections
const (
	sectionCustom    byte = 0
	sectionType      byte = 1
	sectionImport    byte = 2
	sectionFunction  byte = 3
	sectionTable     byte = 4
	sectionMemory    byte = 5
	sectionGlobal    byte = 6
	sectionExport    byte = 7
	sectionStart     byte = 8
	sectionElement   byte = 9
	sectionCode      byte = 10
	sectionData      byte = 11
	sectionDataCount byte = 12
)

var sectionNames = [...]string{"custom", "type", "import", "function", "table", "memory",
	"global", "export", "start", "element", "code", "data", "data count"}

// sectionRank is the position of each non-custom section in the required
// order; data count (id 12) sits between element and code.
var sectionRank = [...]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10}

// header is "\0asm" followed by version 1, little-endian.
var (
	magic   = []byte{0x00, 0x61, 0x73, 0x6d}
	version = []byte{0x01, 0x00, 0x00, 0x00}
)

// Decode parses a Wasm 2.0 binary module. It checks the binary format
// (section order and sizes, LEB128 encodings, every instruction of every
// function body, UTF-8 names, function/code and data count agreement) but
// does not validate (see Validate). Errors wrap one of the sentinels of
// errors.go and name the section, the entry and the byte offset.
//
// The module does not alias b: bodies, data and custom sections are copied.
// https://webassembly.github.io/spec/core/binary/modules.html
func Decode(b []byte) (*Module, error) {
	if uint64(len(b)) > 0xFFFFFFFF {
		return nil, fmt.Errorf("module of %d bytes: larger than 4 GiB: %w", len(b), ErrLengthOutOfBounds)
	}
	if len(b) < 4 {
		return nil, errAt("read magic", 0, ErrUnexpectedEOF)
	}
	if len(b) < 4 || !bytes.Equal(b[:4], magic) {
		return nil, errAt("read magic", 0, ErrMagic)
	}
	if len(b) < 8 {
		return nil, errAt("read version", 4, ErrUnexpectedEOF)
	}
	if !bytes.Equal(b[4:8], version) {
		return nil, errAt(fmt.Sprintf("read version % x", b[4:8]), 4, ErrVersion)
	}
	m := &Module{Size: uint32(len(b))}
	r := reader{b: b, pos: 8}
	lastRank := 0
	sawCode, sawData := false, false
	var dataUse error // memory.init or data.drop without data count
	for r.left() > 0 {
		idOff := r.off()
		id, _ := r.byte1("section id")
		if int(id) >= len(sectionNames) {
			return nil, errAt(fmt.Sprintf("read section id 0x%02x (want 0x00..0x0c)", id), idOff, ErrSectionID)
		}
		name := sectionNames[id]
		size, err := r.u32("section size")
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		if size > r.left() {
			return nil, fmt.Errorf("section %s: %w", name, errAt(fmt.Sprintf("read %d bytes of contents (%d left)", size, r.left()), r.off(), ErrLengthOutOfBounds))
		}
		if id != sectionCustom {
			if rank := sectionRank[id]; rank <= lastRank {
				return nil, fmt.Errorf("section %s: %w", name, errAt("read section out of order (or repeated)", idOff, ErrSectionOrder))
			} else {
				lastRank = rank
			}
		}
		s := reader{b: b[r.pos : r.pos+size], base: r.off(), errEnd: ErrUnexpectedEnd}
		r.pos += size
		switch id {
		case sectionCustom:
			err = decodeCustom(&s, m)
		case sectionType:
			err = decodeTypes(&s, m)
		case sectionImport:
			err = decodeImports(&s, m)
		case sectionFunction:
			err = decodeFunctions(&s, m)
		case sectionTable:
			err = decodeTables(&s, m)
		case sectionMemory:
			err = decodeMemories(&s, m)
		case sectionGlobal:
			err = decodeGlobals(&s, m)
		case sectionExport:
			err = decodeExports(&s, m)
		case sectionStart:
			m.HasStart = true
			m.Start, err = s.u32("start function index")
		case sectionElement:
			err = decodeElems(&s, m)
		case sectionDataCount:
			m.HasDataCount = true
			m.DataCount, err = s.u32("data count")
		case sectionCode:
			sawCode = true
			m.CodeSectionOffset = s.base
			err = decodeCodes(&s, m)
			dataUse = s.dataUse
		case sectionData:
			sawData = true
			err = decodeDatas(&s, m)
		}
		if err == nil && s.left() != 0 {
			err = errAt(fmt.Sprintf("read end of section (%d bytes left)", s.left()), s.off(), ErrSectionSize)
		}
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
	}
	if len(m.Funcs) != len(m.Codes) {
		return nil, fmt.Errorf("%d functions, %d bodies (code section present: %t): %w", len(m.Funcs), len(m.Codes), sawCode, ErrFuncCodeMismatch)
	}
	if m.HasDataCount && uint64(m.DataCount) != uint64(len(m.Datas)) {
		return nil, fmt.Errorf("data count %d, %d data segments (data section present: %t): %w", m.DataCount, len(m.Datas), sawData, ErrDataCountMismatch)
	}
	if dataUse != nil && len(m.Datas) > 0 {
		return nil, dataUse
	}
	return m, nil
}

// count reads a vector length and checks that n entries of at least
// minSize bytes each fit in what is left, so that no hostile count makes
// the decoder allocate more than the input's size.
func (r *reader) count(what string, minSize uint32) (uint32, error) {
	off := r.off()
	n, err := r.u32(what + " count")
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(minSize) > uint64(r.left()) {
		return 0, errAt(fmt.Sprintf("read %s count %d (%d bytes left)", what, n, r.left()), off, r.eof())
	}
	return n, nil
}

// decodeCustom keeps a custom section verbatim.
// https://webassembly.github.io/spec/core/binary/modules.html#custom-section
func decodeCustom(r *reader, m *Module) error {
	name, err := r.name("custom section name")
	if err != nil {
		return err
	}
	data := cloneBytes(r.b[r.pos:])
	r.pos = uint32(len(r.b))
	m.Customs = append(m.Customs, Custom{Name: name, Data: data})
	return nil
}

// makeN makes a slice of n elements; nil when n is 0, so that an empty
// vector and an absent section decode alike.
func makeN[S ~[]E, E any](n uint32) S {
	if n == 0 {
		return nil
	}
	return make(S, n)
}

// cloneBytes copies b; nil when b is empty.
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}
