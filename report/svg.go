package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Chart geometry, in SVG user units (the page scales them to its width).
const (
	chartW   = 760
	chartH   = 260
	marginL  = 64
	marginR  = 16
	marginT  = 28
	marginB  = 40
	plotW    = chartW - marginL - marginR
	plotH    = chartH - marginT - marginB
	rowH     = 22 // timeline and ladder rows
	maxTicks = 6
)

// palette colours series in order; the first is the one a single series
// gets.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"}

// Point is one (x, y) sample.
type Point struct{ X, Y float64 }

// Series is a named line.
type Series struct {
	Name   string
	Points []Point
}

// Axis labels one axis; Format prints its tick values (nil: %g).
// Integer keeps its ticks on whole numbers (counts of rounds, splits).
type Axis struct {
	Label   string
	Format  func(float64) string
	Integer bool
}

// ticks returns the axis's ticks over [lo, hi].
func (a Axis) ticks(lo, hi float64, n int) []float64 {
	t := niceTicks(lo, hi, n)
	if !a.Integer {
		return t
	}
	var out []float64
	for _, v := range t {
		if v == math.Trunc(v) {
			out = append(out, v)
		}
	}
	return out
}

func (a Axis) format(v float64) string {
	if a.Format != nil {
		return a.Format(v)
	}
	return trimFloat(v)
}

// trimFloat prints v with at most 3 significant decimals and no trailing
// zeros.
func trimFloat(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// niceTicks returns about n tick values covering [lo, hi], at a step of
// 1, 2 or 5 times a power of ten.
func niceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || math.IsInf(hi-lo, 0) || n < 1 {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := p * 10
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, v)
	}
	return out
}

// LineChart is a chart of one or more series against a shared x axis.
// The y axis starts at 0 unless a value is negative.
type LineChart struct {
	ID, Title string
	X, Y      Axis
	Series    []Series
	// YMax, if positive, is the top of the y axis (e.g. 100 for a share).
	YMax float64
}

// SVG renders the chart.
func (c LineChart) SVG() template.HTML {
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), 0.0, math.Inf(-1)
	n := 0
	for _, s := range c.Series {
		for _, p := range s.Points {
			xlo, xhi = math.Min(xlo, p.X), math.Max(xhi, p.X)
			ylo, yhi = math.Min(ylo, p.Y), math.Max(yhi, p.Y)
			n++
		}
	}
	var b strings.Builder
	open(&b, c.ID, c.Title, chartW, chartH)
	if n == 0 {
		text(&b, chartW/2, chartH/2, "middle", "no data")
		b.WriteString("</svg>\n")
		return template.HTML(b.String())
	}
	if c.YMax > 0 {
		yhi = math.Max(yhi, c.YMax)
	}
	if !(xhi > xlo) {
		xlo, xhi = xlo-1, xhi+1
	}
	if !(yhi > ylo) {
		yhi = ylo + 1
	}
	xs := func(x float64) float64 { return marginL + (x-xlo)/(xhi-xlo)*plotW }
	ys := func(y float64) float64 { return marginT + plotH - (y-ylo)/(yhi-ylo)*plotH }
	axes(&b, c.X, c.Y, c.X.ticks(xlo, xhi, maxTicks), c.Y.ticks(ylo, yhi, maxTicks/2+1), xs, ys)
	for i, s := range c.Series {
		col := palette[i%len(palette)]
		var pts []string
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xs(p.X), ys(p.Y)))
		}
		fmt.Fprintf(&b, `<polyline class="series" data-series="%s" fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`+"\n",
			esc(s.Name), col, strings.Join(pts, " "), esc(s.Name))
		for _, p := range s.Points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>%s: %s at %s</title></circle>`+"\n",
				xs(p.X), ys(p.Y), col, esc(s.Name), esc(c.Y.format(p.Y)), esc(c.X.format(p.X)))
		}
		if len(c.Series) > 1 {
			lx := float64(marginL + 8 + 150*i)
			fmt.Fprintf(&b, `<rect x="%.0f" y="8" width="12" height="4" fill="%s"/>`, lx, col)
			text(&b, lx+16, 14, "start", s.Name)
		}
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

// axes draws the frame, the ticks and the labels of a chart's plot area.
func axes(b *strings.Builder, x, y Axis, xt, yt []float64, xs, ys func(float64) float64) {
	fmt.Fprintf(b, `<rect class="plot" x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#999"/>`+"\n", marginL, marginT, plotW, plotH)
	for _, v := range yt {
		py := ys(v)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e0e0e0"/>`, marginL, marginL+plotW, py, py)
		text(b, marginL-6, py+4, "end", y.format(v))
	}
	for _, v := range xt {
		px := xs(v)
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#999"/>`, px, px, marginT+plotH, marginT+plotH+4)
		text(b, px, marginT+plotH+16, "middle", x.format(v))
	}
	b.WriteString("\n")
	text(b, marginL+plotW/2, chartH-6, "middle", x.Label)
	fmt.Fprintf(b, `<text x="14" y="%d" text-anchor="middle" font-size="12" transform="rotate(-90 14 %d)">%s</text>`+"\n",
		marginT+plotH/2, marginT+plotH/2, esc(y.Label))
}

// open starts an svg element with an id, an accessible title and a
// viewBox that scales to the page.
func open(b *strings.Builder, id, title string, w, h int) {
	fmt.Fprintf(b, `<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" font-family="sans-serif">`+"\n",
		esc(id), w, h, w, h)
	fmt.Fprintf(b, "<title>%s</title>\n", esc(title))
}

func text(b *strings.Builder, x, y float64, anchor, s string) {
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="12">%s</text>`, x, y, anchor, esc(s))
}

func esc(s string) string { return html.EscapeString(s) }

// Bar is one bar of a BarChart.
type Bar struct {
	Label string
	Value float64
	Note  string // printed after the value
}

// BarChart is a horizontal bar chart.
type BarChart struct {
	ID, Title string
	Unit      string // appended to values
	Bars      []Bar
}

// SVG renders the chart.
func (c BarChart) SVG() template.HTML {
	h := marginT + rowH*max(len(c.Bars), 1) + 16
	var b strings.Builder
	open(&b, c.ID, c.Title, chartW, h)
	top := 0.0
	for _, bar := range c.Bars {
		top = math.Max(top, bar.Value)
	}
	if top <= 0 {
		top = 1
	}
	const labelW = 180
	width := float64(chartW - labelW - 200)
	for i, bar := range c.Bars {
		y := float64(marginT + rowH*i)
		text(&b, labelW-8, y+14, "end", bar.Label)
		w := bar.Value / top * width
		fmt.Fprintf(&b, `<rect class="bar" data-label="%s" x="%d" y="%.0f" width="%.1f" height="%d" fill="%s"><title>%s: %s%s</title></rect>`,
			esc(bar.Label), labelW, y+2, w, rowH-6, palette[i%len(palette)], esc(bar.Label), esc(trimFloat(bar.Value)), esc(c.Unit))
		text(&b, labelW+w+6, y+14, "start", trimFloat(bar.Value)+c.Unit+" "+bar.Note)
		b.WriteString("\n")
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

// Mark is one event on a timeline row.
type Mark struct {
	X     float64
	Title string
}

// TimelineRow is one row of a Timeline: a label and its events.
type TimelineRow struct {
	Label string
	Note  string // printed at the row's end
	Marks []Mark
}

// Timeline draws events on rows against a shared x axis from 0 to XMax.
type Timeline struct {
	ID, Title string
	X         Axis
	XMax      float64
	Rows      []TimelineRow
}

// SVG renders the timeline.
func (c Timeline) SVG() template.HTML {
	const labelW = 260
	n := max(len(c.Rows), 1)
	h := marginT + rowH*n + marginB
	var b strings.Builder
	open(&b, c.ID, c.Title, chartW, h)
	xmax := c.XMax
	if !(xmax > 0) {
		xmax = 1
	}
	w := float64(chartW - labelW - 80)
	xs := func(x float64) float64 { return labelW + x/xmax*w }
	fmt.Fprintf(&b, `<rect class="plot" x="%d" y="%d" width="%.0f" height="%d" fill="#fafafa" stroke="#999"/>`+"\n", labelW, marginT, w, rowH*n)
	for _, v := range niceTicks(0, xmax, maxTicks) {
		px := xs(v)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#e0e0e0"/>`, px, px, marginT, marginT+rowH*n)
		text(&b, px, float64(marginT+rowH*n+16), "middle", c.X.format(v))
	}
	text(&b, labelW+w/2, float64(h-6), "middle", c.X.Label)
	if len(c.Rows) == 0 {
		text(&b, labelW+w/2, marginT+14, "middle", "none")
	}
	for i, r := range c.Rows {
		y := float64(marginT + rowH*i)
		text(&b, labelW-8, y+15, "end", r.Label)
		for _, m := range r.Marks {
			fmt.Fprintf(&b, `<circle class="mark" data-row="%s" cx="%.1f" cy="%.1f" r="5" fill="%s"><title>%s</title></circle>`,
				esc(r.Label), xs(m.X), y+rowH/2, palette[i%len(palette)], esc(m.Title))
		}
		if r.Note != "" {
			text(&b, labelW+w+6, y+15, "start", r.Note)
		}
		b.WriteString("\n")
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

// LadderRow is one round of a narrowing: the interval [Lo, Hi] searched,
// the boundaries it was split at, and the part kept (-1: none).
type LadderRow struct {
	Label  string
	Lo, Hi uint64
	Points []uint64 // Lo = Points[0] < … < Points[m] = Hi
	Pick   int
	Note   string
}

// Ladder draws a narrowing: each row is one round's interval at full
// width with its split points, the part kept is filled, and a band joins
// it to the next row, which is that part drawn at full width.
type Ladder struct {
	ID, Title string
	Rows      []LadderRow
}

// SVG renders the ladder.
func (c Ladder) SVG() template.HTML {
	const labelW, gap = 90, 14
	n := max(len(c.Rows), 1)
	h := marginT + (rowH+gap)*n + 8
	w := float64(chartW - labelW - 230)
	var b strings.Builder
	open(&b, c.ID, c.Title, chartW, h)
	if len(c.Rows) == 0 {
		text(&b, chartW/2, marginT+14, "middle", "no rounds")
	}
	for i, r := range c.Rows {
		y := float64(marginT + (rowH+gap)*i)
		span := float64(r.Hi - r.Lo)
		if span <= 0 {
			span = 1
		}
		xs := func(v uint64) float64 { return labelW + float64(v-r.Lo)/span*w }
		text(&b, labelW-8, y+15, "end", r.Label)
		fmt.Fprintf(&b, `<rect class="interval" data-lo="%d" data-hi="%d" x="%d" y="%.0f" width="%.0f" height="%d" fill="#fff" stroke="#555"><title>[%d, %d]: %d steps</title></rect>`,
			r.Lo, r.Hi, labelW, y, w, rowH, r.Lo, r.Hi, r.Hi-r.Lo)
		for j := 0; j+1 < len(r.Points); j++ {
			x0, x1 := xs(r.Points[j]), xs(r.Points[j+1])
			if j == r.Pick {
				fmt.Fprintf(&b, `<rect class="pick" x="%.1f" y="%.0f" width="%.1f" height="%d" fill="#d62728" fill-opacity="0.6"><title>part %d kept: [%d, %d]</title></rect>`,
					x0, y, math.Max(x1-x0, 1.5), rowH, j, r.Points[j], r.Points[j+1])
				if i+1 < len(c.Rows) {
					fmt.Fprintf(&b, `<polygon points="%.1f,%.0f %.1f,%.0f %.1f,%.0f %d,%.0f" fill="#d62728" fill-opacity="0.15"/>`,
						x0, y+rowH, x1, y+rowH, labelW+w, y+rowH+gap, labelW, y+rowH+gap)
				}
			}
			if j > 0 {
				fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#555"/>`, x0, x0, y, y+rowH)
			}
		}
		text(&b, labelW+w+6, y+15, "start", r.Note)
		b.WriteString("\n")
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}
