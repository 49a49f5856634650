package corpus

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/wasm"
)

// knownJSON is the shipped list of confirmed engine divergences
// (docs/divergence.md, "Known engine bugs").
//
//go:embed known.json
var knownJSON []byte

// KnownBug is one confirmed divergence of a released engine.
type KnownBug struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Engines are the affected engines' names or path.Match patterns
	// ("wazero-interp@*", "v8-*").
	Engines []string `json:"engines"`
	// Model names how a finding is recognised as this bug (KnownModels).
	Model string `json:"model"`
	// Signatures, for the model "signature": the signatures it shows as.
	Signatures []string `json:"signatures,omitempty"`
	Doc        string   `json:"doc"`
}

// KnownList is a list of known bugs, as the file of referee fuzz --known.
type KnownList struct {
	Version int        `json:"version"`
	Bugs    []KnownBug `json:"bugs"`
}

// KnownModels are the ways a finding is recognised as a known bug:
//
//	active-data-kept               the engine keeps active data segments after instantiation: the
//	                               reference machine, on a copy whose memory.init and data.drop use
//	                               passive copies of the active segments, gives the engine's outcome
//	passive-externref-elem-empty   the engine leaves passive externref element segments empty: the
//	                               reference machine on a copy with those segments emptied agrees
//	active-elem-overflow-skipped   the engine skips an active element segment that overflows its
//	                               table: the reference machine on a copy without it agrees
//	nan-bits                       both values are NaNs, or an f32/f64 argument is a signalling NaN
//	                               (a JavaScript API quiets a signalling NaN crossing it)
//	ambiguous-trap                 the engine reports candidate trap kinds ("a|b") and one is the other's
//	signature                      one of Signatures (bugs no model reproduces: validation, compilation)
var KnownModels = []string{"active-data-kept", "passive-externref-elem-empty", "active-elem-overflow-skipped", "nan-bits", "ambiguous-trap", "signature"}

// ShippedKnown returns the shipped list.
func ShippedKnown() *KnownList {
	l, err := ParseKnown(knownJSON)
	if err != nil {
		panic("BUG: corpus: shipped known.json: " + err.Error())
	}
	return l
}

// LoadKnown reads a known-bugs file.
func LoadKnown(file string) (*KnownList, error) {
	b, err := input.ReadFile(file, maxStoredFile)
	if err != nil {
		return nil, err
	}
	l, err := ParseKnown(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return l, nil
}

// ParseKnown parses and checks a known-bugs list.
func ParseKnown(b []byte) (*KnownList, error) {
	var l KnownList
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, err
	}
	if l.Version != 1 {
		return nil, fmt.Errorf("version %d: want 1", l.Version)
	}
	ids := map[string]bool{}
	for i, k := range l.Bugs {
		where := fmt.Sprintf("bugs[%d]", i)
		if k.ID == "" || ids[k.ID] {
			return nil, fmt.Errorf("%s.id %q: empty or repeated", where, k.ID)
		}
		ids[k.ID] = true
		known := false
		for _, m := range KnownModels {
			known = known || m == k.Model
		}
		if !known {
			return nil, fmt.Errorf("%s.model %q: not one of %s", where, k.Model, strings.Join(KnownModels, ", "))
		}
		if len(k.Engines) == 0 {
			return nil, fmt.Errorf("%s.engines: empty", where)
		}
		for _, p := range k.Engines {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%s.engines: pattern %q: %w", where, p, err)
			}
		}
	}
	return &l, nil
}

func (k *KnownBug) affects(engine string) bool {
	for _, p := range k.Engines {
		if ok, _ := path.Match(p, engine); ok {
			return true
		}
	}
	return false
}

// Classifier recognises findings of a campaign as known bugs.
type Classifier struct {
	List    *KnownList
	Engines []diff.Engine // the oracle's engines, by name
	Gate    diff.GateOptions
	Gas     uint64
}

// Classify returns the ID of the known bug that explains divergence d of
// calls on m, or "". Models that re-run check the diverging call only: the
// reference side runs the model's copy, the affected engine the module.
func (c *Classifier) Classify(ctx context.Context, m *wasm.Module, calls []Call, d *Divergence) string {
	if c == nil || c.List == nil {
		return ""
	}
	for i := range c.List.Bugs {
		k := &c.List.Bugs[i]
		bug := -1
		for j, e := range d.Engines {
			if k.affects(e) {
				bug = j
			}
		}
		if bug < 0 {
			continue
		}
		if c.explains(ctx, k, m, calls, d, bug) {
			return k.ID
		}
	}
	return ""
}

func (c *Classifier) explains(ctx context.Context, k *KnownBug, m *wasm.Module, calls []Call, d *Divergence, bug int) bool {
	switch k.Model {
	case "signature":
		for _, s := range k.Signatures {
			if s == d.Signature {
				return true
			}
		}
		return false
	case "nan-bits":
		if isNaNText(d.Values[0]) && isNaNText(d.Values[1]) {
			return true
		}
		// A quieted argument changes values (results, globals, memory),
		// not how a run ends.
		valueClass := d.Class == diff.ClassValue || d.Class == diff.ClassGlobals || d.Class == diff.ClassMemory
		return valueClass && d.Call >= 0 && d.Call < len(calls) && signallingArg(m, calls[d.Call])
	case "ambiguous-trap":
		return d.Field == "trap" && diff.TrapsAgree(d.Values[0], d.Values[1]) && (strings.Contains(d.Values[0], "|") || strings.Contains(d.Values[1], "|"))
	}
	model := map[string]func(*wasm.Module) *wasm.Module{
		"active-data-kept":             keepActiveData,
		"passive-externref-elem-empty": emptyExternrefElems,
		"active-elem-overflow-skipped": skipOverflowingElems,
	}[k.Model]
	t := model(m)
	if t == nil || d.Call < 0 || d.Call >= len(calls) {
		return false
	}
	var ref, buggy diff.Engine
	for _, e := range c.Engines {
		switch e.Name() {
		case d.Engines[1-bug]:
			ref = e
		case d.Engines[bug]:
			buggy = e
		}
	}
	if ref == nil || buggy == nil {
		return false
	}
	a, okA := c.run(ctx, ref, t, calls[d.Call])
	b, okB := c.run(ctx, buggy, m, calls[d.Call])
	return okA && okB && diff.Compare(&a, &b) == nil
}

// run runs one call of m on e as the oracle does.
func (c *Classifier) run(ctx context.Context, e diff.Engine, m *wasm.Module, call Call) (diff.Outcome, bool) {
	p, err := diff.Gate(wasm.Encode(m), c.Gate)
	if err != nil {
		return diff.Outcome{}, false
	}
	ft, ok := m.ExportedFuncType(call.Export)
	if !ok || len(ft.Params) != len(call.Args) {
		return diff.Outcome{}, false
	}
	gas := c.Gas
	if gas == 0 {
		gas = DefaultGasLimit
	}
	req := &diff.Request{Prog: p, Tx: block.Tx{Entry: call.Export, GasLimit: gas}, TxIndex: -1, State: block.NewState(block.PreState{}), Args: call.Args}
	o := diff.RunSafe(ctx, e, req)
	normalize(&o, ft, p.Module)
	return o, o.Failure == ""
}

// signallingArg reports whether an f32 or f64 argument of c is a
// signalling NaN (quieted by a JavaScript API on its way in).
func signallingArg(m *wasm.Module, c Call) bool {
	ft, ok := m.ExportedFuncType(c.Export)
	if !ok || len(ft.Params) != len(c.Args) {
		return false
	}
	for i, a := range c.Args {
		switch ft.Params[i] {
		case wasm.F32:
			if b := uint32(a); b&0x7f800000 == 0x7f800000 && b&0x7fffff != 0 && b&0x400000 == 0 {
				return true
			}
		case wasm.F64:
			if a&0x7ff0000000000000 == 0x7ff0000000000000 && a&0xfffffffffffff != 0 && a&(1<<51) == 0 {
				return true
			}
		}
	}
	return false
}

// isNaNText reports whether a divergence value is the hex bits of an f32
// or f64 NaN.
func isNaNText(s string) bool {
	if _, v, ok := strings.Cut(s, "="); ok { // a global's value: NAME=0x…
		s = v
	}
	b, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return false
	}
	if b>>32 == 0 {
		return b&0x7f800000 == 0x7f800000 && b&0x7fffff != 0
	}
	return math.IsNaN(math.Float64frombits(b))
}
