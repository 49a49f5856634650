package fuzz

import "github.com/refereevm/referee/wasm"

// ProviderModule is the module name under which GenerateLinked's main
// module imports the provider's exports.
const ProviderModule = "env"

// GenerateLinked builds two modules from seed: a provider generated with
// cfg, and a main module, generated with cfg too, that imports some of the
// provider's exported functions and globals (and its memory) under the
// module name ProviderModule. The provider must be instantiated and
// registered under that name before the main module.
func GenerateLinked(seed uint64, cfg Config) (provider, main *wasm.Module) {
	if err := cfg.check(); err != nil {
		panic("BUG: GenerateLinked: " + err.Error())
	}
	provider = generate(NewSeedSource(seed^0x9e3779b97f4a7c15), cfg, nil)
	return provider, generate(NewSeedSource(seed), cfg, provider)
}

// genImports imports about half of the provider's exported functions (but
// its fuel reset) and globals, and its memory, in export order.
func (g *gen) genImports() {
	p := g.provider
	if p == nil {
		return
	}
	for _, e := range p.Exports {
		switch e.Kind {
		case wasm.ExternFunc:
			if e.Name == ResetFuelExport || !g.s.Bool() {
				continue
			}
			ft, _ := p.FuncType(e.Index)
			g.m.Imports = append(g.m.Imports, wasm.Import{Module: ProviderModule, Name: e.Name,
				Kind: wasm.ExternFunc, Func: g.typeIndex(ft)})
			g.funcBase++
		case wasm.ExternGlobal:
			if !g.s.Bool() {
				continue
			}
			gt := p.Globals[int(e.Index)-p.NumImports(wasm.ExternGlobal)].Type
			g.m.Imports = append(g.m.Imports, wasm.Import{Module: ProviderModule, Name: e.Name,
				Kind: wasm.ExternGlobal, Global: gt})
			g.globBase++
		case wasm.ExternMemory:
			if !g.cfg.Memory || !g.s.Bool() {
				continue
			}
			mt := p.Memories[0]
			g.m.Imports = append(g.m.Imports, wasm.Import{Module: ProviderModule, Name: e.Name,
				Kind: wasm.ExternMemory, Memory: mt})
			g.hasMem, g.memMin = true, mt.Limits.Min
		}
	}
}
