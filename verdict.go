package referee

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

// Verdict is the result of checking a block.
type Verdict struct {
	Block   *block.Block
	Report  *diff.Report
	Engines []string // as named for the check (planted specs included): what a replay names
}

// Agree reports whether every engine agreed on every transaction.
func (v *Verdict) Agree() bool { return v.Report.Divergence == nil }

// Commitment returns the post-state commitment; ok is false on a
// divergence.
func (v *Verdict) Commitment() (c [32]byte, ok bool) {
	return v.Report.Commitment, v.Agree()
}

// PostState returns the state after the agreed transactions (all of them
// when the engines agree) as a pre-state: the next block's "pre"
// (block.PreState.JSON). Contract comments are kept.
func (v *Verdict) PostState() block.PreState {
	st := block.NewState(v.Block.Pre)
	for i, r := range v.Report.Receipts {
		if r.Status == block.StatusOK && !st.Apply(v.Block.Txs[i].Contract, r.Writes) {
			panic("BUG: referee: an agreed receipt writes to a contract missing from the state")
		}
	}
	if v.Agree() && st.Commitment() != v.Report.Commitment {
		panic("BUG: referee: the receipts do not rebuild the committed post-state")
	}
	pre := st.Pre()
	for i := range pre.Contracts {
		if c, ok := v.Block.Pre.Contract(pre.Contracts[i].Address); ok {
			pre.Contracts[i].Comment = c.Comment
		}
	}
	return pre
}

// Document is a verdict as JSON: the document `referee check --json`
// prints, `referee serve` answers and a replay bundle's outcomes.json
// holds (docs/divergence.md): lowerCamel keys, bytes as 0x hex, receipts
// in block.Receipt's JSON form.
type Document struct {
	Block      string            `json:"block"`
	Engines    []string          `json:"engines"`
	Agree      bool              `json:"agree"`
	Commitment string            `json:"commitment,omitempty"`
	Receipts   []block.Receipt   `json:"receipts"`
	Divergence *DocumentDiverge  `json:"divergence,omitempty"`
	Outcomes   []DocumentOutcome `json:"outcomes,omitempty"` // the divergent transaction's, in engine order
	TimeNs     map[string]int64  `json:"timeNs"`             // each engine's total time (encoding/json sorts the keys)
}

// DocumentDiverge is the divergence of a Document.
type DocumentDiverge struct {
	Tx        int       `json:"tx"`
	Class     string    `json:"class"`
	Field     string    `json:"field"`
	Signature string    `json:"signature"`
	Engines   [2]string `json:"engines"`
	Values    [2]string `json:"values"`
}

// DocumentOutcome is one engine's outcome of the divergent transaction.
type DocumentOutcome struct {
	Engine      string        `json:"engine"`
	Failure     string        `json:"failure,omitempty"`
	Detail      string        `json:"detail,omitempty"`
	Receipt     block.Receipt `json:"receipt"`
	Results     []uint64      `json:"results"` // the entry's result bits (i32/f32 in the low 32 bits)
	GuestGas    uint64        `json:"guestGas"`
	HostGas     uint64        `json:"hostGas"`
	Exit        uint32        `json:"exit"`
	MemoryPages uint32        `json:"memoryPages"`
	MemoryHash  string        `json:"memoryHash"`
	DirtyPages  uint32        `json:"dirtyPages"`
	TimeNs      int64         `json:"timeNs"`
}

// OutcomeDocument is o as a DocumentOutcome.
func OutcomeDocument(o diff.Outcome) DocumentOutcome {
	return DocumentOutcome{
		Engine: o.Engine, Failure: o.Failure, Detail: o.Detail, Receipt: o.Receipt, Results: append([]uint64{}, o.Results...),
		GuestGas: o.GuestGas, HostGas: o.HostGas, Exit: o.Exit, MemoryPages: o.MemoryPages,
		MemoryHash: block.FormatHex(o.MemoryHash[:]), DirtyPages: o.DirtyPages, TimeNs: o.Time.Nanoseconds(),
	}
}

// Document returns the verdict's JSON document; name is what its "block"
// field names (the file, or "block.json" in a bundle).
func (v *Verdict) Document(name string) Document {
	return ReportDocument(name, v.Report)
}

// ReportDocument is the Document of a diff.Report.
func ReportDocument(name string, rep *diff.Report) Document {
	j := Document{Block: name, Engines: rep.Engines, Agree: rep.Divergence == nil, Receipts: []block.Receipt{}, TimeNs: map[string]int64{}}
	j.Receipts = append(j.Receipts, rep.Receipts...)
	if dv := rep.Divergence; dv != nil {
		j.Divergence = &DocumentDiverge{Tx: dv.Tx, Class: dv.Class, Field: dv.Field, Signature: dv.Signature, Engines: dv.Engines, Values: dv.Values}
		for _, o := range rep.Txs[dv.Tx] {
			j.Outcomes = append(j.Outcomes, OutcomeDocument(o))
		}
	} else {
		j.Commitment = block.FormatHex(rep.Commitment[:])
	}
	for i, n := range rep.Engines {
		j.TimeNs[n] = rep.EngineTime[i].Nanoseconds()
	}
	return j
}

// File is one file of a replay bundle: a slash-separated path and its
// bytes.
type File struct {
	Name string
	Data []byte
}

// Bundle returns the replay bundle of a divergence (nil on agreement), in
// a fixed order: block.json (the block, code inlined),
// modules/ADDRESS.wasm and modules/ADDRESS.instrumented.wasm (each
// contract as given and as every engine ran it), outcomes.json (the
// Document) and README.txt with the command that replays it.
func (v *Verdict) Bundle() []File {
	rep, b := v.Report, v.Block
	dv := rep.Divergence
	if dv == nil {
		return nil
	}
	files := []File{{"block.json", b.JSON()}}
	for _, c := range b.Pre.Contracts {
		files = append(files, File{"modules/" + c.Address + ".wasm", c.Code})
		if p := rep.Programs[c.Address]; p != nil {
			files = append(files, File{"modules/" + c.Address + ".instrumented.wasm", p.Code})
		}
	}
	js, err := json.MarshalIndent(v.Document("block.json"), "", "  ")
	if err != nil {
		panic("BUG: referee: a document does not marshal: " + err.Error())
	}
	files = append(files, File{"outcomes.json", append(js, '\n')})
	readme := fmt.Sprintf(`Replay bundle written by referee check.

Divergence at transaction %d: class %s, field %s, signature %s.
Engines: %s

Replay:
  referee check block.json --engines %s

block.json has every contract's code inlined; modules/ holds each contract
as given (ADDRESS.wasm) and as every engine ran it (ADDRESS.instrumented.wasm).
outcomes.json holds the agreed receipts before the divergence and every
engine's outcome of the divergent transaction.
`, dv.Tx, dv.Class, dv.Field, dv.Signature, strings.Join(rep.Engines, ", "), strings.Join(v.Engines, ","))
	return append(files, File{"README.txt", []byte(readme)})
}

// Report rebuilds the diff.Report a Document was made from, as far as the
// document carries it (a client of referee serve prints a remote verdict
// so): engines, receipts, the divergence and its transaction's outcomes,
// the commitment and the engines' times. Programs and the outcomes of the
// transactions agreed on are not in a document.
func (d *Document) Report() (*diff.Report, error) {
	rep := &diff.Report{Engines: d.Engines, Receipts: d.Receipts}
	for _, e := range d.Engines {
		rep.EngineTime = append(rep.EngineTime, time.Duration(d.TimeNs[e]))
	}
	if d.Agree {
		c, err := block.ParseHex(d.Commitment)
		if err != nil || len(c) != 32 {
			return nil, fmt.Errorf("commitment %q: want 0x and 64 hex digits", d.Commitment)
		}
		copy(rep.Commitment[:], c)
		return rep, nil
	}
	dv := d.Divergence
	if dv == nil {
		return nil, fmt.Errorf("a refusal without its divergence")
	}
	if dv.Tx != len(d.Receipts) {
		return nil, fmt.Errorf("divergence at tx %d after %d receipts", dv.Tx, len(d.Receipts))
	}
	rep.Divergence = &diff.Divergence{Tx: dv.Tx, Class: dv.Class, Field: dv.Field, Signature: dv.Signature, Engines: dv.Engines, Values: dv.Values}
	rep.Txs = make([][]diff.Outcome, dv.Tx+1)
	for _, o := range d.Outcomes {
		out := diff.Outcome{Engine: o.Engine, Failure: o.Failure, Detail: o.Detail, Receipt: o.Receipt, Results: o.Results,
			GuestGas: o.GuestGas, HostGas: o.HostGas, Exit: o.Exit, MemoryPages: o.MemoryPages, DirtyPages: o.DirtyPages, Time: time.Duration(o.TimeNs)}
		if h, err := block.ParseHex(o.MemoryHash); err == nil && len(h) == 32 {
			copy(out.MemoryHash[:], h)
		}
		rep.Txs[dv.Tx] = append(rep.Txs[dv.Tx], out)
	}
	return rep, nil
}
