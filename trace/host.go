package trace

import "github.com/refereevm/referee/wasm"

// HostFunc lets a Go function be imported; it runs as one step and must be
// deterministic. A non-nil error ends the call (the machine traps with
// TrapUnreachable unless the error is a *Trap).
type HostFunc func(m *Machine, args []Value) ([]Value, error)

// AddHostFunc allocates a host function in the store and returns its address.
func (m *Machine) AddHostFunc(t wasm.FuncType, f HostFunc) Extern {
	m.store.funcs = append(m.store.funcs, funcInst{typ: t, host: f})
	return Extern{Kind: wasm.ExternFunc, Addr: uint32(len(m.store.funcs) - 1)}
}

// RegisterSpectest registers the spec test suite's host module "spectest".
func (m *Machine) RegisterSpectest() {}
