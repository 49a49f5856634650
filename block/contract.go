package block

import (
	"errors"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// ErrContract is the class of errors CheckContract and CheckEntry return: the
// module cannot be a referee-v1 contract.
var ErrContract = errors.New("not a referee-v1 contract")

// CheckContract checks that a decoded module links against ABI referee-v1
// alone: every import is a function from module "referee" named in
// HostFuncs with exactly its type, and it has no start function (a start
// function would run during instantiation, where engines differ in whether
// the instance's memory is reachable yet; contracts initialise memory with
// data segments instead). A contract that uses any pointer-taking
// host function should export its memory as "memory" (without it, only
// zero-length accesses at offset 0 are in bounds); that is not an error.
func CheckContract(m *wasm.Module) error {
	if m.HasStart {
		return fmt.Errorf("start function %d: contracts may not have one: %w", m.Start, ErrContract)
	}
	for i, im := range m.Imports {
		if im.Module != ImportModule {
			return fmt.Errorf("import[%d] %q.%q: module is not %q: %w", i, im.Module, im.Name, ImportModule, ErrContract)
		}
		if im.Kind != wasm.ExternFunc {
			return fmt.Errorf("import[%d] %q.%q: not a function: %w", i, im.Module, im.Name, ErrContract)
		}
		f, ok := LookupHostFunc(im.Name)
		if !ok {
			return fmt.Errorf("import[%d] %q.%q: no such function in %s: %w", i, im.Module, im.Name, ABIName, ErrContract)
		}
		if im.Func >= uint32(len(m.Types)) {
			return fmt.Errorf("import[%d] %q.%q: type index %d out of range: %w", i, im.Module, im.Name, im.Func, ErrContract)
		}
		if !m.Types[im.Func].Equal(f.Type) {
			return fmt.Errorf("import[%d] %q.%q: type %s, want %s: %w", i, im.Module, im.Name, typeString(m.Types[im.Func]), typeString(f.Type), ErrContract)
		}
	}
	return nil
}

// CheckEntry checks that the module exports a function called entry of type
// [] -> [], the type every transaction entry point has.
func CheckEntry(m *wasm.Module, entry string) error {
	for _, e := range m.Exports {
		if e.Name != entry {
			continue
		}
		if e.Kind != wasm.ExternFunc {
			return fmt.Errorf("export %q: not a function: %w", entry, ErrContract)
		}
		t, ok := m.FuncType(e.Index)
		if !ok {
			return fmt.Errorf("export %q: function index %d out of range: %w", entry, e.Index, ErrContract)
		}
		if len(t.Params) != 0 || len(t.Results) != 0 {
			return fmt.Errorf("export %q: type %s, want [] -> []: %w", entry, typeString(t), ErrContract)
		}
		return nil
	}
	return fmt.Errorf("no exported function %q: %w", entry, ErrContract)
}

func typeString(t wasm.FuncType) string {
	s := "["
	for i, p := range t.Params {
		if i > 0 {
			s += " "
		}
		s += p.String()
	}
	s += "] -> ["
	for i, r := range t.Results {
		if i > 0 {
			s += " "
		}
		s += r.String()
	}
	return s + "]"
}
