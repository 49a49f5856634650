package diff

import (
	"fmt"
	"strings"
)

// EngineConfig configures the engines Engines builds.
type EngineConfig struct {
	// Interruptible makes engines stop a run at its context's deadline
	// (engine-timeout) by themselves: wasmtime through epochs (about 1.2x
	// on loops), wazero through close-on-context-done (up to 20x on tight
	// loops). The reference machine always checks its context. An engine
	// that does not stop by itself is abandoned by CheckBlock after the
	// budget plus a grace.
	Interruptible bool
	// NoWazeroInterrupt, with Interruptible, leaves wazero out for runs
	// whose gas cannot outlast their deadline (deadline.go): the cheap
	// choice of referee check's default "--interrupt cheap".
	NoWazeroInterrupt bool
}

func (c EngineConfig) wazero() bool { return c.Interruptible && !c.NoWazeroInterrupt }

// engineMakers lists the engines built into this binary, in the default
// comparison order; wasmtime.go adds itself when built with cgo.
var engineMakers = []struct {
	name string
	make func(EngineConfig) Engine
}{
	{"reference", func(EngineConfig) Engine { return Reference{} }},
	{"wazero-interp", func(c EngineConfig) Engine { return newWazeroFor(false, c) }},
	{"wazero-compiler", func(c EngineConfig) Engine { return newWazeroFor(true, c) }},
}

// AllEngineNames returns the engines built into this binary, in order:
// the default engine list of referee check.
func AllEngineNames() []string {
	var out []string
	for _, m := range engineMakers {
		out = append(out, m.name)
	}
	return out
}

// Engines builds the named engines, in the given order. Besides the names
// of AllEngineNames it knows "planted" and "planted:SPEC" (planted.go).
func Engines(names []string, c EngineConfig) ([]Engine, error) {
	var out []Engine
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("engine %q listed twice", n)
		}
		seen[n] = true
		e, err := newEngine(n, c)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func newEngine(name string, c EngineConfig) (Engine, error) {
	if name == "planted" {
		return NewPlanted("")
	}
	if spec, ok := strings.CutPrefix(name, "planted:"); ok {
		if spec == "" {
			return nil, fmt.Errorf("engine %q: want planted:FIELD@TX", name)
		}
		return NewPlanted(spec)
	}
	for _, m := range engineMakers {
		if m.name == name {
			return m.make(c), nil
		}
	}
	return nil, fmt.Errorf("unknown engine %q (known: %s, planted)", name, strings.Join(AllEngineNames(), ", "))
}

// CloseEngines closes the engines that hold resources.
func CloseEngines(es []Engine) {
	for _, e := range es {
		if c, ok := e.(Closer); ok {
			c.Close()
		}
	}
}
