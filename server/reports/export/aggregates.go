package export

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/ordinatorhq/ordinator/server/reports"
)

// MinCount is the smallest count the aggregates show; a smaller one is
// written "<5", so that no doctor can be singled out.
const MinCount = 5

// AggregatesHeader are the columns of the aggregates export.
var AggregatesHeader = []string{"region", "territory", "period", "group", "figure", "current", "previous"}

// Aggregates writes the figures only (no drill-down lists, no
// breakdowns, no series, no names), every value from 1 to MinCount-1
// written "<5": counts, and the sums and medians of a handful alike.
func Aggregates(w io.Writer, rs []*reports.Report) error {
	cw := csv.NewWriter(w)
	cw.Write(AggregatesHeader)
	for _, r := range rs {
		for _, v := range r.Values {
			cw.Write([]string{r.Region, r.Territory, r.Period.Name, v.Group, v.Key, suppress(v.Current), suppress(v.Previous)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func suppress(n int64) string {
	if n > 0 && n < MinCount {
		return "<" + strconv.Itoa(MinCount)
	}
	return strconv.FormatInt(n, 10)
}
