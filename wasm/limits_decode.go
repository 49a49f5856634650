package wasm

import "fmt"

// limits reads limits: 0x00 min, or 0x01 min max. Any other flag is
// malformed, including 0x02 and 0x03 (shared memories, a later proposal).
// https://webassembly.github.io/spec/core/binary/types.html#limits
func (r *reader) limits() (Limits, error) {
	off := r.off()
	flag, err := r.byte1("limits flag")
	if err != nil {
		return Limits{}, err
	}
	var l Limits
	switch flag {
	case 0x00:
	case 0x01:
		l.HasMax = true
	case 0x02, 0x03:
		return l, errAt(fmt.Sprintf("read limits flag 0x%02x (shared memory is not Wasm 2.0; want 0x00 or 0x01)", flag), off, fmt.Errorf("%w: %w", ErrLimitsFlag, ErrIntTooLarge))
	default:
		// The flag is a one-bit integer: the spec suite calls a
		// continuation bit "too long" and other bits (2 and 3, the shared
		// flag, included) "too large".
		cause := ErrIntTooLarge
		if flag&0x80 != 0 {
			cause = ErrIntTooLong
		}
		return l, errAt(fmt.Sprintf("read limits flag 0x%02x (want 0x00 or 0x01)", flag), off, fmt.Errorf("%w: %w", ErrLimitsFlag, cause))
	}
	if l.Min, err = r.u32("limits min"); err != nil {
		return l, err
	}
	if l.HasMax {
		l.Max, err = r.u32("limits max")
	}
	return l, err
}

// tableType reads reftype limits.
// https://webassembly.github.io/spec/core/binary/types.html#table-types
func (r *reader) tableType() (TableType, error) {
	t, err := r.refType("table element type")
	if err != nil {
		return TableType{}, err
	}
	l, err := r.limits()
	return TableType{Elem: t, Limits: l}, err
}

// globalType reads valtype mut.
// https://webassembly.github.io/spec/core/binary/types.html#global-types
func (r *reader) globalType() (GlobalType, error) {
	t, err := r.valType("global type")
	if err != nil {
		return GlobalType{}, err
	}
	off := r.off()
	mut, err := r.byte1("global mutability")
	if err != nil {
		return GlobalType{}, err
	}
	if mut > 1 {
		return GlobalType{}, errAt(fmt.Sprintf("read global mutability 0x%02x (want 0x00 or 0x01)", mut), off, ErrMutability)
	}
	return GlobalType{Type: t, Mutable: mut == 1}, nil
}
