package wasm

// reader walks a byte slice. base is the file offset of b[0], so that
// errors report offsets in the module binary even when b is a function
// body; end limits reads (a section's or body's end), a read past it fails
// with errEnd.
type reader struct {
	b      []byte
	pos    uint32
	base   uint32
	errEnd error // ErrUnexpectedEOF or ErrUnexpectedEnd

	// dataUse is set by the code section when a body uses memory.init or
	// data.drop without a data count section; Decode reports it once it
	// knows there are data segments (without any, the index is unknown,
	// which is a validation error).
	dataUse error
}

// off is the file offset of the next byte.
func (r *reader) off() uint32 { return r.base + r.pos }

// left is the number of unread bytes.
func (r *reader) left() uint32 { return uint32(len(r.b)) - r.pos }

func (r *reader) eof() error {
	if r.errEnd != nil {
		return r.errEnd
	}
	return ErrUnexpectedEOF
}

// byte1 reads one byte; what names it in the error.
func (r *reader) byte1(what string) (byte, error) {
	if r.pos >= uint32(len(r.b)) {
		return 0, errAt("read "+what, r.off(), r.eof())
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

// bytesN reads n bytes without copying.
func (r *reader) bytesN(n uint32, what string) ([]byte, error) {
	if n > r.left() {
		return nil, errAt("read "+what, r.off(), r.eof())
	}
	s := r.b[r.pos : r.pos+n]
	r.pos += n
	return s, nil
}

func (r *reader) u32(what string) (uint32, error) {
	v, err := r.leb(what, 32, false)
	return uint32(v), err
}

func (r *reader) s32(what string) (int32, error) {
	v, err := r.leb(what, 32, true)
	return int32(v), err
}

func (r *reader) s33(what string) (int64, error) {
	v, err := r.leb(what, 33, true)
	return int64(v), err
}

func (r *reader) s64(what string) (int64, error) {
	v, err := r.leb(what, 64, true)
	return int64(v), err
}

// leb reads one LEB128 integer of the given width at the reader's position
// and advances past it; errors name what was read and where.
func (r *reader) leb(what string, bits uint, signed bool) (uint64, error) {
	v, n, err := readLEB(r.b[r.pos:], bits, signed)
	if err != nil {
		if err == ErrUnexpectedEOF {
			err = r.eof()
		}
		return 0, errAt("read "+what, r.off(), err)
	}
	r.pos += n
	return v, nil
}

// readLEB decodes a LEB128 integer of the given width (at most 64 bits)
// from the start of b. It returns the value (sign-extended to 64 bits when
// signed), the number of bytes used, and ErrUnexpectedEOF, ErrIntTooLong
// (more than ceil(bits/7) bytes) or ErrIntTooLarge (the last byte has bits
// beyond the width that are not zero, or not copies of the sign bit).
// https://webassembly.github.io/spec/core/binary/values.html#integers
func readLEB(b []byte, bits uint, signed bool) (uint64, uint32, error) {
	maxBytes := (bits + 6) / 7
	var v uint64
	for i := uint(0); i < maxBytes; i++ {
		if i >= uint(len(b)) {
			return 0, 0, ErrUnexpectedEOF
		}
		c := b[i]
		shift := 7 * i
		v |= uint64(c&0x7f) << shift
		if i == maxBytes-1 {
			if c&0x80 != 0 {
				return 0, 0, ErrIntTooLong
			}
			used := bits - shift // payload bits of this byte that belong to the value, 1..7
			if used < 7 {
				rest := c & 0x7f >> used // bits beyond the width
				if !signed {
					if rest != 0 {
						return 0, 0, ErrIntTooLarge
					}
				} else {
					sign := c >> (used - 1) & 1
					want := byte(0)
					if sign == 1 {
						want = 0x7f >> used
					}
					if rest != want {
						return 0, 0, ErrIntTooLarge
					}
				}
			}
		} else if c&0x80 != 0 {
			continue
		}
		if signed && shift+7 < 64 && c&0x40 != 0 {
			v |= ^uint64(0) << (shift + 7)
		}
		return v, uint32(i + 1), nil
	}
	return 0, 0, ErrIntTooLong // unreachable: the last byte returned above
}

// appendU32 appends the minimal unsigned LEB128 encoding of v.
func appendU32(b []byte, v uint32) []byte { return appendU64(b, uint64(v)) }

// appendU64 appends the minimal unsigned LEB128 encoding of v.
func appendU64(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendS64 appends the minimal signed LEB128 encoding of v (also used for
// s32 and s33 values, sign-extended).
func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
