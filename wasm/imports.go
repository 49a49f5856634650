package wasm

import "fmt"

// decodeImports reads the import section.
// https://webassembly.github.io/spec/core/binary/modules.html#import-section
func decodeImports(r *reader, m *Module) error {
	n, err := r.count("import", 3)
	if err != nil {
		return err
	}
	m.Imports = makeN[[]Import](n)
	for i := range m.Imports {
		if err := r.importEntry(&m.Imports[i]); err != nil {
			return fmt.Errorf("import[%d]: %w", i, err)
		}
	}
	return nil
}

func (r *reader) importEntry(im *Import) error {
	var err error
	if im.Module, err = r.name("module name"); err != nil {
		return err
	}
	if im.Name, err = r.name("field name"); err != nil {
		return err
	}
	off := r.off()
	k, err := r.byte1("import kind")
	if err != nil {
		return err
	}
	im.Kind = ExternKind(k)
	switch im.Kind {
	case ExternFunc:
		im.Func, err = r.u32("type index")
	case ExternTable:
		im.Table, err = r.tableType()
	case ExternMemory:
		im.Memory.Limits, err = r.limits()
	case ExternGlobal:
		im.Global, err = r.globalType()
	default:
		err = errAt(fmt.Sprintf("read import kind 0x%02x (want 0x00..0x03)", k), off, ErrImportKind)
	}
	return err
}

// decodeExports reads the export section.
// https://webassembly.github.io/spec/core/binary/modules.html#export-section
func decodeExports(r *reader, m *Module) error {
	n, err := r.count("export", 3)
	if err != nil {
		return err
	}
	m.Exports = makeN[[]Export](n)
	for i := range m.Exports {
		e := &m.Exports[i]
		if e.Name, err = r.name("export name"); err != nil {
			return fmt.Errorf("export[%d]: %w", i, err)
		}
		off := r.off()
		k, err := r.byte1("export kind")
		if err == nil && k > byte(ExternGlobal) {
			err = errAt(fmt.Sprintf("read export kind 0x%02x (want 0x00..0x03)", k), off, ErrImportKind)
		}
		if err == nil {
			e.Kind = ExternKind(k)
			e.Index, err = r.u32("export index")
		}
		if err != nil {
			return fmt.Errorf("export[%d] %q: %w", i, e.Name, err)
		}
	}
	return nil
}
