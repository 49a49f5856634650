package wasm

import "fmt"

// Element segment flag bits.
// https://webassembly.github.io/spec/core/binary/modules.html#element-section
const (
	elemFlagPassiveOrDecl = 1 << 0 // not active; with elemFlagExplicit: declarative
	elemFlagExplicit      = 1 << 1 // active: explicit table index; otherwise: declarative
	elemFlagExprs         = 1 << 2 // init is a vector of expressions, not function indices
)

// decodeElems reads the element section. Every flag form 0..7 is accepted;
// function-index vectors become ref.func constant expressions.
func decodeElems(r *reader, m *Module) error {
	n, err := r.count("element segment", 2)
	if err != nil {
		return err
	}
	m.Elems = makeN[[]Elem](n)
	for i := range m.Elems {
		if err := r.elem(&m.Elems[i]); err != nil {
			return fmt.Errorf("elem[%d]: %w", i, err)
		}
	}
	return nil
}

func (r *reader) elem(e *Elem) error {
	off := r.off()
	flags, err := r.u32("segment flags")
	if err != nil {
		return err
	}
	if flags > 7 {
		return errAt(fmt.Sprintf("read segment flags 0x%02x (want 0x00..0x07)", flags), off, ErrElemKind)
	}
	e.Type = FuncRef
	switch {
	case flags&elemFlagPassiveOrDecl == 0:
		e.Mode = SegmentActive
		if flags&elemFlagExplicit != 0 {
			if e.Table, err = r.u32("table index"); err != nil {
				return err
			}
		}
		if e.Offset, err = r.constExpr("offset"); err != nil {
			return err
		}
	case flags&elemFlagExplicit == 0:
		e.Mode = SegmentPassive
	default:
		e.Mode = SegmentDeclarative
	}
	// Forms 0 and 4 have no element kind / type byte: funcref is implied.
	hasKind := flags&(elemFlagPassiveOrDecl|elemFlagExplicit) != 0
	if flags&elemFlagExprs == 0 {
		if hasKind {
			koff := r.off()
			k, err := r.byte1("element kind")
			if err != nil {
				return err
			}
			if k != 0x00 {
				return errAt(fmt.Sprintf("read element kind 0x%02x (want 0x00)", k), koff, ErrElemKind)
			}
		}
		n, err := r.count("function index", 1)
		if err != nil {
			return err
		}
		e.Init = makeN[[]ConstExpr](n)
		for j := range e.Init {
			e.Init[j] = ConstExpr{Op: byte(OpRefFunc), Offset: r.off()}
			x, err := r.u32("function index")
			if err != nil {
				return fmt.Errorf("init[%d]: %w", j, err)
			}
			e.Init[j].Imm = uint64(x)
		}
		return nil
	}
	if hasKind {
		if e.Type, err = r.refType("element type"); err != nil {
			return err
		}
	}
	n, err := r.count("init expression", 1)
	if err != nil {
		return err
	}
	e.Init = makeN[[]ConstExpr](n)
	for j := range e.Init {
		if e.Init[j], err = r.constExpr(fmt.Sprintf("init[%d]", j)); err != nil {
			return err
		}
	}
	return nil
}
