package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/reports/export"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The directors' reports (server/reports), read-only: a region's or
// territory's figures for a period beside the previous period's, a chart
// and the daily series of each, the drill-down lists, and the exports of
// server/reports/export. Every report is computed by reports.Service.Report
// with the signed-in principal, so a director reads only the regions they
// follow, exactly as through ReportService.
func (c *Console) reportPages() []page {
	if c.cfg.Reports == nil {
		return nil
	}
	const area = "nav.reports"
	return []page{
		{method: http.MethodGet, path: Prefix + "reports", access: reportReaders, nav: area, area: area, serve: c.reportPage},
		{method: http.MethodGet, path: Prefix + "reports/export/{format}", access: reportReaders, area: area, serve: c.reportExport},
	}
}

// periodKinds are the periods the page offers.
var periodKinds = []string{"day", "week", "month", "quarter", "range"}

// reportInput is the page's query: scope "msk" or "msk/north" (or region
// and territory), the kind of period and its day, or a range's days.
type reportInput struct {
	Scope                reports.Scope
	Kind, Date, From, To string
}

func (q *request) reportInput() reportInput {
	in := q.r.URL.Query()
	ri := reportInput{Kind: in.Get("kind"), Date: strings.TrimSpace(in.Get("date")), From: strings.TrimSpace(in.Get("from")), To: strings.TrimSpace(in.Get("to"))}
	if s := in.Get("scope"); s != "" {
		ri.Scope.Region, ri.Scope.Territory, _ = strings.Cut(s, "/")
	} else {
		ri.Scope = reports.Scope{Region: in.Get("region"), Territory: in.Get("territory")}
	}
	if ri.Kind == "" {
		ri.Kind = "month"
	}
	if ri.Date == "" {
		ri.Date = q.c.now().In(q.location()).Format(time.DateOnly)
	}
	return ri
}

// query is the input as a URL query, for the export links.
func (ri reportInput) query() string {
	v := url.Values{"scope": {scopeValue(ri.Scope)}, "kind": {ri.Kind}, "date": {ri.Date}}
	if ri.Kind == "range" {
		v.Set("from", ri.From)
		v.Set("to", ri.To)
	}
	return v.Encode()
}

func scopeValue(s reports.Scope) string {
	if s.Territory != "" {
		return s.Region + "/" + s.Territory
	}
	return s.Region
}

// period is the reports' name of the period the input picks ("2026-11",
// "2026-W45", "2026-11-01..2026-11-20"); the reports parse it in the
// region's time zone and refuse a range that ends before it starts or
// spans over two years.
func (ri reportInput) period() (string, error) {
	day := func(field, v string) (time.Time, error) {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return t, syncengine.Invalid("bad period", syncengine.Violation{Field: field, Description: fmt.Sprintf("%q is not a date YYYY-MM-DD", v)})
		}
		return t, nil
	}
	if ri.Kind == "range" {
		if _, err := day("from", ri.From); err != nil {
			return "", err
		}
		if _, err := day("to", ri.To); err != nil {
			return "", err
		}
		return ri.From + ".." + ri.To, nil
	}
	if !slices.Contains(periodKinds, ri.Kind) {
		return "", syncengine.Invalid("bad period", syncengine.Violation{Field: "kind", Description: "choose day, week, month, quarter or range"})
	}
	t, err := day("date", ri.Date)
	if err != nil {
		return "", err
	}
	switch ri.Kind {
	case "week":
		return reports.WeekOf(t).Name, nil
	case "month":
		return reports.Month(t).Name, nil
	case "quarter":
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3), nil
	}
	return ri.Date, nil
}

// compute computes the report the input names, as q's user.
func (c *Console) computeReport(q *request, ri reportInput) (*reports.Report, error) {
	period, err := ri.period()
	if err != nil {
		return nil, err
	}
	r, err := c.cfg.Reports.Report(q.r.Context(), q.p, ri.Scope, period)
	if err != nil {
		return nil, err
	}
	if q.user.Role == auth.RoleDirector {
		dropContacts(r)
	}
	return r, nil
}

// contactColumns are drill-down columns directors never see: a doctor's
// ways of being reached are the reps' and the moderators' business.
var contactColumns = []string{"phone", "phones", "email", "address"}

func dropContacts(r *reports.Report) {
	for i, l := range r.Lists {
		var keep []int
		t := reports.Table{Key: l.Key, Title: l.Title}
		for j, col := range l.Columns {
			if !slices.Contains(contactColumns, col) {
				keep = append(keep, j)
				t.Columns = append(t.Columns, col)
			}
		}
		for _, row := range l.Rows {
			out := make([]string, 0, len(keep))
			for _, j := range keep {
				if j < len(row) {
					out = append(out, row[j])
				}
			}
			t.Rows = append(t.Rows, out)
		}
		r.Lists[i] = t
	}
}

// readableRegions are the regions q's user may read: a director's
// followed ones, every region for the staff.
func (c *Console) readableRegions(q *request) ([]auth.Region, error) {
	ctx := q.r.Context()
	all, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil || q.user.Role != auth.RoleDirector {
		return all, err
	}
	var follows []string
	if err := c.cfg.Store.View(ctx, func(qr syncengine.Querier) error {
		follows, err = auth.DirectorRegions(ctx, qr, q.user.ID)
		return err
	}); err != nil {
		return nil, err
	}
	var out []auth.Region
	for _, r := range all {
		if slices.Contains(follows, r.ID) {
			out = append(out, r)
		}
	}
	return out, nil
}

type reportPageData struct {
	Scopes, Kinds  []option
	Kind           string
	Date, From, To string
	Errors         formErrors
	Problem        string // why nothing was computed
	NoRegions      bool
	Report         *reportView
	CSV, XLSX, PDF string
}

type reportView struct {
	Title, Period string
	Groups        []figureGroup
	Lists         []listView
}

type figureGroup struct {
	Key, Title string
	Figures    []figureView
}

type figureView struct {
	Key, Label        string
	State             bool
	Current, Previous int64
	Change            string
	Trend             string // up, down or flat
	By                string
	Chart             template.HTML
	Series            []reports.Point
}

type listView struct {
	Key, Title string
	Columns    []string
	Rows       [][]string
}

func (c *Console) reportPage(q *request) error {
	ri := q.reportInput()
	regions, err := c.readableRegions(q)
	if err != nil {
		return err
	}
	pg := &reportPageData{Kind: ri.Kind, Date: ri.Date, From: ri.From, To: ri.To, Errors: formErrors{}, NoRegions: len(regions) == 0}
	if ri.Scope.Region == "" && len(regions) > 0 {
		ri.Scope.Region = regions[0].ID
	}
	chosen := scopeValue(ri.Scope)
	for _, r := range regions {
		whole, err := q.lang.format("reports.whole", r.Name)
		if err != nil {
			return err
		}
		pg.Scopes = append(pg.Scopes, option{Value: r.ID, Label: whole, Selected: chosen == r.ID})
		for _, t := range r.Territories {
			v := r.ID + "/" + t.ID
			pg.Scopes = append(pg.Scopes, option{Value: v, Label: r.Name + " / " + t.Name, Selected: chosen == v})
		}
	}
	for _, k := range periodKinds {
		pg.Kinds = append(pg.Kinds, option{Value: k, Label: q.mustText("reports.kind." + k), Selected: k == ri.Kind})
	}
	if pg.NoRegions && ri.Scope.Region == "" {
		q.render(http.StatusOK, "reports/report", pg)
		return nil
	}
	r, err := c.computeReport(q, ri)
	switch code := syncengine.ErrorCode(err); {
	case err == nil:
	case code == syncengine.EINVALID || code == syncengine.ENOTFOUND:
		// Bad input is shown on the page, with the form to correct it.
		pg.Problem, pg.Errors = syncengine.ErrorMessage(err), violations(err)
		q.render(statusOf[code], "reports/report", pg)
		return nil
	default:
		return err
	}
	if pg.Report, err = c.reportView(q, r); err != nil {
		return err
	}
	query := ri.query()
	pg.CSV, pg.XLSX, pg.PDF = Prefix+"reports/export/csv?"+query, Prefix+"reports/export/xlsx?"+query, Prefix+"reports/export/pdf?"+query
	q.render(http.StatusOK, "reports/report", pg)
	return nil
}

// reportView lays a report out for the page, in the page's language.
func (c *Console) reportView(q *request, r *reports.Report) (*reportView, error) {
	last := func(p reports.Period) string { return p.To.AddDate(0, 0, -1).Format(time.DateOnly) }
	period, err := q.lang.format("reports.period", r.Period.Name, r.Period.From.Format(time.DateOnly), last(r.Period),
		r.Previous.Name, r.Previous.From.Format(time.DateOnly), last(r.Previous))
	if err != nil {
		return nil, err
	}
	v := &reportView{Title: r.RegionName, Period: period}
	if r.Territory != "" {
		v.Title += " / " + r.TerritoryName
	}
	levels := map[string]bool{}
	for _, f := range c.cfg.Reports.Figures() {
		levels[f.Key] = f.Events != nil && f.Events(r.Scope).Cumulative
	}
	// Figures are shown by group, groups in the order they first come.
	groups := map[string]int{}
	for _, val := range r.Values {
		gi, ok := groups[val.Group]
		if !ok {
			gi = len(v.Groups)
			groups[val.Group] = gi
			v.Groups = append(v.Groups, figureGroup{Key: val.Group, Title: q.textOr("reports.group."+val.Group, val.Group)})
		}
		fv := figureView{Key: val.Key, Label: q.textOr("reports.figure."+val.Key, val.Label), State: val.State,
			Current: val.Current, Previous: val.Previous, Series: val.Series}
		switch d := val.Current - val.Previous; {
		case d > 0:
			fv.Change, fv.Trend = "+"+strconv.FormatInt(d, 10), "up"
		case d < 0:
			fv.Change, fv.Trend = strconv.FormatInt(d, 10), "down"
		default:
			fv.Change, fv.Trend = "0", "flat"
		}
		var parts []string
		for _, p := range val.By {
			parts = append(parts, q.byLabel(p.Key)+" "+strconv.FormatInt(p.Value, 10))
		}
		fv.By = strings.Join(parts, " · ")
		if len(val.Series) > 0 {
			label, err := q.lang.format("reports.chart", fv.Label, val.Series[0].Day, val.Series[len(val.Series)-1].Day, seriesMax(val.Series))
			if err != nil {
				return nil, err
			}
			fv.Chart = chart(val.Series, levels[val.Key], label)
		}
		v.Groups[gi].Figures = append(v.Groups[gi].Figures, fv)
	}
	for _, l := range r.Lists {
		lv := listView{Key: l.Key, Title: q.textOr("reports.list."+l.Key, l.Title), Rows: l.Rows}
		for _, col := range l.Columns {
			lv.Columns = append(lv.Columns, q.textOr("reports.column."+col, col))
		}
		v.Lists = append(v.Lists, lv)
	}
	return v, nil
}

// textOr is a text of the page's language, or fallback when the
// catalogue has none (a figure a module added since).
func (q *request) textOr(key, fallback string) string {
	if s, err := q.lang.text(key); err == nil {
		return s
	}
	return fallback
}

// byLabel names a breakdown's key: a specialty by its label, anything else
// (a study, a product, a territory) as it is.
func (q *request) byLabel(key string) string {
	if key == "" {
		return "—"
	}
	return q.specialtyLabel(key)
}

// exportTypes are the exports' content types.
var exportTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pdf":  "application/pdf",
}

// unsafeName matches what a download's file name does not keep.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// reportExport writes the report the query names through
// server/reports/export: CSV or XLSX of every table, or the one-page PDF.
func (c *Console) reportExport(q *request) error {
	format := q.r.PathValue("format")
	ctype, ok := exportTypes[format]
	if !ok {
		return syncengine.Errorf(syncengine.ENOTFOUND, "no export %q: csv, xlsx or pdf", format)
	}
	r, err := c.computeReport(q, q.reportInput())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, format, []*reports.Report{r}); err != nil {
		return err
	}
	name := "report-" + r.Region
	if r.Territory != "" {
		name += "-" + r.Territory
	}
	name = unsafeName.ReplaceAllString(name+"-"+strings.ReplaceAll(r.Period.Name, "..", "_"), "_") + "." + format
	h := q.w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	q.w.WriteHeader(http.StatusOK)
	buf.WriteTo(q.w)
	return nil
}
