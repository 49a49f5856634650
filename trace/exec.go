package trace

// Call pushes a call to function fn with args.
func (m *Machine) Call(fn Extern, args []Value) error { return errNotRunning }

// Run executes until the call returns, traps or limit more steps ran.
func (m *Machine) Run(limit uint64) (Status, error) { return m.status, errNotRunning }
