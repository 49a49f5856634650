package wasm

import "fmt"

// ResourceLimits bounds what a module may declare, so that a few hostile
// bytes cannot make a consumer allocate gigabytes or recurse without end.
// The limits are deterministic (they depend only on the module, never on
// the host) and are applied by Validate before any function body is
// walked; only MaxBlockDepth needs the walk. A rejection wraps ErrLimit,
// never ErrInvalid: the module may be valid Wasm that this configuration
// refuses to run.
//
// Each field is an inclusive maximum. A zero field means "use the value of
// DefaultLimits", so the zero ResourceLimits is the default configuration;
// set a field to math.MaxUint32 to lift it.
//
// (The API contract calls this type Limits; that name already belongs to
// the min/max of a table or memory in the data model, hence the longer
// name. Callers usually write wasm.Validate(m, wasm.DefaultLimits()).)
type ResourceLimits struct {
	MaxModuleSize uint32 // bytes of the binary (Module.Size)

	MaxTypes        uint32 // entries of the type section
	MaxFuncs        uint32 // function index space: imported + defined
	MaxImports      uint32 // entries of the import section
	MaxExports      uint32 // entries of the export section
	MaxGlobals      uint32 // global index space: imported + defined
	MaxTables       uint32 // table index space: imported + defined
	MaxElemSegments uint32 // entries of the element section
	MaxDataSegments uint32 // entries of the data section

	MaxLocalsPerFunc uint32 // params + declared locals of one defined function
	MaxFuncBodySize  uint32 // bytes of one function body (Code.Body)
	MaxBlockDepth    uint32 // nested block/loop/if/else, not counting the function body itself

	MaxDataSegmentSize uint32 // bytes of one data segment
	MaxElemSegmentSize uint32 // entries of one element segment
	MaxTableSize       uint32 // initial elements of one table, imported or defined
	MaxMemoryPages     uint32 // initial 64 KiB pages of a memory, imported or defined
}

// DefaultLimits returns limits that let every valid module of the Wasm 2.0
// spec suite and ordinary compiled programs through, while bounding the
// memory a consumer spends on a module to a small multiple of its size.
func DefaultLimits() ResourceLimits {
	return ResourceLimits{
		// 64 MiB: the largest real-world modules (whole language runtimes
		// compiled to Wasm) are a few tens of MiB; the spec suite's largest
		// module is under 100 KiB. Validate sees the module only after
		// Decode; a caller that wants to spend nothing on a larger input
		// compares len(bytes) with this value before decoding.
		MaxModuleSize: 64 << 20,

		// 100,000 entries per index space and section: an order of
		// magnitude above large compiled programs (a big C++ program has
		// tens of thousands of functions), and small enough that per-entry
		// bookkeeping (a few words each) stays in the low MiB.
		MaxTypes:        100_000,
		MaxFuncs:        100_000,
		MaxImports:      100_000,
		MaxExports:      100_000,
		MaxGlobals:      100_000,
		MaxTables:       100_000,
		MaxElemSegments: 100_000,
		MaxDataSegments: 100_000,

		// 50,000 locals: a machine allocates one 8-byte slot per local on
		// each call, so one frame costs at most 400 KB. The decoder sums
		// local declarations without allocating, so the "10 bytes declaring
		// 2^32 locals" bomb is rejected here before anything is allocated.
		// Compilers emit at most a few thousand locals per function.
		MaxLocalsPerFunc: 50_000,

		// 8 MiB per function body: generated code (big switch-based
		// interpreters, unrolled loops) stays well below a MiB per function;
		// this only stops a single body from being the whole module.
		MaxFuncBodySize: 8 << 20,

		// 65,536 nested blocks. Real compilers nest deeply: Go's Wasm back
		// end puts one block per resume point around a br_table (3,289 in
		// a 14 MB Go program), Emscripten lowers a switch to one block per
		// case (tree-sitter lexers: 1,110-1,917). wazero, wasmtime and V8
		// have no nesting limit of their own. What a level costs here is a
		// control frame in the validator (72 B) and one in the machine's
		// compiler (about 100 B), both flat slices, never recursion: 65,536
		// levels hold at most about 11 MiB while validating one function,
		// about the size of the bytes that declare them (2 B a block at
		// least, so such a body is at least 128 KiB). The cap stops a body
		// of millions of nested blocks from costing hundreds of MiB. The
		// block gate keeps its own, much smaller, limit (meter.BlockLimits).
		MaxBlockDepth: 65536,

		// 16 MiB of initial data per segment and 1 Mi entries per element
		// segment: large static data (fonts, tables) fits; a segment larger
		// than this is almost certainly an attempt to exhaust memory when
		// the segment is applied at instantiation.
		MaxDataSegmentSize: 16 << 20,
		MaxElemSegmentSize: 1 << 20,

		// 10 million initial table elements (80 MB as 8-byte references):
		// real tables hold at most a few hundred thousand functions.
		MaxTableSize: 10_000_000,

		// 65,536 initial pages (4 GiB) is the Wasm 2.0 maximum itself: the
		// machine holds memory as lazily allocated 4 KiB pages, so declaring
		// a large memory costs nothing until it is touched. Runtime growth is
		// bounded separately by the machine's own configuration.
		MaxMemoryPages: 65536,
	}
}

// withDefaults replaces every zero field of l by its default.
func (l ResourceLimits) withDefaults() ResourceLimits {
	d := DefaultLimits()
	set := func(f *uint32, def uint32) {
		if *f == 0 {
			*f = def
		}
	}
	set(&l.MaxModuleSize, d.MaxModuleSize)
	set(&l.MaxTypes, d.MaxTypes)
	set(&l.MaxFuncs, d.MaxFuncs)
	set(&l.MaxImports, d.MaxImports)
	set(&l.MaxExports, d.MaxExports)
	set(&l.MaxGlobals, d.MaxGlobals)
	set(&l.MaxTables, d.MaxTables)
	set(&l.MaxElemSegments, d.MaxElemSegments)
	set(&l.MaxDataSegments, d.MaxDataSegments)
	set(&l.MaxLocalsPerFunc, d.MaxLocalsPerFunc)
	set(&l.MaxFuncBodySize, d.MaxFuncBodySize)
	set(&l.MaxBlockDepth, d.MaxBlockDepth)
	set(&l.MaxDataSegmentSize, d.MaxDataSegmentSize)
	set(&l.MaxElemSegmentSize, d.MaxElemSegmentSize)
	set(&l.MaxTableSize, d.MaxTableSize)
	set(&l.MaxMemoryPages, d.MaxMemoryPages)
	return l
}

// limitError reports that a module declares more than a limit allows.
func limitError(what string, have uint64, name string, limit uint32) error {
	return &classError{class: ErrLimit, msg: fmt.Sprintf("%s: %d exceeds %s (%d)", what, have, name, limit)}
}

// Check applies the limits to m. It looks only at counts the decoder has
// already computed (it walks no function body), so it runs in time linear
// in the number of sections' entries, whatever sizes they declare. Zero
// fields of l mean their default. The error wraps ErrLimit.
func (l ResourceLimits) Check(m *Module) error {
	l = l.withDefaults()
	if m.Size > l.MaxModuleSize {
		return limitError("module size", uint64(m.Size), "MaxModuleSize", l.MaxModuleSize)
	}
	counts := []struct {
		section string
		n       uint64
		name    string
		limit   uint32
	}{
		{"section type", uint64(len(m.Types)), "MaxTypes", l.MaxTypes},
		{"section import", uint64(len(m.Imports)), "MaxImports", l.MaxImports},
		{"function index space", uint64(m.NumImports(ExternFunc)) + uint64(len(m.Funcs)), "MaxFuncs", l.MaxFuncs},
		{"section code", uint64(len(m.Codes)), "MaxFuncs", l.MaxFuncs},
		{"table index space", uint64(m.NumImports(ExternTable)) + uint64(len(m.Tables)), "MaxTables", l.MaxTables},
		{"global index space", uint64(m.NumImports(ExternGlobal)) + uint64(len(m.Globals)), "MaxGlobals", l.MaxGlobals},
		{"section export", uint64(len(m.Exports)), "MaxExports", l.MaxExports},
		{"section elem", uint64(len(m.Elems)), "MaxElemSegments", l.MaxElemSegments},
		{"section data", uint64(len(m.Datas)), "MaxDataSegments", l.MaxDataSegments},
	}
	for _, c := range counts {
		if c.n > uint64(c.limit) {
			return fmt.Errorf("%s: %w", c.section, limitError("count", c.n, c.name, c.limit))
		}
	}
	for i := range m.Imports {
		im := &m.Imports[i]
		var err error
		switch im.Kind {
		case ExternTable:
			err = checkInitial(im.Table.Limits, 0, "table size", "MaxTableSize", l.MaxTableSize)
		case ExternMemory:
			err = checkInitial(im.Memory.Limits, maxPages, "memory pages", "MaxMemoryPages", l.MaxMemoryPages)
		}
		if err != nil {
			return fmt.Errorf("section import: import[%d]: %w", i, err)
		}
	}
	for i := range m.Tables {
		if err := checkInitial(m.Tables[i].Limits, 0, "table size", "MaxTableSize", l.MaxTableSize); err != nil {
			return fmt.Errorf("section table: table[%d]: %w", i, err)
		}
	}
	for i := range m.Memories {
		if err := checkInitial(m.Memories[i].Limits, maxPages, "memory pages", "MaxMemoryPages", l.MaxMemoryPages); err != nil {
			return fmt.Errorf("section memory: memory[%d]: %w", i, err)
		}
	}
	for i := range m.Elems {
		if n := uint64(len(m.Elems[i].Init)); n > uint64(l.MaxElemSegmentSize) {
			return fmt.Errorf("section elem: elem[%d]: %w", i, limitError("entries", n, "MaxElemSegmentSize", l.MaxElemSegmentSize))
		}
	}
	for i := range m.Datas {
		if n := uint64(len(m.Datas[i].Init)); n > uint64(l.MaxDataSegmentSize) {
			return fmt.Errorf("section data: data[%d]: %w", i, limitError("bytes", n, "MaxDataSegmentSize", l.MaxDataSegmentSize))
		}
	}
	numImportedFuncs := m.NumImports(ExternFunc)
	for i := range m.Codes {
		c := &m.Codes[i]
		fn := numImportedFuncs + i
		if n := uint64(len(c.Body)); n > uint64(l.MaxFuncBodySize) {
			return fmt.Errorf("section code: func[%d]: %w", fn, limitError("body size", n, "MaxFuncBodySize", l.MaxFuncBodySize))
		}
		// Params count too: they occupy local slots. A missing or bad type
		// index is reported by validation proper; here it counts as 0.
		var params uint64
		if i < len(m.Funcs) && uint64(m.Funcs[i]) < uint64(len(m.Types)) {
			params = uint64(len(m.Types[m.Funcs[i]].Params))
		}
		if n := params + c.NumLocals; n > uint64(l.MaxLocalsPerFunc) {
			return fmt.Errorf("section code: func[%d]: %w", fn, limitError("params and locals", n, "MaxLocalsPerFunc", l.MaxLocalsPerFunc))
		}
	}
	return nil
}

// checkInitial checks the initial size of a table or memory against
// limit. Sizes that are invalid Wasm (min above max, or above specMax when
// that is not 0) are left to validation, which reports them with the
// spec's message: an invalid module is not a limit rejection.
func checkInitial(lim Limits, specMax uint32, what, name string, limit uint32) error {
	if (lim.HasMax && lim.Min > lim.Max) || (specMax != 0 && lim.Min > specMax) {
		return nil
	}
	if lim.Min > limit {
		return limitError("initial "+what, uint64(lim.Min), name, limit)
	}
	return nil
}
