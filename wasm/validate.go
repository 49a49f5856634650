package wasm

import (
	"errors"
	"fmt"
)

// Validation error classes. Every error Validate returns wraps exactly one
// of them, so callers can tell with errors.Is why a module was refused.
var (
	// ErrInvalid: the module is not valid Wasm 2.0 (the spec's
	// assert_invalid class). The message ends with the spec's own wording,
	// e.g. "type mismatch" or "unknown global 2".
	ErrInvalid = errors.New("invalid module")
	// ErrLimit: the module may be valid, but declares more than the
	// ResourceLimits passed to Validate allow.
	ErrLimit = errors.New("resource limit exceeded")
	// ErrSIMD is kept for callers that refuse SIMD by policy and want a
	// class for it (upgrade's spec comparison still tests for it). Validate
	// never returns it: SIMD is part of Wasm 2.0 and validates; relaxed
	// SIMD is refused by the decoder (ErrRelaxedSIMD).
	ErrSIMD = errors.New("SIMD is not supported here")
)

// classError is a validation failure whose message is msg and which
// errors.Is matches against class.
type classError struct {
	class error
	msg   string
}

func (e *classError) Error() string { return e.msg }
func (e *classError) Unwrap() error { return e.class }

// invalidf builds an ErrInvalid error.
func invalidf(format string, args ...any) error {
	return &classError{class: ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// Validate checks that m is a valid Wasm 2.0 module (SIMD included) and that
// it stays within lim (zero fields of lim mean their default). The limits
// are checked first, on counts the decoder has already computed, so a
// module that declares huge sizes is refused before any function body is
// walked. Validation is linear in the size of the module.
//
// https://webassembly.github.io/spec/core/valid/modules.html
func Validate(m *Module, lim ResourceLimits) error {
	_, err := validate(m, lim, false)
	return err
}

// ValidateHeights is Validate that also returns what OperandHeights does,
// from the same walk of the bodies: for a caller that needs both.
func ValidateHeights(m *Module, lim ResourceLimits) ([]uint32, error) {
	return validate(m, lim, true)
}

// validate is Validate, collecting each defined function's operand height
// if heights is set.
func validate(m *Module, lim ResourceLimits, heights bool) ([]uint32, error) {
	if m == nil {
		return nil, invalidf("nil module")
	}
	lim = lim.withDefaults()
	if err := lim.Check(m); err != nil {
		return nil, err
	}
	c, err := newModuleContext(m)
	if err != nil {
		return nil, err
	}
	for _, step := range []func() error{
		c.validateTables, c.validateMemories, c.validateGlobals, c.validateExports,
		c.validateStart, c.validateElems, c.validateDatas,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return c.validateCodes(lim, heights)
}

// moduleContext is the spec's validation context C for one module.
type moduleContext struct {
	m                *Module
	funcs            []uint32 // type index of each function, imports first
	tables           []TableType
	numMems          int
	globals          []GlobalType
	numImportGlobals int
	// declared[f] records that function f occurs outside function bodies
	// (export, global initializer, element segment): the spec's C.refs,
	// the functions ref.func may name inside a body.
	declared []bool
}

// newModuleContext checks types, imports and the function section, and
// builds the index spaces.
func newModuleContext(m *Module) (*moduleContext, error) {
	c := &moduleContext{m: m}
	for i := range m.Types {
		if err := validFuncType(m.Types[i]); err != nil {
			return nil, fmt.Errorf("section type: type[%d]: %w", i, err)
		}
	}
	for i := range m.Imports {
		im := &m.Imports[i]
		var err error
		switch im.Kind {
		case ExternFunc:
			if uint64(im.Func) >= uint64(len(m.Types)) {
				err = invalidf("unknown type %d", im.Func)
			}
			c.funcs = append(c.funcs, im.Func)
		case ExternTable:
			err = validTableType(im.Table)
			c.tables = append(c.tables, im.Table)
		case ExternMemory:
			err = validMemoryType(im.Memory)
			c.numMems++
		case ExternGlobal:
			err = validValType(im.Global.Type)
			c.globals = append(c.globals, im.Global)
		default:
			err = invalidf("unknown import kind 0x%02x", byte(im.Kind))
		}
		if err != nil {
			return nil, fmt.Errorf("section import: import[%d] %q %q: %w", i, im.Module, im.Name, err)
		}
	}
	c.numImportGlobals = len(c.globals)
	for _, t := range m.Funcs {
		if uint64(t) >= uint64(len(m.Types)) {
			return nil, fmt.Errorf("section function: func[%d]: %w", len(c.funcs), invalidf("unknown type %d", t))
		}
		c.funcs = append(c.funcs, t)
	}
	if len(m.Funcs) != len(m.Codes) {
		return nil, invalidf("section code: function and code section have inconsistent lengths: %d bodies for %d functions", len(m.Codes), len(m.Funcs))
	}
	c.tables = append(c.tables, m.Tables...)
	c.numMems += len(m.Memories)
	for i := range m.Globals {
		c.globals = append(c.globals, m.Globals[i].Type)
	}
	c.declared = make([]bool, len(c.funcs))
	return c, nil
}

func validValType(t ValType) error {
	switch t {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		return nil
	}
	return invalidf("unknown value type 0x%02x", byte(t))
}

func validFuncType(ft FuncType) error {
	for i, t := range ft.Params {
		if err := validValType(t); err != nil {
			return fmt.Errorf("param %d: %w", i, err)
		}
	}
	for i, t := range ft.Results {
		if err := validValType(t); err != nil {
			return fmt.Errorf("result %d: %w", i, err)
		}
	}
	return nil
}

func validTableType(t TableType) error {
	if !t.Elem.IsRef() {
		return invalidf("table element type %s is not a reference type", t.Elem)
	}
	if t.Limits.HasMax && t.Limits.Min > t.Limits.Max {
		return invalidf("size minimum must not be greater than maximum: limits %d..%d", t.Limits.Min, t.Limits.Max)
	}
	return nil
}

// maxPages is the largest memory of Wasm 2.0: 65536 pages of 64 KiB = 4 GiB.
const maxPages = 65536

func validMemoryType(t MemoryType) error {
	l := t.Limits
	if l.Min > maxPages || (l.HasMax && l.Max > maxPages) {
		return invalidf("memory size must be at most 65536 pages (4GiB): limits %d..%d", l.Min, l.Max)
	}
	if l.HasMax && l.Min > l.Max {
		return invalidf("size minimum must not be greater than maximum: limits %d..%d", l.Min, l.Max)
	}
	return nil
}

func (c *moduleContext) validateTables() error {
	for i := range c.m.Tables {
		if err := validTableType(c.m.Tables[i]); err != nil {
			return fmt.Errorf("section table: table[%d]: %w", len(c.tables)-len(c.m.Tables)+i, err)
		}
	}
	return nil
}

func (c *moduleContext) validateMemories() error {
	for i := range c.m.Memories {
		if err := validMemoryType(c.m.Memories[i]); err != nil {
			return fmt.Errorf("section memory: memory[%d]: %w", c.numMems-len(c.m.Memories)+i, err)
		}
	}
	if c.numMems > 1 {
		return invalidf("section memory: multiple memories: %d memories", c.numMems)
	}
	return nil
}

func (c *moduleContext) validateGlobals() error {
	for i := range c.m.Globals {
		g := &c.m.Globals[i]
		idx := c.numImportGlobals + i
		if err := validValType(g.Type.Type); err != nil {
			return fmt.Errorf("section global: global[%d]: %w", idx, err)
		}
		if err := c.validConst(g.Init, g.Type.Type); err != nil {
			return fmt.Errorf("section global: global[%d]: init at offset 0x%x: %w", idx, g.Init.Offset, err)
		}
	}
	return nil
}

func (c *moduleContext) validateExports() error {
	seen := make(map[string]struct{}, len(c.m.Exports))
	for i := range c.m.Exports {
		e := &c.m.Exports[i]
		if _, dup := seen[e.Name]; dup {
			return fmt.Errorf("section export: export[%d] %q: %w", i, e.Name, invalidf("duplicate export name"))
		}
		seen[e.Name] = struct{}{}
		var err error
		switch e.Kind {
		case ExternFunc:
			if uint64(e.Index) >= uint64(len(c.funcs)) {
				err = invalidf("unknown function %d", e.Index)
			} else {
				c.declared[e.Index] = true
			}
		case ExternTable:
			if uint64(e.Index) >= uint64(len(c.tables)) {
				err = invalidf("unknown table %d", e.Index)
			}
		case ExternMemory:
			if uint64(e.Index) >= uint64(c.numMems) {
				err = invalidf("unknown memory %d", e.Index)
			}
		case ExternGlobal:
			if uint64(e.Index) >= uint64(len(c.globals)) {
				err = invalidf("unknown global %d", e.Index)
			}
		default:
			err = invalidf("unknown export kind 0x%02x", byte(e.Kind))
		}
		if err != nil {
			return fmt.Errorf("section export: export[%d] %q: %w", i, e.Name, err)
		}
	}
	return nil
}

func (c *moduleContext) validateStart() error {
	if !c.m.HasStart {
		return nil
	}
	f := c.m.Start
	if uint64(f) >= uint64(len(c.funcs)) {
		return fmt.Errorf("section start: %w", invalidf("unknown function %d", f))
	}
	if ft := c.m.Types[c.funcs[f]]; len(ft.Params) != 0 || len(ft.Results) != 0 {
		return fmt.Errorf("section start: func[%d]: %w", f, invalidf("start function: type %s is not [] -> []", formatFuncType(ft)))
	}
	return nil
}

func (c *moduleContext) validateElems() error {
	for i := range c.m.Elems {
		if err := c.validElem(&c.m.Elems[i]); err != nil {
			return fmt.Errorf("section elem: elem[%d]: %w", i, err)
		}
	}
	return nil
}

func (c *moduleContext) validElem(e *Elem) error {
	if !e.Type.IsRef() {
		return invalidf("element type %s is not a reference type", e.Type)
	}
	switch e.Mode {
	case SegmentActive:
		if uint64(e.Table) >= uint64(len(c.tables)) {
			return invalidf("unknown table %d", e.Table)
		}
		if t := c.tables[e.Table].Elem; t != e.Type {
			return invalidf("type mismatch: table %d holds %s, segment holds %s", e.Table, t, e.Type)
		}
		if err := c.validConst(e.Offset, I32); err != nil {
			return fmt.Errorf("offset at 0x%x: %w", e.Offset.Offset, err)
		}
	case SegmentPassive, SegmentDeclarative:
	default:
		return invalidf("unknown segment mode %d", e.Mode)
	}
	for j := range e.Init {
		if err := c.validConst(e.Init[j], e.Type); err != nil {
			return fmt.Errorf("init[%d] at 0x%x: %w", j, e.Init[j].Offset, err)
		}
	}
	return nil
}

func (c *moduleContext) validateDatas() error {
	m := c.m
	for i := range m.Datas {
		d := &m.Datas[i]
		switch d.Mode {
		case SegmentActive:
			if uint64(d.Memory) >= uint64(c.numMems) {
				return fmt.Errorf("section data: data[%d]: %w", i, invalidf("unknown memory %d", d.Memory))
			}
			if err := c.validConst(d.Offset, I32); err != nil {
				return fmt.Errorf("section data: data[%d]: offset at 0x%x: %w", i, d.Offset.Offset, err)
			}
		case SegmentPassive:
		default:
			return fmt.Errorf("section data: data[%d]: %w", i, invalidf("unknown segment mode %d", d.Mode))
		}
	}
	if m.HasDataCount && uint64(m.DataCount) != uint64(len(m.Datas)) {
		return invalidf("section data: data count and data section have inconsistent lengths: data count %d, %d segments", m.DataCount, len(m.Datas))
	}
	return nil
}

// formatFuncType renders ft as "[i32 i64] -> [f32]".
func formatFuncType(ft FuncType) string {
	return formatTypes(ft.Params) + " -> " + formatTypes(ft.Results)
}

func formatTypes(ts []ValType) string {
	b := []byte{'['}
	for i, t := range ts {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t.String()...)
	}
	return string(append(b, ']'))
}

// FuncType returns the type of function idx in the function index space
// (imported functions first). ok is false if idx or its type index is out
// of range.
func (m *Module) FuncType(idx uint32) (ft FuncType, ok bool) {
	t, ok := m.FuncTypeIndex(idx)
	if !ok {
		return FuncType{}, false
	}
	return m.Types[t], true
}
