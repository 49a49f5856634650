package wasm

import "fmt"

// decodeDatas reads the data section: flags 0 (active, memory 0),
// 1 (passive) and 2 (active, explicit memory index).
// https://webassembly.github.io/spec/core/binary/modules.html#data-section
func decodeDatas(r *reader, m *Module) error {
	n, err := r.count("data segment", 2)
	if err != nil {
		return err
	}
	m.Datas = makeN[[]Data](n)
	for i := range m.Datas {
		if err := r.data(&m.Datas[i]); err != nil {
			return fmt.Errorf("data[%d]: %w", i, err)
		}
	}
	return nil
}

func (r *reader) data(d *Data) error {
	off := r.off()
	flags, err := r.u32("segment flags")
	if err != nil {
		return err
	}
	switch flags {
	case 0:
		d.Mode = SegmentActive
	case 1:
		d.Mode = SegmentPassive
	case 2:
		d.Mode = SegmentActive
		if d.Memory, err = r.u32("memory index"); err != nil {
			return err
		}
	default:
		return errAt(fmt.Sprintf("read segment flags 0x%02x (want 0x00..0x02)", flags), off, ErrDataKind)
	}
	if d.Mode == SegmentActive {
		if d.Offset, err = r.constExpr("offset"); err != nil {
			return err
		}
	}
	loff := r.off()
	n, err := r.u32("data length")
	if err != nil {
		return err
	}
	if n > r.left() {
		return errAt(fmt.Sprintf("read %d data bytes (%d left)", n, r.left()), loff, r.eof())
	}
	d.Init = cloneBytes(r.b[r.pos : r.pos+n])
	r.pos += n
	return nil
}
