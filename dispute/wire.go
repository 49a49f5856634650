package dispute

import (
	"encoding/json"
	"fmt"
)

// wireView is a View's JSON form (docs/dispute.md).
type wireView struct {
	Seq    uint64     `json:"seq"`
	Round  uint64     `json:"round"`
	Turn   string     `json:"turn"`
	K      int        `json:"k"`
	Steps  uint64     `json:"steps"`
	Lo     uint64     `json:"lo"`
	Hi     uint64     `json:"hi"`
	Gindex uint64     `json:"gindex"`
	LoRoot string     `json:"loRoot"`
	HiRoot [2]string  `json:"hiRoot"`
	Points []uint64   `json:"points,omitempty"`
	Roots  []string   `json:"roots,omitempty"`
	Clock  [2]uint64  `json:"clock"`
	Result wireResult `json:"result"`
}

type wireResult struct {
	Over   bool   `json:"over"`
	Winner string `json:"winner,omitempty"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
	Step   uint64 `json:"step"`
}

// MarshalJSON encodes v with 0x-hex roots.
func (v View) MarshalJSON() ([]byte, error) {
	w := wireView{
		Seq: v.Seq, Round: v.Round, Turn: v.Turn.String(), K: v.K, Steps: v.Steps,
		Lo: v.Lo, Hi: v.Hi, Gindex: v.Gindex, LoRoot: Hex(v.LoRoot),
		HiRoot: [2]string{Hex(v.HiRoot[0]), Hex(v.HiRoot[1])},
		Points: v.Points, Clock: v.Clock,
		Result: wireResult{Over: v.Result.Over, Detail: v.Result.Detail, Step: v.Result.Step},
	}
	for _, r := range v.Roots {
		w.Roots = append(w.Roots, Hex(r))
	}
	if v.Result.Over {
		w.Result.Winner = v.Result.Winner.String()
		w.Result.Reason = v.Result.Reason.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes a view.
func (v *View) UnmarshalJSON(b []byte) error {
	var w wireView
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	turn, err := ParseSide(w.Turn)
	if err != nil {
		return fmt.Errorf("view: turn: %w", err)
	}
	*v = View{Seq: w.Seq, Round: w.Round, Turn: turn, K: w.K, Steps: w.Steps,
		Lo: w.Lo, Hi: w.Hi, Gindex: w.Gindex, Points: w.Points, Clock: w.Clock}
	if v.LoRoot, err = ParseRoot(w.LoRoot); err != nil {
		return fmt.Errorf("view: loRoot: %w", err)
	}
	for i, s := range w.HiRoot {
		if v.HiRoot[i], err = ParseRoot(s); err != nil {
			return fmt.Errorf("view: hiRoot[%d]: %w", i, err)
		}
	}
	for i, s := range w.Roots {
		r, err := ParseRoot(s)
		if err != nil {
			return fmt.Errorf("view: roots[%d]: %w", i, err)
		}
		v.Roots = append(v.Roots, r)
	}
	if len(v.Roots) != len(v.Points) {
		return fmt.Errorf("view: %d roots for %d points", len(v.Roots), len(v.Points))
	}
	v.Result = Result{Over: w.Result.Over, Detail: w.Result.Detail, Step: w.Result.Step}
	if w.Result.Over {
		if v.Result.Winner, err = ParseSide(w.Result.Winner); err != nil {
			return fmt.Errorf("view: result: winner: %w", err)
		}
		found := false
		for i, n := range reasonNames {
			if n == w.Result.Reason {
				v.Result.Reason, found = Reason(i), true
			}
		}
		if !found {
			return fmt.Errorf("view: result: unknown reason %q", w.Result.Reason)
		}
	}
	return nil
}
