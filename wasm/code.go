package wasm

import "fmt"

// decodeCodes reads the code section. Each entry's locals are summed
// without allocating per local, and its body is walked instruction by
// instruction so that a malformed body fails here, with its offset.
// https://webassembly.github.io/spec/core/binary/modules.html#code-section
func decodeCodes(r *reader, m *Module) error {
	n, err := r.count("function body", 2)
	if err != nil {
		return err
	}
	m.Codes = makeN[[]Code](n)
	for i := range m.Codes {
		if err := r.code(&m.Codes[i], m, i); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) code(c *Code, m *Module, fi int) error {
	off := r.off()
	size, err := r.u32("body size")
	if err != nil {
		return fmt.Errorf("func[%d]: %w", fi, err)
	}
	if size > r.left() {
		return fmt.Errorf("func[%d]: %w", fi, errAt(fmt.Sprintf("read body of %d bytes (%d left)", size, r.left()), off, r.eof()))
	}
	b := reader{b: r.b[r.pos : r.pos+size], base: r.off(), errEnd: ErrUnexpectedEnd}
	r.pos += size

	nd, err := b.count("local declaration", 2)
	if err != nil {
		return fmt.Errorf("func[%d]: %w", fi, err)
	}
	c.Locals = makeN[[]LocalDecl](nd)
	for j := range c.Locals {
		loff := b.off()
		if c.Locals[j].Count, err = b.u32("local count"); err == nil {
			c.Locals[j].Type, err = b.valType("value type")
		}
		if err != nil {
			return fmt.Errorf("func[%d].local[%d]: %w", fi, j, err)
		}
		c.NumLocals += uint64(c.Locals[j].Count)
		if c.NumLocals > 0xFFFFFFFF {
			return fmt.Errorf("func[%d].local[%d]: %w", fi, j, errAt(fmt.Sprintf("read local count (total %d)", c.NumLocals), loff, ErrTooManyLocals))
		}
	}
	c.BodyOffset = b.off()
	body := b.b[b.pos:]
	useOff, err := checkBody(body, c.BodyOffset)
	if err != nil {
		return fmt.Errorf("func[%d]: %w", fi, err)
	}
	if useOff != 0 && r.dataUse == nil && !m.HasDataCount {
		r.dataUse = fmt.Errorf("section code: func[%d]: %w", fi, errAt("read memory.init or data.drop", useOff, ErrDataCountRequired))
	}
	c.Body = cloneBytes(body)
	return nil
}

// checkBody walks every instruction of body (at file offset base) and
// checks the structure the binary grammar fixes: else only directly inside
// an if, and an end closing the function exactly at the last byte. It
// returns the offset of the first memory.init or data.drop (0 if none).
func checkBody(body []byte, base uint32) (dataUse uint32, err error) {
	r := reader{b: body, base: base, errEnd: ErrUnexpectedEnd}
	// open[i] says whether block i is an if still expecting its else;
	// len(open) is the nesting depth; bounded by len(body).
	var open []bool
	for {
		if r.left() == 0 {
			return dataUse, errAt(fmt.Sprintf("read end of function (%d blocks open)", len(open)+1), r.off(), ErrEndExpected)
		}
		off := r.off()
		in, err := r.instr()
		if err != nil {
			return dataUse, err
		}
		switch in.Op {
		case OpBlock, OpLoop:
			open = append(open, false)
		case OpIf:
			open = append(open, true)
		case OpElse:
			if len(open) == 0 || !open[len(open)-1] {
				return dataUse, errAt("read else outside an if", off, ErrIllegalOpcode)
			}
			open[len(open)-1] = false
		case OpEnd:
			if len(open) == 0 {
				if r.left() != 0 {
					return dataUse, errAt(fmt.Sprintf("read end of function (%d bytes after its end)", r.left()), r.off(), ErrSectionSize)
				}
				return dataUse, nil
			}
			open = open[:len(open)-1]
		case OpMemoryInit, OpDataDrop:
			if dataUse == 0 {
				dataUse = off
			}
		}
	}
}
