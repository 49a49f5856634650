package fuzz

// Config bounds the size of generated modules and selects the features they
// may use. The zero value of a feature switch disables the feature; use
// DefaultConfig for a configuration with everything enabled.
type Config struct {
	MaxTypes     int // function types declared up front (block types may add more)
	MaxFuncs     int // defined functions
	MaxInstrs    int // generation steps per function body
	MaxDepth     int // nesting of block, loop and if
	MaxParams    int // parameters of a function or block type
	MaxResults   int // results of a function or block type (1 without MultiValue)
	MaxLocals    int // declared locals per function, besides scratch locals
	MaxGlobals   int
	MaxTables    int // 1 without ReferenceTypes
	MaxElems     int // element segments
	MaxDatas     int // data segments
	MaxDataLen   int // bytes of one data segment
	MaxMemPages  uint32
	MaxTableSize uint32

	MultiValue     bool // several results, block parameters, type-index block types
	BulkMemory     bool // memory.init/copy/fill, data.drop, table.init/copy, elem.drop, passive segments
	ReferenceTypes bool // funcref/externref values, table.get/set/grow/size/fill, select t, several tables
	SignExtension  bool // i32.extend8_s and friends
	SatConversion  bool // i32.trunc_sat_f32_s and friends
	Floats         bool // f32 and f64 values and operators
	Memory         bool // a linear memory, loads, stores, data segments
	Tables         bool // tables and element segments
	CallIndirect   bool // call_indirect (needs Tables)
	Globals        bool // globals other than the fuel counter
	StartFunc      bool // a start function may be declared
	// SIMD adds v128 values (locals, globals, blocks, parameters of
	// functions that are not exported) and the 236 vector instructions.
	// DefaultConfig leaves it off, so that the modules of a seed stay
	// what they were before SIMD; campaigns turn it on (SIMDCampaignConfig).
	SIMD bool

	// CanonicalizeNaNs follows every float operator that may produce a NaN
	// with code that replaces a NaN by the canonical NaN.
	CanonicalizeNaNs bool
	// DisallowTraps guards every operator that could trap so that it cannot;
	// unreachable and call_indirect are not generated. Exhausted fuel (see
	// EnsureTermination) and call stack exhaustion still trap.
	DisallowTraps bool
	// EnsureTermination adds a mutable i32 global, the fuel counter, that
	// every function entry and loop header decrements; when it is zero the
	// code executes unreachable. An exported function ResetFuelExport sets it
	// back to Fuel, so a harness can give every call the same budget.
	EnsureTermination bool
	Fuel              uint32
	// Checksum folds every value the generated code would drop (explicit
	// drops and the values removed when a block is closed) into a mutable
	// i64 global exported as ChecksumExport, so that a wrong value computed
	// anywhere is likely to become observable.
	Checksum bool
}

// ChecksumExport is the export name of the checksum global (Config.Checksum).
const ChecksumExport = "checksum"

// ResetFuelExport is the export name of the function that refills the fuel
// counter when Config.EnsureTermination is set.
const ResetFuelExport = "reset_fuel"

// DefaultConfig enables every feature with sizes that keep modules small
// enough to run quickly.
func DefaultConfig() Config {
	return Config{
		MaxTypes:     8,
		MaxFuncs:     6,
		MaxInstrs:    120,
		MaxDepth:     5,
		MaxParams:    4,
		MaxResults:   3,
		MaxLocals:    6,
		MaxGlobals:   6,
		MaxTables:    3,
		MaxElems:     4,
		MaxDatas:     4,
		MaxDataLen:   64,
		MaxMemPages:  4,
		MaxTableSize: 32,

		MultiValue:     true,
		BulkMemory:     true,
		ReferenceTypes: true,
		SignExtension:  true,
		SatConversion:  true,
		Floats:         true,
		Memory:         true,
		Tables:         true,
		CallIndirect:   true,
		Globals:        true,
		StartFunc:      true,

		Fuel: 1000,
	}
}

// DiffConfig is DefaultConfig with the knobs a differential run needs:
// NaNs canonicalized and termination ensured.
func DiffConfig() Config {
	c := DefaultConfig()
	c.CanonicalizeNaNs = true
	c.EnsureTermination = true
	return c
}

// ObserveConfig is DiffConfig with Checksum: dropped and intermediate values
// reach an exported global, so that more wrong values become visible (see
// TestPlantedBug), at the price of longer code.
func ObserveConfig() Config {
	c := DiffConfig()
	c.Checksum = true
	return c
}

// SwarmConfig returns a configuration whose features and sizes are a random
// subset of DefaultConfig's, chosen by s ("swarm testing": each run leaves
// out some features so that the others are exercised more densely). The
// knobs CanonicalizeNaNs, DisallowTraps and EnsureTermination are left off;
// callers set them.
func SwarmConfig(s *Source) Config {
	d := DefaultConfig()
	c := Config{
		MaxTypes:     1 + s.Intn(d.MaxTypes),
		MaxFuncs:     1 + s.Intn(d.MaxFuncs),
		MaxInstrs:    1 + s.Intn(d.MaxInstrs*2),
		MaxDepth:     1 + s.Intn(d.MaxDepth+2),
		MaxParams:    s.Intn(d.MaxParams + 1),
		MaxResults:   s.Intn(d.MaxResults + 1),
		MaxLocals:    s.Intn(d.MaxLocals + 1),
		MaxGlobals:   s.Intn(d.MaxGlobals + 1),
		MaxTables:    1 + s.Intn(d.MaxTables),
		MaxElems:     s.Intn(d.MaxElems + 1),
		MaxDatas:     s.Intn(d.MaxDatas + 1),
		MaxDataLen:   1 + s.Intn(d.MaxDataLen),
		MaxMemPages:  1 + uint32(s.Intn(int(d.MaxMemPages))),
		MaxTableSize: 1 + uint32(s.Intn(int(d.MaxTableSize))),
		Fuel:         d.Fuel,
	}
	// Features are enabled with probability 3/4 each.
	on := func() bool { return s.Intn(4) != 0 }
	c.MultiValue = on()
	c.BulkMemory = on()
	c.ReferenceTypes = on()
	c.SignExtension = on()
	c.SatConversion = on()
	c.Floats = on()
	c.Memory = on()
	c.Tables = on()
	c.CallIndirect = on()
	c.Globals = on()
	c.StartFunc = on()
	return c
}
