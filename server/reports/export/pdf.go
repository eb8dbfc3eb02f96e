package export

import (
	_ "embed"
	"io"
	"strconv"

	"codeberg.org/go-pdf/fpdf"

	"github.com/ordinatorhq/ordinator/server/reports"
)

//go:embed fonts/DejaVuSans.ttf
var dejaVuSans []byte

// groupTitles head the figure groups on the page.
var groupTitles = map[string]string{"reps": "Representatives", "doctors": "Doctors", "studies": "Studies", "cases": "Clinical cases", "gifts": "Gift waves"}

// PDF writes one A4 page per report: the region (or territory) and the
// period, then every figure with the previous period beside it.
func PDF(w io.Writer, rs []*reports.Report) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(15, 12, 15)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes("dejavu", "", dejaVuSans)
	for _, r := range rs {
		pdf.AddPage()
		pdf.SetFont("dejavu", "", 16)
		pdf.CellFormat(0, 9, scope(r), "", 1, "L", false, 0, "")
		pdf.SetFont("dejavu", "", 10)
		pdf.CellFormat(0, 6, "Period "+r.Period.Name+" ("+r.Period.From.Format("2006-01-02")+" – "+r.Period.To.AddDate(0, 0, -1).Format("2006-01-02")+
			"), previous "+r.Previous.Name, "", 1, "L", false, 0, "")
		pdf.Ln(2)
		// Rows shrink to keep every figure on the one page.
		h := min(6.0, 240/float64(len(r.Values)+6))
		group := ""
		for _, v := range r.Values {
			if v.Group != group {
				group = v.Group
				pdf.SetFont("dejavu", "", 11)
				pdf.CellFormat(0, h+1, groupTitles[group], "B", 1, "L", false, 0, "")
				pdf.SetFont("dejavu", "", 9)
			}
			label := v.Label
			if v.State {
				label += " (at the end)"
			}
			pdf.CellFormat(120, h, label, "", 0, "L", false, 0, "")
			pdf.CellFormat(30, h, strconv.FormatInt(v.Current, 10), "", 0, "R", false, 0, "")
			pdf.CellFormat(30, h, strconv.FormatInt(v.Previous, 10), "", 1, "R", false, 0, "")
		}
	}
	return pdf.Output(w)
}
