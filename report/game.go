package report

import (
	"encoding/hex"
	"fmt"
	"html/template"
	"math"
	"strings"
)

// GameData is what a dispute game's report shows.
type GameData struct {
	K       int
	Steps   uint64
	Initial [32]byte
	// Claims are the roots after Steps steps: the defender's, then the
	// challenger's.
	Claims [2][32]byte
	Rounds []GameRound
	Result string // e.g. "defender wins (challenger loses: proof valid)"
	Step   uint64 // the step the game narrowed to
	Bytes  uint64 // bytes posted
}

// GameRound is one round of a game: who moved, what, and the disputed
// interval before the move.
type GameRound struct {
	Round  uint64
	Side   string // "defender" or "challenger"
	Kind   string // "split", "pick", "proof", or "" for no move
	Error  string // why the move was rejected ("" if accepted)
	Lo, Hi uint64 // the disputed interval when the move was made
	// Split: the boundaries p_0 … p_m and the defender's roots at
	// p_1 … p_{m-1}.
	Points []uint64
	Roots  [][32]byte
	// Pick: the sub-interval chosen and the challenger's root at its end.
	Index     int
	PickRoot  [32]byte
	ProofSize int
}

func short(r [32]byte) string { return hex.EncodeToString(r[:4]) + "…" }

// GamePage builds the report of a dispute game: the claims, the interval
// narrowing round by round (a ladder of the splits and the part the
// challenger kept, and the interval's width on a log scale) and every
// root each party posted.
func GamePage(d *GameData) *Page {
	p := &Page{Title: fmt.Sprintf("referee dispute play: k=%d, %d steps", d.K, d.Steps)}
	p.Facts = [][2]string{
		{"arity k", fmt.Sprint(d.K)}, {"steps", fmt.Sprint(d.Steps)},
		{"initial root", "0x" + hex.EncodeToString(d.Initial[:])},
		{"defender claims", "0x" + hex.EncodeToString(d.Claims[0][:])},
		{"challenger claims", "0x" + hex.EncodeToString(d.Claims[1][:])},
		{"result", d.Result}, {"narrowed to step", fmt.Sprint(d.Step)},
		{"rounds", fmt.Sprint(len(d.Rounds))}, {"bytes posted", fmt.Sprint(d.Bytes)},
	}
	// Each accepted split becomes a ladder row; the pick that follows it
	// says which part was kept.
	var ladder []LadderRow
	var width []Point
	width = append(width, Point{0, math.Log10(float64(max(d.Steps, 1)))})
	for _, r := range d.Rounds {
		if r.Error != "" {
			continue
		}
		switch r.Kind {
		case "split":
			ladder = append(ladder, LadderRow{Label: fmt.Sprintf("round %d", r.Round), Lo: r.Lo, Hi: r.Hi, Points: r.Points, Pick: -1,
				Note: fmt.Sprintf("[%d, %d]", r.Lo, r.Hi)})
		case "pick":
			if n := len(ladder); n > 0 && ladder[n-1].Pick < 0 {
				row := &ladder[n-1]
				row.Pick = r.Index
				if r.Index+1 < len(row.Points) {
					lo, hi := row.Points[r.Index], row.Points[r.Index+1]
					row.Note = fmt.Sprintf("→ [%d, %d]", lo, hi)
					width = append(width, Point{float64(len(width)), math.Log10(float64(max(hi-lo, 1)))})
				}
			}
		}
	}
	p.Sections = append(p.Sections,
		Section{ID: "narrowing", Heading: "The disputed interval",
			Text: "Each row is one split of the disputed interval [lo, hi] into at most k parts by the defender's roots; the filled part is the one the challenger disputed, which is the next row's interval.",
			Body: []template.HTML{
				Ladder{ID: "interval-ladder", Title: "disputed interval per round", Rows: ladder}.SVG(),
				LineChart{ID: "interval-width", Title: "interval width per split", X: Axis{Label: "splits", Integer: true},
					Y:      Axis{Label: "steps (log10)", Format: func(v float64) string { return "1e" + trimFloat(v) }},
					Series: []Series{{Name: "log10(hi - lo)", Points: width}}}.SVG(),
			}},
		Section{ID: "rounds", Heading: "Rounds and roots",
			Text: "Every round: the mover, its move, the interval it was made on, and the roots it posted (the defender's at the split points, the challenger's at the end of the part it picked).",
			Body: []template.HTML{roundsTable(d)}},
	)
	return p
}

func roundsTable(d *GameData) template.HTML {
	var rows [][]string
	for _, r := range d.Rounds {
		kind := r.Kind
		if kind == "" {
			kind = "no move"
		}
		var roots []string
		switch r.Kind {
		case "split":
			for i, rt := range r.Roots {
				at := ""
				if i+1 < len(r.Points) {
					at = fmt.Sprintf("@%d ", r.Points[i+1])
				}
				roots = append(roots, at+short(rt))
			}
		case "pick":
			roots = append(roots, fmt.Sprintf("part %d, root %s", r.Index, short(r.PickRoot)))
		case "proof":
			roots = append(roots, fmt.Sprintf("proof of step %d, %d bytes", r.Lo, r.ProofSize))
		}
		status := "accepted"
		if r.Error != "" {
			status = "rejected: " + r.Error
		} else if r.Kind == "" {
			status = "round passed"
		}
		rows = append(rows, []string{fmt.Sprint(r.Round), r.Side, kind, fmt.Sprintf("[%d, %d]", r.Lo, r.Hi), strings.Join(roots, " "), status})
	}
	return Table("rounds-table", []string{"round", "side", "move", "interval", "roots", "status"}, rows, 4)
}
