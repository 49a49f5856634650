package trace

// funcCode is a function body compiled to ops.
type funcCode struct{}
