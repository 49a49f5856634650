package bench

import "github.com/refereevm/referee/wasm"

// WorkloadDir is the directory of the workload modules, relative to this package.
const WorkloadDir = "../testdata/workloads"

// Call is one invocation of a workload's export: raw argument bits (i32 and
// f32 in the low 32 bits) and the expected result bits.
type Call struct {
	Args []uint64
	Want uint64
}

// Workload is one program in testdata/workloads and the calls made on it.
// Expected results were computed without any Wasm engine: the C workloads by
// the same source compiled natively with gcc (testdata/workloads/expected.sh),
// cross-checked against Python's hashlib (sha256), the Keccak-f[1600] test
// vector (keccak), published prime counts pi(n) (interp), the same
// computation in Python (nbody, vm) and closed forms (fib, loop).
type Workload struct {
	Name   string         // workload name: "fib"
	Size   string         // the benchmark call's size: "n=27"
	File   string         // module file in WorkloadDir
	Export string         // exported function to call
	Params []wasm.ValType // the export's parameter types
	Result wasm.ValType   // the export's single result type
	Bench  Call           // the benchmark's call: ~100 ms on wazero's interpreter
	Test   Call           // a smaller call for TestWorkloads
}

// BenchName returns the benchmark name, carrying the size: "fib/n=27".
func (w Workload) BenchName() string { return w.Name + "/" + w.Size }

// Workloads lists every workload, in benchmark order.
var Workloads = []Workload{
	{
		Name: "fib", Size: "n=27", File: "fib.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{27}, Want: 196418},
		Test:  Call{Args: []uint64{20}, Want: 6765},
	},
	{
		Name: "loop", Size: "n=1000000", File: "loop.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I64}, Result: wasm.I64,
		Bench: Call{Args: []uint64{1000000}, Want: 499999500000},
		Test:  Call{Args: []uint64{10000}, Want: 49995000},
	},
	{
		Name: "sha256", Size: "n=65536", File: "sha256.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32, wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{65536, 1}, Want: 2796129663},
		Test:  Call{Args: []uint64{1000, 1}, Want: 3182647943},
	},
	{
		Name: "keccak", Size: "n=400", File: "keccak.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32}, Result: wasm.I64,
		Bench: Call{Args: []uint64{400}, Want: 0x1ce00569b8a53a37},
		Test:  Call{Args: []uint64{1}, Want: 0xf1258f7940e1dde7},
	},
	{
		Name: "quicksort", Size: "n=20000", File: "quicksort.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32, wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{20000, 1}, Want: 0x539bdf58},
		Test:  Call{Args: []uint64{1000, 1}, Want: 1327427985},
	},
	{
		Name: "matmul", Size: "n=80", File: "matmul.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32}, Result: wasm.F64,
		Bench: Call{Args: []uint64{80}, Want: 0xc039660000000000}, // -25.3984375
		Test:  Call{Args: []uint64{10}, Want: 0x3f90000000000000}, // 0.015625
	},
	{
		Name: "interp", Size: "n=3000", File: "interp.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{3000}, Want: 430},
		Test:  Call{Args: []uint64{500}, Want: 95},
	},
	{
		Name: "lz", Size: "n=131072", File: "lz.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32, wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{131072, 1}, Want: 0xfe1e},
		Test:  Call{Args: []uint64{10000, 1}, Want: 5066},
	},
	{
		Name: "indirect", Size: "n=300000", File: "indirect.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32, wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{300000, 1}, Want: 1623987147},
		Test:  Call{Args: []uint64{1000, 1}, Want: 3502656349},
	},
	{
		Name: "nbody", Size: "n=8000", File: "nbody.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32}, Result: wasm.I64,
		Bench: Call{Args: []uint64{8000}, Want: 13818631750554253184}, // energy -0.1690...
		Test:  Call{Args: []uint64{100}, Want: 13818630752749088170},
	},
	{
		Name: "vm", Size: "n=200", File: "vm.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{200}, Want: 8392},
		Test:  Call{Args: []uint64{20}, Want: 189},
	},
	{
		// SHA-256 of four messages at once, one per i32x4 lane (built with
		// -msimd128: i32x4 arithmetic, v128 bit ops, shifts, lane moves)
		Name: "sha256x4", Size: "n=1000", File: "sha256x4.wasm", Export: "run",
		Params: []wasm.ValType{wasm.I32, wasm.I32}, Result: wasm.I32,
		Bench: Call{Args: []uint64{1000, 1}, Want: 3926876783},
		Test:  Call{Args: []uint64{20, 1}, Want: 2042034077},
	},
}

// ResultMask returns the mask of a result's meaningful bits: i32 and f32
// results use the low 32 bits.
func ResultMask(t wasm.ValType) uint64 {
	if t == wasm.I32 || t == wasm.F32 {
		return 0xffffffff
	}
	return ^uint64(0)
}
