package console

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/server/reports"
)

// Charts are drawn on the server as inline SVG: bars for what happened
// each day, a line for a level (doctors in the territory so far). Nothing
// in them is a script or a style attribute: their look is console.css's
// (classes chart, bar, line, axis), so the CSP holds.
const (
	chartWidth  = 260
	chartHeight = 64
	chartPad    = 2
)

func seriesMax(ps []reports.Point) int64 {
	var m int64
	for _, p := range ps {
		m = max(m, p.Value)
	}
	return m
}

// chart draws a daily series; label is its accessible description. Each
// day's value is in a <title>, shown when pointed at.
func chart(ps []reports.Point, level bool, label string) template.HTML {
	var b strings.Builder
	top := seriesMax(ps)
	var low int64
	if level {
		low = top
		for _, p := range ps {
			low = min(low, p.Value)
		}
	}
	span := float64(top - low)
	if span == 0 {
		span = 1
	}
	inner := float64(chartHeight - 2*chartPad)
	y := func(v int64) float64 {
		if level && top == low {
			return chartHeight / 2
		}
		return chartPad + inner - float64(v-low)/span*inner
	}
	kind := "bars"
	if level {
		kind = "line"
	}
	fmt.Fprintf(&b, `<svg class="chart chart-%s" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		kind, chartWidth, chartHeight, chartWidth, chartHeight, html.EscapeString(label))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(label))
	fmt.Fprintf(&b, `<line class="axis" x1="0" y1="%d" x2="%d" y2="%d"/>`, chartHeight-chartPad, chartWidth, chartHeight-chartPad)
	step := float64(chartWidth) / float64(max(len(ps), 1))
	if level {
		var pts []string
		for i, p := range ps {
			pts = append(pts, num(step*(float64(i)+.5))+","+num(y(p.Value)))
		}
		fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(pts, " "))
		for i, p := range ps {
			fmt.Fprintf(&b, `<circle class="dot" cx="%s" cy="%s" r="2"><title>%s: %d</title></circle>`, num(step*(float64(i)+.5)), num(y(p.Value)), p.Day, p.Value)
		}
	} else {
		w := max(step-1, 1)
		for i, p := range ps {
			top := y(p.Value)
			h := float64(chartHeight-chartPad) - top
			if p.Value > 0 && h < 1 {
				top, h = float64(chartHeight-chartPad)-1, 1
			}
			fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s"><title>%s: %d</title></rect>`, num(step*float64(i)), num(top), num(w), num(h), p.Day, p.Value)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
