package report

import (
	"encoding/xml"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
		n      int
		want   []float64
	}{
		{"unit range", 0, 1, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{"seconds", 0, 30, 6, []float64{0, 5, 10, 15, 20, 25, 30}},
		{"offset", 3, 17, 3, []float64{5, 10, 15}},
		{"empty range", 4, 4, 5, []float64{4}},
		{"thousands", 0, 4500, 4, []float64{0, 2000, 4000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := niceTicks(tc.lo, tc.hi, tc.n)
			for i := range got {
				got[i] = float64(int64(got[i]*1e6+0.5)) / 1e6 // decimal steps are inexact in binary
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("niceTicks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
			}
		})
	}
}

// parseSVG checks that s is well-formed XML and returns its elements by
// name, in order, with their attributes.
func parseSVG(t *testing.T, s string) map[string][]map[string]string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	out := map[string][]map[string]string{}
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return out
			}
			t.Fatalf("svg is not well-formed: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			attrs := map[string]string{}
			for _, a := range se.Attr {
				attrs[a.Name.Local] = a.Value
			}
			out[se.Name.Local] = append(out[se.Name.Local], attrs)
		}
	}
}

func TestLineChartSVG(t *testing.T) {
	c := LineChart{ID: "c1", Title: `rate <&> "x"`, X: Axis{Label: "s"}, Y: Axis{Label: "n"},
		Series: []Series{{Name: "a<b", Points: []Point{{0, 1}, {1, 3}, {2, 2}}}, {Name: "b", Points: []Point{{0, 0}, {2, 5}}}}}
	els := parseSVG(t, string(c.SVG()))
	if got := len(els["polyline"]); got != 2 {
		t.Fatalf("%d polylines, want 2", got)
	}
	if pts := strings.Fields(els["polyline"][0]["points"]); len(pts) != 3 {
		t.Fatalf("first series has %d points, want 3: %v", len(pts), pts)
	}
	if got := els["polyline"][0]["data-series"]; got != "a<b" {
		t.Fatalf("series name %q: escaping lost it", got)
	}
	if got := len(els["circle"]); got != 5 {
		t.Fatalf("%d point markers, want 5", got)
	}
	if els["svg"][0]["id"] != "c1" {
		t.Fatalf("svg id %q", els["svg"][0]["id"])
	}
	// The highest point is drawn highest (smallest y) and the lowest lowest.
	var ys []float64
	for _, c := range els["circle"] {
		y, err := strconv.ParseFloat(c["cy"], 64)
		if err != nil {
			t.Fatal(err)
		}
		ys = append(ys, y)
	}
	// values 1, 3, 2 (series a) and 0, 5 (series b)
	if !(ys[1] < ys[2] && ys[2] < ys[0] && ys[4] < ys[3]) {
		t.Fatalf("y coordinates do not follow the values: %v", ys)
	}
}

func TestChartsWithoutData(t *testing.T) {
	for name, svg := range map[string]string{
		"line":     string(LineChart{ID: "x"}.SVG()),
		"bars":     string(BarChart{ID: "x"}.SVG()),
		"timeline": string(Timeline{ID: "x"}.SVG()),
		"ladder":   string(Ladder{ID: "x"}.SVG()),
	} {
		t.Run(name, func(t *testing.T) {
			parseSVG(t, svg)
		})
	}
}

func TestLadderSVG(t *testing.T) {
	l := Ladder{ID: "l", Rows: []LadderRow{
		{Label: "r1", Lo: 0, Hi: 100, Points: []uint64{0, 25, 50, 75, 100}, Pick: 2},
		{Label: "r2", Lo: 50, Hi: 75, Points: []uint64{50, 56, 62, 68, 75}, Pick: 0},
	}}
	els := parseSVG(t, string(l.SVG()))
	if n := len(els["rect"]); n != 4 { // two intervals, two picks
		t.Fatalf("%d rects, want 4", n)
	}
	if n := len(els["polygon"]); n != 1 { // a band joins row 1 to row 2 only
		t.Fatalf("%d bands, want 1", n)
	}
	if n := len(els["line"]); n != 6 { // three inner split points per row
		t.Fatalf("%d split marks, want 6", n)
	}
}

// TestFuzzRates: execs/s are rates between samples; a sample right after
// the previous one (the campaign's final one after a tick) is not a rate
// of its own, so the line does not drop to zero at the end.
func TestFuzzRates(t *testing.T) {
	d := &FuzzData{Samples: []FuzzSample{
		{Elapsed: time.Second, Execs: 100}, {Elapsed: 2 * time.Second, Execs: 300},
		{Elapsed: 2*time.Second + 10*time.Millisecond, Execs: 300}, {Elapsed: 3 * time.Second, Execs: 400},
	}}
	chart := string(FuzzPage(d).Sections[0].Body[0])
	els := parseSVG(t, chart)
	pts := strings.Fields(els["polyline"][0]["points"])
	if len(pts) != 3 {
		t.Fatalf("%d rate points, want 3 (1 s: 100/s, 2 s: 200/s, 3 s: 100/s): %v", len(pts), pts)
	}
	var titles []string
	for _, want := range []string{"execs/s: 100 at 1", "execs/s: 200 at 2", "execs/s: 100 at 3"} {
		if !strings.Contains(chart, want) {
			titles = append(titles, want)
		}
	}
	if len(titles) > 0 {
		t.Fatalf("rates missing: %v\n%s", titles, chart)
	}
}
