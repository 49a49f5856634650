package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// NarrowData is what a narrowing search's report shows.
type NarrowData struct {
	Target  string // what was narrowed, e.g. "sha256.wasm run"
	Engines [2]string
	K       int
	Total   [2]uint64 // each engine's steps of the whole run
	Rounds  []NarrowRound
	// The step found, and what it is.
	Step      uint64
	Where     string // e.g. "func 3 offset 0x1a2 i32.add"
	Field     string // the first differing field of the states after it
	Runs      int
	Wall      time.Duration
	Agree     bool // the engines agreed: there are no rounds
	Describe  string
	ProofNote string
}

// NarrowRound is one round of the search: the interval, the points both
// engines were run to, and the first part whose end states differed.
type NarrowRound struct {
	Lo, Hi uint64
	Points []uint64 // boundaries p_0 = Lo … p_m = Hi
	First  int      // index of the part kept
}

// NarrowPage builds the report of a narrowing: the rounds as a ladder and
// the interval's width per round, and the step found.
func NarrowPage(d *NarrowData) *Page {
	p := &Page{Title: fmt.Sprintf("referee narrow: %s, %s against %s", d.Target, d.Engines[0], d.Engines[1])}
	p.Facts = [][2]string{
		{"target", d.Target}, {"engines", d.Engines[0] + ", " + d.Engines[1]},
		{"k", fmt.Sprint(d.K)}, {"whole-run steps", fmt.Sprintf("%d, %d", d.Total[0], d.Total[1])},
		{"rounds", fmt.Sprint(len(d.Rounds))}, {"engine runs", fmt.Sprint(d.Runs)},
		{"wall clock", d.Wall.Round(time.Millisecond).String()},
	}
	if d.Agree {
		p.Facts = append(p.Facts, [2]string{"result", "the engines agree"})
	} else {
		p.Facts = append(p.Facts, [2]string{"first differing step", fmt.Sprint(d.Step)},
			[2]string{"instruction", d.Where}, [2]string{"differing field", d.Field})
	}
	var ladder []LadderRow
	var width []Point
	var rows [][]string
	for i, r := range d.Rounds {
		kept := ""
		if r.First >= 0 && r.First+1 < len(r.Points) {
			lo, hi := r.Points[r.First], r.Points[r.First+1]
			kept = fmt.Sprintf("[%d, %d]", lo, hi)
			width = append(width, Point{float64(i + 1), math.Log10(float64(max(hi-lo, 1)))})
		}
		if i == 0 {
			width = append([]Point{{0, math.Log10(float64(max(r.Hi-r.Lo, 1)))}}, width...)
		}
		ladder = append(ladder, LadderRow{Label: fmt.Sprintf("round %d", i+1), Lo: r.Lo, Hi: r.Hi, Points: r.Points, Pick: r.First,
			Note: "→ " + kept})
		var pts []string
		for _, v := range r.Points[1:max(len(r.Points)-1, 1)] {
			pts = append(pts, fmt.Sprint(v))
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), fmt.Sprintf("[%d, %d]", r.Lo, r.Hi), strings.Join(pts, " "), fmt.Sprint(r.First), kept})
	}
	body := []template.HTML{
		Ladder{ID: "search-ladder", Title: "search interval per round", Rows: ladder}.SVG(),
		LineChart{ID: "search-width", Title: "interval width per round", X: Axis{Label: "rounds", Integer: true},
			Y:      Axis{Label: "steps (log10)", Format: func(v float64) string { return "1e" + trimFloat(v) }},
			Series: []Series{{Name: "log10(hi - lo)", Points: width}}}.SVG(),
		Table("search-table", []string{"round", "interval", "points run to", "first differing part", "kept"}, rows, 2),
	}
	p.Sections = append(p.Sections, Section{ID: "rounds", Heading: "Search rounds",
		Text: "Each round runs both engines to the inner points of [lo, hi] and keeps the first part whose end states differ; the filled part is the next round's interval.",
		Body: body})
	if d.Describe != "" {
		p.Sections = append(p.Sections, Section{ID: "step", Heading: "The step",
			Body: []template.HTML{template.HTML("<pre>" + esc(d.Describe) + "</pre>")}})
	}
	if d.ProofNote != "" {
		p.Sections = append(p.Sections, Section{ID: "proof", Heading: "Proof", Text: d.ProofNote})
	}
	return p
}
