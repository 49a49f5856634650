package wasm

// OperandHeights validates m (as Validate does, with every resource limit
// lifted: the caller has applied its own) and returns, for each defined
// function in order, the greatest height its operand stack reaches in the
// spec's validation algorithm: the most values the function's own frame
// holds on the operand stack at once, over all its blocks, counting the
// values pushed by code after a branch (unreachable code) too, so it is an
// upper bound on what any execution holds. It is what an engine needs to
// size a frame: the reference machine's frame is params + locals + this
// height, and meter weighs a frame's call depth by it.
//
// https://webassembly.github.io/spec/core/appendix/algorithm.html
func OperandHeights(m *Module) ([]uint32, error) {
	return validate(m, LiftedLimits(), true)
}

// LiftedLimits sets every resource limit to its maximum: validation of the
// structure only, for a caller that has applied its own limits.
func LiftedLimits() ResourceLimits {
	const max = 1<<32 - 1
	return ResourceLimits{
		MaxModuleSize: max, MaxTypes: max, MaxFuncs: max, MaxImports: max, MaxExports: max,
		MaxGlobals: max, MaxTables: max, MaxElemSegments: max, MaxDataSegments: max,
		MaxLocalsPerFunc: max, MaxFuncBodySize: max, MaxBlockDepth: max,
		MaxDataSegmentSize: max, MaxElemSegmentSize: max, MaxTableSize: max, MaxMemoryPages: max,
	}
}
