package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// Page is one report: a title, facts about the run, and sections of
// charts and tables.
type Page struct {
	Title    string
	Facts    [][2]string // name, value: printed as a definition list
	Sections []Section
}

// Section is a heading, a sentence saying what it shows, and its body
// (charts and tables, already rendered).
type Section struct {
	ID, Heading, Text string
	Body              []template.HTML
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="referee">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 1.5em auto; max-width: 800px; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; } dd { margin: 0; font-family: monospace; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
td.mono, td code { font-family: monospace; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
</style>
</head>
<body>
<h1 id="title">{{.Title}}</h1>
{{if .Facts}}<dl id="facts">{{range .Facts}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl>{{end}}
{{range .Sections}}<section id="{{.ID}}">
<h2>{{.Heading}}</h2>
{{if .Text}}<p>{{.Text}}</p>{{end}}
{{range .Body}}{{.}}{{end}}
</section>
{{end}}
</body>
</html>
`))

// Write renders the page as one self-contained HTML document.
func (p *Page) Write(w io.Writer) error {
	if err := pageTmpl.Execute(w, p); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Table renders a table with a header row. A cell is escaped text; cells
// of the columns listed in mono are set in a monospace font.
func Table(id string, header []string, rows [][]string, mono ...int) template.HTML {
	isMono := map[int]bool{}
	for _, c := range mono {
		isMono[c] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<table id="%s"><thead><tr>`, esc(id))
	for _, h := range header {
		fmt.Fprintf(&b, "<th>%s</th>", esc(h))
	}
	b.WriteString("</tr></thead><tbody>\n")
	for _, r := range rows {
		b.WriteString("<tr>")
		for i, c := range r {
			if isMono[i] {
				fmt.Fprintf(&b, `<td class="mono">%s</td>`, esc(c))
			} else {
				fmt.Fprintf(&b, "<td>%s</td>", esc(c))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>\n")
	return template.HTML(b.String())
}
