package report

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

// FuzzData is what a fuzzing campaign's report shows.
type FuzzData struct {
	Seed    uint64
	Workers int
	Engines []string
	Corpus  string
	// Samples are the campaign's progress over time, in order (the last
	// one is the final state).
	Samples    []FuzzSample
	Signatures []FuzzSignature // in the campaign summary's order
	EngineTime []EngineTime    // in the oracle's engine order
	Errors     []string
}

// FuzzSample is the campaign's state at one moment.
type FuzzSample struct {
	Elapsed    time.Duration
	Execs      uint64
	Rejected   uint64
	TimedOut   uint64
	Findings   uint64
	Unique     int
	OpsCovered int
	OpsTotal   int
}

// FuzzSignature is one divergence signature of the campaign.
type FuzzSignature struct {
	Signature  string
	Count      uint64
	FoundAfter time.Duration
	ID         string // the finding kept (may be empty)
	Existing   bool   // the corpus held it before the campaign
	MinSize    int
}

// EngineTime is the wall-clock time one engine spent running calls.
type EngineTime struct {
	Engine string
	Total  time.Duration
	Runs   uint64
}

// FuzzPage builds the report of a campaign: facts, execs/s over time,
// opcode coverage over time, findings over time, the findings timeline by
// signature and the time each engine took.
func FuzzPage(d *FuzzData) *Page {
	p := &Page{Title: fmt.Sprintf("referee fuzz: seed %d, %d workers, engines %s", d.Seed, d.Workers, strings.Join(d.Engines, ","))}
	var last FuzzSample
	if n := len(d.Samples); n > 0 {
		last = d.Samples[n-1]
	}
	rate := 0.0
	if s := last.Elapsed.Seconds(); s > 0 {
		rate = float64(last.Execs) / s
	}
	p.Facts = [][2]string{
		{"seed", fmt.Sprint(d.Seed)}, {"workers", fmt.Sprint(d.Workers)},
		{"engines", strings.Join(d.Engines, ", ")}, {"corpus", d.Corpus},
		{"elapsed", last.Elapsed.Round(time.Millisecond).String()},
		{"execs", fmt.Sprintf("%d (%.0f/s)", last.Execs, rate)},
		{"rejected", fmt.Sprint(last.Rejected)}, {"timed out", fmt.Sprint(last.TimedOut)},
		{"findings", fmt.Sprintf("%d divergent modules, %d signatures", last.Findings, last.Unique)},
		{"opcode coverage", fmt.Sprintf("%d of %d non-SIMD opcodes", last.OpsCovered, last.OpsTotal)},
	}

	// Execs/s between consecutive samples (the first from the start).
	perSec, cover := []Point(nil), []Point(nil)
	finds, uniq := []Point{{0, 0}}, []Point{{0, 0}} // nothing is found before the start
	var prev FuzzSample
	for _, s := range d.Samples {
		t := s.Elapsed.Seconds()
		// A sample taken just after the previous one (the final one,
		// right after a tick) measures noise, not a rate: it joins the next.
		dt := t - prev.Elapsed.Seconds()
		if dt >= 0.25 {
			perSec = append(perSec, Point{t, float64(s.Execs-prev.Execs) / dt})
		}
		if s.OpsTotal > 0 {
			cover = append(cover, Point{t, 100 * float64(s.OpsCovered) / float64(s.OpsTotal)})
		}
		finds = append(finds, Point{t, float64(s.Findings)})
		uniq = append(uniq, Point{t, float64(s.Unique)})
		if dt >= 0.25 {
			prev = s
		}
	}
	timeAxis := Axis{Label: "time since start (s)"}
	p.Sections = append(p.Sections,
		Section{ID: "throughput", Heading: "Executions per second",
			Text: "Modules run through the oracle per second, between consecutive samples.",
			Body: []template.HTML{LineChart{ID: "execs-per-sec", Title: "execs/s over time", X: timeAxis,
				Y: Axis{Label: "execs/s"}, Series: []Series{{Name: "execs/s", Points: perSec}}}.SVG()}},
		Section{ID: "coverage", Heading: "Opcode coverage",
			Text: "Share of the non-SIMD opcodes of Wasm 2.0 that the generated modules contain.",
			Body: []template.HTML{LineChart{ID: "opcode-coverage", Title: "opcode coverage over time", X: timeAxis,
				Y: Axis{Label: "% of opcodes"}, YMax: 100, Series: []Series{{Name: "coverage %", Points: cover}}}.SVG()}},
		Section{ID: "findings", Heading: "Findings",
			Text: "Divergent modules (duplicates included) and distinct signatures over time; then, per signature, when it was first found.",
			Body: []template.HTML{
				LineChart{ID: "findings-over-time", Title: "findings over time", X: timeAxis, Y: Axis{Label: "count"},
					Series: []Series{{Name: "findings", Points: finds}, {Name: "signatures", Points: uniq}}}.SVG(),
				findingsTimeline(d, last.Elapsed),
				findingsTable(d),
			}},
		Section{ID: "engines", Heading: "Time per engine",
			Text: "Wall-clock time each engine spent running calls (compilation included), over all workers.",
			Body: []template.HTML{engineBars(d), engineTable(d)}},
	)
	if len(d.Errors) > 0 {
		var rows [][]string
		for _, e := range d.Errors {
			rows = append(rows, []string{e})
		}
		p.Sections = append(p.Sections, Section{ID: "notes", Heading: "Notes", Body: []template.HTML{Table("notes-table", []string{"note"}, rows)}})
	}
	return p
}

func findingsTimeline(d *FuzzData, elapsed time.Duration) template.HTML {
	tl := Timeline{ID: "findings-timeline", Title: "first finding per signature", X: Axis{Label: "time since start (s)"},
		XMax: elapsed.Seconds()}
	for _, s := range d.Signatures {
		at := s.FoundAfter.Seconds()
		tl.XMax = max(tl.XMax, at)
		tl.Rows = append(tl.Rows, TimelineRow{Label: s.Signature, Note: fmt.Sprintf("%d modules", s.Count),
			Marks: []Mark{{X: at, Title: fmt.Sprintf("%s first found after %s", s.Signature, s.FoundAfter.Round(time.Millisecond))}}})
	}
	return tl.SVG()
}

func findingsTable(d *FuzzData) template.HTML {
	var rows [][]string
	for _, s := range d.Signatures {
		id := s.ID
		if len(id) > 16 {
			id = id[:16]
		}
		if s.Existing {
			id += " (already stored)"
		}
		min := ""
		if s.MinSize > 0 {
			min = fmt.Sprintf("%d bytes", s.MinSize)
		}
		rows = append(rows, []string{s.Signature, fmt.Sprint(s.Count), s.FoundAfter.Round(time.Millisecond).String(), id, min})
	}
	return Table("findings-table", []string{"signature", "modules", "first after", "finding", "minimized"}, rows, 0, 3)
}

func engineBars(d *FuzzData) template.HTML {
	var total time.Duration
	for _, e := range d.EngineTime {
		total += e.Total
	}
	bc := BarChart{ID: "engine-time", Title: "time per engine", Unit: " s"}
	for _, e := range d.EngineTime {
		note := ""
		if total > 0 {
			note = fmt.Sprintf("(%.0f%%)", 100*float64(e.Total)/float64(total))
		}
		bc.Bars = append(bc.Bars, Bar{Label: e.Engine, Value: e.Total.Seconds(), Note: note})
	}
	return bc.SVG()
}

func engineTable(d *FuzzData) template.HTML {
	var rows [][]string
	for _, e := range d.EngineTime {
		mean := ""
		if e.Runs > 0 {
			mean = (e.Total / time.Duration(e.Runs)).Round(time.Microsecond).String()
		}
		rows = append(rows, []string{e.Engine, e.Total.Round(time.Millisecond).String(), fmt.Sprint(e.Runs), mean})
	}
	return Table("engine-table", []string{"engine", "total", "runs", "mean per run"}, rows)
}
