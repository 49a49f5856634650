package diff

import (
	"context"
	"fmt"
)

// ModuleEngine runs whole modules, as given (neither gatekept nor
// metered), for referee diff and referee gate: a store per comparison, in
// which modules are instantiated (start function included), registered
// under names for the imports of later modules, and called in order on one
// instance, with everything observable read between calls.
//
// Every engine of this binary is one (Reference, Wazero, Wasmtime); so are
// the engines outside it (package remote), through the engine protocol.
type ModuleEngine interface {
	Name() string
	NewStore(ctx context.Context) (Store, error)
}

// Store is one engine's store: the instances of one comparison. A store is
// used by one goroutine at a time.
type Store interface {
	// Instantiate compiles bin, resolves its imports against the instances
	// registered in this store and instantiates it, start function
	// included. as, if not "", registers the instance under that name. The
	// instance is nil unless the status is ok.
	Instantiate(ctx context.Context, bin []byte, as string) (Instance, Status)
	// Close releases the store and its instances.
	Close() error
}

// Instance is an instance in a store.
type Instance interface {
	// Invoke calls the exported function with raw argument bits (i32/f32
	// in the low 32 bits; a reference argument is 0 for null, and an
	// externref N is N+1) and returns the results' bits (a reference
	// result is 0 when null, else non-zero: the argument's bits for an
	// externref that came in as one).
	Invoke(ctx context.Context, export string, args []uint64) ([]uint64, Status)
	// Observe reads the exported globals, memory and table summaries q
	// names (Observable adds exports for everything that is not exported).
	Observe(ctx context.Context, q *ObserveQuery) (*ObserveReply, error)
	// ReadMemory reads n bytes at off of the exported memory name.
	ReadMemory(ctx context.Context, name string, off, n uint32) ([]byte, error)
}

// Status kinds of an instantiation or a call.
const (
	StatusOK       = "ok"
	StatusTrap     = "trap"     // the guest trapped (a start function, a segment, the call)
	StatusRejected = "rejected" // the engine refused to compile (decode or validate) the module
	StatusLink     = "link"     // an import could not be resolved or has the wrong type
	StatusCrash    = "crash"    // the engine failed in another way (panic, child died, error that is no trap)
	StatusTimeout  = "timeout"  // past the wall-clock budget
)

// Status is how an instantiation or a call ended.
type Status struct {
	Kind   string `json:"status"`
	Trap   string `json:"trap,omitempty"`   // the normalised trap kind (NormalizeTrap), for StatusTrap
	TrapOp string `json:"trapOp,omitempty"` // the opcode that trapped, where the engine knows it; not compared
	Detail string `json:"detail,omitempty"` // the engine's message, for people; not compared
}

// OK is the status of a run that ended normally.
var OK = Status{Kind: StatusOK}

func statusf(kind, format string, args ...any) Status {
	return Status{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

func trapStatus(kind, detail string) Status {
	return Status{Kind: StatusTrap, Trap: NormalizeTrap(kind), Detail: detail}
}

func (s Status) String() string {
	switch s.Kind {
	case StatusTrap:
		return "trap " + s.Trap
	case StatusOK:
		return "ok"
	}
	if s.Detail != "" {
		return s.Kind + " (" + s.Detail + ")"
	}
	return s.Kind
}

// ObserveQuery names what Observe reads, by export name.
type ObserveQuery struct {
	Globals []string `json:"globals,omitempty"`
	Memory  string   `json:"memory,omitempty"` // "" for none
	// Tables are exported functions [] -> [i32 i64] that summarise a table
	// (its size and a hash of which elements are null; Observable adds
	// them).
	Tables []string `json:"tables,omitempty"`
}

// ObserveReply is what Observe read.
type ObserveReply struct {
	Globals []uint64  `json:"globals"` // raw bits, as Invoke results
	Memory  MemDigest `json:"memory"`
	Tables  [][2]uint64
}

// MemDigest summarises a memory: its size and memoryHash.
type MemDigest struct {
	Pages uint32   `json:"pages"` // 64 KiB pages
	Hash  [32]byte `json:"hash"`  // memoryHash: sha256 of the size and the non-zero 4 KiB pages with their indexes
}

// DigestMemory summarises a memory held as bytes.
func DigestMemory(b []byte) MemDigest {
	return MemDigest{Pages: uint32(len(b) / 65536), Hash: memoryHash(sliceMem(b))}
}

// ModuleEngines builds the named engines' module-level form, in order.
// Every engine Engines knows is one, except planted.
func ModuleEngines(names []string, c EngineConfig) ([]ModuleEngine, error) {
	es, err := Engines(names, c)
	if err != nil {
		return nil, err
	}
	out := make([]ModuleEngine, len(es))
	for i, e := range es {
		me, ok := e.(ModuleEngine)
		if !ok {
			CloseEngines(es)
			return nil, fmt.Errorf("engine %q cannot run whole modules", names[i])
		}
		out[i] = me
	}
	return out, nil
}
