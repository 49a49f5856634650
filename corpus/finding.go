package corpus

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/refereevm/referee/diff"
)

// Call is one call of an exported function. Args are raw bits, i32 and
// f32 in the low 32 bits, as diff.Request takes them.
type Call struct {
	Export string   `json:"export"`
	Args   []uint64 `json:"args"`
}

// Divergence is what an oracle reports about a module and its calls: the
// first call on which two engines disagree and how.
type Divergence struct {
	Call      int       `json:"call"` // index into the calls
	Class     string    `json:"class"`
	Field     string    `json:"field"`
	Signature string    `json:"signature"`
	Engines   [2]string `json:"engines"` // the first engine and the first one disagreeing with it
	Values    [2]string `json:"values"`  // the field's value on each
	Outcomes  []Outcome `json:"outcomes,omitempty"`
}

// Outcome is what a finding records of one engine's run of the diverging
// call: a summary of diff.Outcome without wall-clock time, so that a
// record reads back exactly as written.
type Outcome struct {
	Engine   string   `json:"engine"`
	Failure  string   `json:"failure,omitempty"`
	Detail   string   `json:"detail,omitempty"`
	Status   string   `json:"status"`
	Trap     string   `json:"trap,omitempty"`
	TrapOp   string   `json:"trapOp,omitempty"`
	Results  []uint64 `json:"results,omitempty"`
	GasUsed  uint64   `json:"gasUsed"`
	MemHash  string   `json:"memoryHash"`
	MemPages uint32   `json:"memoryPages"`
}

// summarize turns engine outcomes into finding outcomes.
func summarize(outs []diff.Outcome) []Outcome {
	var r []Outcome
	for _, o := range outs {
		r = append(r, Outcome{
			Engine: o.Engine, Failure: o.Failure, Detail: o.Detail,
			Status: o.Receipt.Status, Trap: o.Receipt.Trap, TrapOp: o.TrapOp,
			Results: o.Results, GasUsed: o.Receipt.GasUsed,
			MemHash: hex.EncodeToString(o.MemoryHash[:]), MemPages: o.MemoryPages,
		})
	}
	return r
}

// Finding is one stored divergence. The ID depends only on the module's
// bytes and the calls; Found and the outcomes' times are metadata.
type Finding struct {
	ID         string     `json:"id"`
	Signature  string     `json:"signature"`
	Divergence Divergence `json:"divergence"`
	Engines    []string   `json:"engines"` // every engine of the oracle, in comparison order
	Calls      []Call     `json:"calls"`

	// Where the module came from: the campaign seed, the worker, the
	// worker's iteration and the seed the module was generated from.
	Seed       uint64 `json:"seed"`
	Worker     int    `json:"worker"`
	Iter       uint64 `json:"iter"`
	ModuleSeed uint64 `json:"moduleSeed"`
	Origin     string `json:"origin"` // "generate", "mutate" or "import"
	// Source names what an imported finding was made from: the crash
	// file's name and the fuzz target it belongs to.
	Source string `json:"source,omitempty"`

	Found time.Time `json:"found"` // wall clock, metadata only

	Size  int `json:"size"`  // bytes of the module as found
	Funcs int `json:"funcs"` // defined functions of the module as found

	// Minimized is set once the minimized module is stored (ID.min.wasm).
	Minimized *Minimized `json:"minimized,omitempty"`
}

// Minimized describes the minimized module of a finding.
type Minimized struct {
	Size   int    `json:"size"`   // bytes
	Funcs  int    `json:"funcs"`  // defined functions
	Instrs int    `json:"instrs"` // instructions in all bodies, ends included
	Calls  []Call `json:"calls"`  // the calls that still diverge (the diverging one)
	Tries  int    `json:"tries"`  // predicate evaluations
	Steps  int    `json:"steps"`  // accepted reductions
	// Complete is false when minimization stopped early (budget or
	// cancellation): the module is valid and diverges but may shrink more.
	Complete bool `json:"complete"`
}

// idLabel starts every hashed finding, so an ID never collides with
// another structure's hash.
const idLabel = "referee/finding/v1\x00"

// ComputeID returns the finding ID of a module and its calls: the hex
// sha256 of the label, the module's length (8 bytes, big-endian) and bytes,
// then the number of calls and, per call, the export name's length and
// bytes, the number of arguments and each argument (8 bytes, big-endian).
func ComputeID(module []byte, calls []Call) string {
	h := sha256.New()
	var b [8]byte
	put := func(v uint64) {
		binary.BigEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	h.Write([]byte(idLabel))
	put(uint64(len(module)))
	h.Write(module)
	put(uint64(len(calls)))
	for _, c := range calls {
		put(uint64(len(c.Export)))
		h.Write([]byte(c.Export))
		put(uint64(len(c.Args)))
		for _, a := range c.Args {
			put(a)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// before reports whether f comes before g in the deterministic order of
// one campaign: iteration, then worker. Findings of different campaigns
// (different seeds) are never ordered.
func (f *Finding) before(g *Finding) bool {
	if f.Seed != g.Seed {
		return false
	}
	if f.Iter != g.Iter {
		return f.Iter < g.Iter
	}
	return f.Worker < g.Worker
}
