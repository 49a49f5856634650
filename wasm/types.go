package wasm

import (
	"fmt"
	"unicode/utf8"
)

// name reads a UTF-8 name (a byte vector).
// https://webassembly.github.io/spec/core/binary/values.html#names
func (r *reader) name(what string) (string, error) {
	off := r.off()
	n, err := r.u32(what + " length")
	if err != nil {
		return "", err
	}
	if n > r.left() {
		return "", errAt(fmt.Sprintf("read %s of %d bytes (%d left)", what, n, r.left()), off, ErrLengthOutOfBounds)
	}
	b := r.b[r.pos : r.pos+n]
	if !utf8.Valid(b) {
		return "", errAt("read "+what, r.off(), ErrUTF8)
	}
	r.pos += n
	return string(b), nil
}

// decodeTypes reads the type section: a vector of 0x60 params results.
// https://webassembly.github.io/spec/core/binary/types.html#function-types
func decodeTypes(r *reader, m *Module) error {
	n, err := r.count("type", 3)
	if err != nil {
		return err
	}
	m.Types = makeN[[]FuncType](n)
	for i := range m.Types {
		off := r.off()
		c, err := r.byte1("function type form")
		if err == nil && c != 0x60 {
			err = errAt(fmt.Sprintf("read function type form 0x%02x (want 0x60)", c), off, ErrFuncType)
		}
		if err == nil {
			m.Types[i].Params, err = r.valTypes("param")
		}
		if err == nil {
			m.Types[i].Results, err = r.valTypes("result")
		}
		if err != nil {
			return fmt.Errorf("type[%d]: %w", i, err)
		}
	}
	return nil
}

// valTypes reads a vector of value types.
func (r *reader) valTypes(what string) ([]ValType, error) {
	n, err := r.count(what, 1)
	if err != nil {
		return nil, err
	}
	ts := makeN[[]ValType](n)
	for i := range ts {
		if ts[i], err = r.valType(what + " type"); err != nil {
			return nil, err
		}
	}
	return ts, nil
}
