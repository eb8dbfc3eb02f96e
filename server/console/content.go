package console

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/rules/specialty"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The content library (server/content): items by state, kind, specialty
// and region; the editor of articles, papers, videos and trainings (with
// the quiz) and its preview, which is the item exactly as phones receive
// it (content.Preview); publishing; Markdown files imported with the
// parser of `ordinator content import` (Service.ImportMarkdown).
func (c *Console) contentPages() []page {
	if c.cfg.Content == nil {
		return nil
	}
	const area = "nav.content"
	return []page{
		{method: http.MethodGet, path: Prefix + "content", access: moderators, nav: area, area: area, serve: c.contentList},
		{method: http.MethodPost, path: Prefix + "content/import", access: moderators, area: area, serve: c.importContent},
		{method: http.MethodGet, path: Prefix + "content/new", access: moderators, area: area, serve: c.newContent},
		{method: http.MethodPost, path: Prefix + "content/new", access: moderators, area: area, serve: c.saveContent},
		{method: http.MethodGet, path: Prefix + "content/{id}", access: moderators, area: area, serve: c.contentItem},
		{method: http.MethodPost, path: Prefix + "content/{id}", access: moderators, area: area, serve: c.saveContent},
		{method: http.MethodPost, path: Prefix + "content/{id}/images", access: moderators, area: area, maxBody: maxImageBytes + maxFormBytes, serve: c.uploadImage},
		{method: http.MethodPost, path: Prefix + "content/{id}/images/remove", access: moderators, area: area, serve: c.removeImage},
		{method: http.MethodPost, path: Prefix + "content/{id}/publish", access: moderators, area: area, serve: c.publishContent},
		{method: http.MethodPost, path: Prefix + "content/{id}/unpublish", access: moderators, area: area, serve: c.publishContent},
	}
}

var (
	contentKinds  = []string{"article", "paper", "video", "training"}
	contentStates = []string{"draft", "scheduled", "live", "ended", "unpublished"}
)

func stateName(s contentv1.ItemState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "ITEM_STATE_"))
}

func kindOfItem(k contentv1.ItemKind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "ITEM_KIND_"))
}

type contentRow struct {
	*contentv1.EditorItem
	Kind, State string
}

type contentListPage struct {
	Kinds, States, Specialties, Regions []option
	Rows                                []contentRow
	Next                                string
	Errors                              formErrors
	Import                              *refusal
}

// contentList lists items, most recently changed first, under the
// query's filters: kind, state, specialty, region.
func (c *Console) contentList(q *request) error {
	return c.renderContentList(q, http.StatusOK, nil)
}

func (c *Console) renderContentList(q *request, status int, imp *refusal) error {
	ctx, in := q.r.Context(), q.r.URL.Query()
	pg := &contentListPage{Errors: formErrors{}, Import: imp}
	var f content.Filter
	pick := func(name, key string, values []string) []option {
		out := []option{{Label: q.mustText("content.any")}}
		for _, v := range values {
			out = append(out, option{Value: v, Label: q.mustText(key + v), Selected: in.Get(name) == v})
		}
		if v := in.Get(name); v != "" && !slices.Contains(values, v) {
			pg.Errors[name] = []string{"choose one of the values offered"}
		}
		return out
	}
	pg.Kinds = pick("kind", "content.kind.", contentKinds)
	pg.States = pick("state", "content.state.", contentStates)
	f.Kind, _ = content.KindFromName(in.Get("kind"))
	if v, ok := contentv1.ItemState_value["ITEM_STATE_"+strings.ToUpper(in.Get("state"))]; ok && in.Get("state") != "" {
		f.State = contentv1.ItemState(v)
	}
	pg.Specialties = append(pg.Specialties, option{Label: q.mustText("content.any")})
	for _, s := range specialty.Codes() {
		pg.Specialties = append(pg.Specialties, option{Value: s, Label: s, Selected: in.Get("specialty") == s})
	}
	if s := in.Get("specialty"); s != "" && !specialty.Known(s) {
		pg.Errors["specialty"] = []string{specialty.Problem(s)}
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	pg.Regions = append(pg.Regions, option{Label: q.mustText("content.any")})
	known := false
	for _, r := range regions {
		pg.Regions = append(pg.Regions, option{Value: r.ID, Label: r.Name, Selected: in.Get("region") == r.ID})
		known = known || r.ID == in.Get("region")
	}
	if in.Get("region") != "" && !known {
		pg.Errors["region"] = []string{"there is no region " + in.Get("region")}
	}
	f.Specialty, f.RegionID, f.PageToken, f.PageSize = in.Get("specialty"), in.Get("region"), in.Get("page"), 50
	if len(pg.Errors) > 0 {
		q.render(http.StatusUnprocessableEntity, "content/list", pg)
		return nil
	}
	items, next, err := c.cfg.Content.ListItems(ctx, q.p, f)
	if err != nil {
		if syncengine.ErrorCode(err) == syncengine.EINVALID {
			pg.Errors["page"] = []string{syncengine.ErrorMessage(err)}
			q.render(http.StatusUnprocessableEntity, "content/list", pg)
			return nil
		}
		return err
	}
	for _, it := range items {
		pg.Rows = append(pg.Rows, contentRow{EditorItem: it, Kind: kindOfItem(it.Item.Kind), State: stateName(it.Status.State)})
	}
	if next != "" {
		v := url.Values{}
		for k, vs := range in {
			v[k] = vs
		}
		v.Set("page", next)
		pg.Next = Prefix + "content?" + v.Encode()
	}
	q.render(status, "content/list", pg)
	return nil
}

// importContent saves a Markdown file with front matter, as `ordinator
// content import` does: a new draft, or a new version of the item it names.
func (c *Console) importContent(q *request) error {
	file, _, err := q.r.FormFile("file")
	if err != nil {
		err = syncengine.Invalid("no file", syncengine.Violation{Field: "file", Description: "choose a Markdown file to import"})
	} else {
		defer file.Close()
		var data []byte
		if data, err = io.ReadAll(file); err == nil {
			var saved *contentv1.EditorItem
			if saved, _, err = c.cfg.Content.ImportMarkdown(q.r.Context(), q.p, data); err == nil {
				q.redirect(Prefix + "content/" + saved.Item.Id + "?imported=1")
				return nil
			}
		}
	}
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	if len(ref.Errors) == 0 {
		ref.Errors = formErrors{"file": {ref.Message}}
	}
	return c.renderContentList(q, status, ref)
}

// previewItem is an item as the phone has it, for the preview.
type previewItem struct {
	*contentv1.Item
	Kind string
}

// HTML is a rich text's rendered form, as phones show it; the content
// module sanitised it (no script, style or handler can be in it).
func (previewItem) HTML(rt *contentv1.RichText) template.HTML {
	return template.HTML(rt.GetHtml()) // sanitised by server/content's prepare
}

// Correct says whether an option is one of a question's correct ones.
func (previewItem) Correct(q *contentv1.QuizQuestion, id string) bool {
	return slices.Contains(q.CorrectOptionIds, id)
}

type contentEditPage struct {
	Form     *contentForm
	Status   *contentv1.ItemStatus
	State    string
	Preview  *previewItem
	Errors   formErrors
	Other    []string
	Message  string
	Banner   string
	Imported bool
	// Images are the saved item's images, shown in the preview and
	// offered for removal; CanUpload says the upload form is offered.
	Images    []itemImage
	CanUpload bool
	Langs     []option
	Specs     []option
	Regions   []option
	Formats   []option
}

func (c *Console) renderContentEdit(q *request, status int, pg *contentEditPage) error {
	regions, err := c.cfg.Accounts.ListRegions(q.r.Context())
	if err != nil {
		return err
	}
	f := pg.Form
	for _, l := range []string{"ru", "en"} {
		pg.Langs = append(pg.Langs, option{Value: l, Label: q.mustText("lang." + l), Selected: f.Language == l || (f.Language == "" && l == "ru")})
	}
	for _, s := range specialty.Codes() {
		pg.Specs = append(pg.Specs, option{Value: s, Label: s, Selected: slices.Contains(f.Specialties, s)})
	}
	for _, r := range regions {
		pg.Regions = append(pg.Regions, option{Value: r.ID, Label: r.Name, Selected: slices.Contains(f.Regions, r.ID)})
	}
	for _, fm := range []string{"markdown", "html"} {
		pg.Formats = append(pg.Formats, option{Value: fm, Label: q.mustText("content.format." + fm), Selected: f.BodyFormat == fm || (f.BodyFormat == "" && fm == "markdown")})
	}
	if pg.Errors == nil {
		pg.Errors = formErrors{}
	}
	shown := []string{"title", "summary", "language", "specialties", "regions", "starts", "ends", "body", "authors", "journal", "year", "doi",
		"url", "duration", "lessons", "points", "questions", "pass_mark"}
	for i := range f.Lessons {
		shown = append(shown, "lesson."+strconv.Itoa(i)+".title", "lesson."+strconv.Itoa(i)+".body")
	}
	for i, qs := range f.Questions {
		shown = append(shown, "q."+strconv.Itoa(i)+".text", "q."+strconv.Itoa(i)+".options", "q."+strconv.Itoa(i)+".correct")
		for j := range qs.Options {
			shown = append(shown, "q."+strconv.Itoa(i)+".o."+strconv.Itoa(j)+".text")
		}
	}
	shown = append(shown, "image")
	pg.CanUpload = c.cfg.Media != nil && f.ID != ""
	pg.Other = pg.Errors.Except(shown...)
	q.render(status, "content/edit", pg)
	return nil
}

// newContent is the editor of a new item of the kind asked for.
func (c *Console) newContent(q *request) error {
	kind := q.r.URL.Query().Get("kind")
	if k, ok := content.KindFromName(kind); !ok || k == contentv1.ItemKind_ITEM_KIND_UNSPECIFIED {
		return syncengine.Invalid("no such kind", syncengine.Violation{Field: "kind", Description: "choose an article, a paper, a video or a training"})
	}
	f := &contentForm{Kind: kind, Language: "ru", PassMark: "80"}
	f.padSlots()
	return c.renderContentEdit(q, http.StatusOK, &contentEditPage{Form: f})
}

// contentItem is the editor of a saved item, with its state and the
// preview of what phones receive.
func (c *Console) contentItem(q *request) error { return c.renderSavedItem(q, http.StatusOK, nil) }

// renderSavedItem shows a saved item's editor; refused, if set, is why a
// publication was not done, shown in the banner and next to its fields.
func (c *Console) renderSavedItem(q *request, status int, refused error) error {
	return c.renderSaved(q, status, refused, "content.not_published")
}

// renderSaved is renderSavedItem with the banner's key.
func (c *Console) renderSaved(q *request, status int, refused error, banner string) error {
	ed, err := c.cfg.Content.GetItem(q.r.Context(), q.p, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	prev, err := content.Preview(q.p, ed.Item)
	if err != nil {
		return err
	}
	f := formOf(ed.Item, q.location())
	pg := &contentEditPage{Form: f, Status: ed.Status, State: stateName(ed.Status.State),
		Preview: &previewItem{Item: prev, Kind: kindOfItem(prev.Kind)}, Imported: q.r.URL.Query().Get("imported") != ""}
	if refused != nil {
		f.item(q.location()) // numbers the slots the violations name
		pg.Banner, pg.Message, pg.Errors = banner, syncengine.ErrorMessage(refused), f.errorsOf(refused)
		q.w.Header().Set("HX-Push-Url", Prefix+"content/"+f.ID)
	}
	if pg.Images, err = c.itemImages(q, prev.ImageMediaIds); err != nil {
		return err
	}
	f.padSlots()
	return c.renderContentEdit(q, status, pg)
}

// itemImages are an item's images as the preview shows them.
func (c *Console) itemImages(q *request, ids []string) ([]itemImage, error) {
	if c.cfg.Media == nil {
		return nil, nil
	}
	var out []itemImage
	for _, id := range ids {
		ph, err := c.mediaPhoto(q, id, "")
		if err != nil {
			return nil, err
		}
		out = append(out, itemImage{ID: id, Photo: ph})
	}
	return out, nil
}

// itemImage is one of an item's images: its media id and presigned URLs.
type itemImage struct {
	ID    string
	Photo photo
}

// saveContent is the editor's form posted: action "preview" shows the
// item as phones would get it and saves nothing, "add" offers more slots,
// anything else saves (a new draft, or a new version of the item at the
// version the form was opened on).
func (c *Console) saveContent(q *request) error {
	ctx := q.r.Context()
	f := readContentForm(q)
	var ed *contentv1.EditorItem
	if f.ID != "" {
		var err error
		if ed, err = c.cfg.Content.GetItem(ctx, q.p, f.ID); err != nil {
			return err
		}
	}
	it, bad := f.item(q.location())
	pg := &contentEditPage{Form: f, Errors: bad}
	if ed != nil {
		pg.Status, pg.State = ed.Status, stateName(ed.Status.State)
	}
	action := q.r.PostFormValue("action")
	if action == "add" || len(bad) > 0 {
		if len(bad) > 0 {
			pg.Banner = "content.not_saved"
		}
		f.padSlots()
		return c.renderContentEdit(q, statusIf(len(bad) > 0), pg)
	}
	if action == "preview" {
		prev, err := content.Preview(q.p, it)
		if err != nil {
			return c.contentRefused(q, pg, err, "content.preview_failed")
		}
		pg.Preview, pg.Banner = &previewItem{Item: prev, Kind: kindOfItem(prev.Kind)}, "content.previewed"
		f.padSlots()
		return c.renderContentEdit(q, http.StatusOK, pg)
	}
	var err error
	if ed == nil {
		ed, err = c.cfg.Content.CreateItem(ctx, q.p, it)
	} else {
		ed, err = c.cfg.Content.UpdateItem(ctx, q.p, it, f.Version)
	}
	if err != nil {
		return c.contentRefused(q, pg, err, "content.not_saved")
	}
	q.redirect(Prefix + "content/" + ed.Item.Id)
	return nil
}

func statusIf(bad bool) int {
	if bad {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// contentRefused shows the editor again, as it was typed, with the
// service's violations next to their fields; nothing was saved.
func (c *Console) contentRefused(q *request, pg *contentEditPage, err error, banner string) error {
	code := syncengine.ErrorCode(err)
	if code != syncengine.EINVALID && code != syncengine.ECONFLICT && code != syncengine.EPRECONDITION {
		return err
	}
	pg.Errors, pg.Message, pg.Banner = pg.Form.errorsOf(err), syncengine.ErrorMessage(err), banner
	pg.Form.padSlots()
	if pg.Form.ID != "" {
		q.w.Header().Set("HX-Push-Url", Prefix+"content/"+pg.Form.ID)
	} else {
		q.w.Header().Set("HX-Push-Url", Prefix+"content/new?kind="+url.QueryEscape(pg.Form.Kind))
	}
	return c.renderContentEdit(q, statusOf[code], pg)
}

// publishContent publishes or unpublishes an item, as the RPCs do.
func (c *Console) publishContent(q *request) error {
	id := q.r.PathValue("id")
	var err error
	if strings.HasSuffix(q.r.URL.Path, "/unpublish") {
		_, err = c.cfg.Content.UnpublishItem(q.r.Context(), q.p, id)
	} else {
		_, err = c.cfg.Content.PublishItem(q.r.Context(), q.p, id)
	}
	if code := syncengine.ErrorCode(err); code == syncengine.EPRECONDITION || code == syncengine.EINVALID {
		return c.renderSavedItem(q, statusOf[code], err)
	}
	if err != nil {
		return err
	}
	q.redirect(Prefix + "content/" + id)
	return nil
}
