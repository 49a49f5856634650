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

// Provider adds engines that are not built into this binary: package
// remote registers exec:CMD, wazero-interp@VERSION, wazero-compiler@VERSION,
// v8-liftoff and v8-turbofan.
type Provider struct {
	// Make builds the named engine; ok is false if the name is not the
	// provider's.
	Make func(name string, c EngineConfig) (e Engine, ok bool, err error)
	// All lists the provider's engines that the engine list "all" includes
	// on this machine, and one note for each it leaves out (e.g.
	// "v8-liftoff: skipped: node not found").
	All func() (names, notes []string)
	// Known describes its names for the unknown-engine message.
	Known string
}

var providers []Provider

// RegisterProvider adds p to the engines Engines knows (at init time).
func RegisterProvider(p Provider) { providers = append(providers, p) }

// ExpandEngines turns an --engines value into engine names: "" is the
// engines built in (AllEngineNames), "all" adds every provider's engines
// available on this machine (notes say which were left out and why), and
// anything else is a comma-separated list.
func ExpandEngines(list string) (names, notes []string) {
	switch list {
	case "":
		return AllEngineNames(), nil
	case "all":
		names = AllEngineNames()
		for _, p := range providers {
			if p.All != nil {
				n, nt := p.All()
				names, notes = append(names, n...), append(notes, nt...)
			}
		}
		return names, notes
	}
	return strings.Split(list, ","), nil
}

func newEngine(name string, c EngineConfig) (Engine, error) {
	for _, p := range providers {
		if e, ok, err := p.Make(name, c); ok {
			return e, err
		}
	}
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
	known := append(AllEngineNames(), "planted")
	for _, p := range providers {
		known = append(known, p.Known)
	}
	return nil, fmt.Errorf("unknown engine %q (known: %s)", name, strings.Join(known, ", "))
}

// CloseEngines closes the engines that hold resources.
func CloseEngines(es []Engine) {
	for _, e := range es {
		if c, ok := e.(Closer); ok {
			c.Close()
		}
	}
}
