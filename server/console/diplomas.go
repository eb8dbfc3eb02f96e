package console

import (
	"net/http"

	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The review of doctors' diplomas (server/auth): the pending ones with
// their photo, verify or reject with a reason.
func (c *Console) diplomaPages() []page {
	if c.cfg.Media == nil {
		return nil
	}
	const area = "nav.diplomas"
	return []page{
		{method: http.MethodGet, path: Prefix + "diplomas", access: moderators, nav: area, area: area, serve: c.diplomaList},
		{method: http.MethodPost, path: Prefix + "diplomas/{user}", access: moderators, area: area, serve: c.reviewDiploma},
	}
}

type diplomaRow struct {
	UserID, Name, Email, Phone, Specialty, Region, MediaID string
	Submitted                                              int64
	Photo                                                  photo
	Error, Reason                                          string
}

type diplomaPage struct {
	Rows []diplomaRow
	// Banner says why the last decision was not taken, Detail the
	// service's words.
	Banner, Detail string
}

func (c *Console) diplomaList(q *request) error {
	pg, err := c.loadDiplomas(q)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "diplomas/list", pg)
	return nil
}

// loadDiplomas lists the pending diplomas as ListPendingDiplomas does,
// each photo presigned.
func (c *Console) loadDiplomas(q *request) (*diplomaPage, error) {
	ctx := q.r.Context()
	list, err := c.cfg.Accounts.ListPendingDiplomas(ctx, q.p)
	if err != nil {
		return nil, err
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return nil, err
	}
	regionNames := map[string]string{}
	for _, r := range regions {
		regionNames[r.ID] = r.Name
	}
	pg := &diplomaPage{}
	for _, d := range list {
		row := diplomaRow{UserID: d.User.ID, Name: d.User.Name, Email: d.User.Email, Phone: d.User.Phone, Specialty: q.specialtyLabel(d.User.Specialty),
			Region: regionNames[d.User.RegionID], MediaID: d.MediaID, Submitted: d.SubmittedAt.UnixMilli()}
		if row.Photo, err = c.mediaPhoto(q, d.MediaID, ""); err != nil {
			return nil, err
		}
		pg.Rows = append(pg.Rows, row)
	}
	return pg, nil
}

// reviewDiploma verifies a doctor or rejects their diploma, for the photo
// the moderator saw (the form's media id), through ReviewDiploma's rules.
func (c *Console) reviewDiploma(q *request) error {
	userID := q.r.PathValue("user")
	mediaID := q.r.PostFormValue("media")
	if mediaID == "" {
		return syncengine.Invalid("the form is incomplete", syncengine.Violation{Field: "media", Description: "the form does not say which diploma photo it shows; open the list again"})
	}
	var approve bool
	switch q.r.PostFormValue("decision") {
	case "verify":
		approve = true
	case "reject":
	default:
		return syncengine.Invalid("no decision", syncengine.Violation{Field: "decision", Description: "must be verify or reject"})
	}
	reason := q.r.PostFormValue("reason")
	_, err := c.cfg.Accounts.ReviewDiplomaPhoto(q.r.Context(), q.p, userID, mediaID, approve, reason)
	if err == nil {
		q.redirect(Prefix + "diplomas")
		return nil
	}
	code := syncengine.ErrorCode(err)
	banner := map[string]string{syncengine.ECONFLICT: "diplomas.stale", syncengine.EPRECONDITION: "diplomas.decided_meanwhile", syncengine.EINVALID: "diplomas.invalid"}[code]
	if banner == "" {
		return err
	}
	pg, lerr := c.loadDiplomas(q)
	if lerr != nil {
		return lerr
	}
	pg.Banner, pg.Detail = banner, syncengine.ErrorMessage(err)
	bad := violations(err)
	for i := range pg.Rows {
		if pg.Rows[i].UserID == userID {
			pg.Rows[i].Error, pg.Rows[i].Reason = bad.For("reason"), reason
		}
	}
	q.w.Header().Set("HX-Push-Url", Prefix+"diplomas")
	q.render(statusOf[code], "diplomas/list", pg)
	return nil
}

// mediaPhoto presigns a media's thumbnail and image; see photo.
func (c *Console) mediaPhoto(q *request, mediaID, stage string) (photo, error) {
	out := photo{Stage: stage}
	for _, v := range []struct {
		variant media.Variant
		to      *string
	}{{media.Thumbnail, &out.Thumb}, {media.Image, &out.Full}} {
		req, err := c.cfg.Media.DownloadURL(q.r.Context(), q.p, mediaID, v.variant)
		if code := syncengine.ErrorCode(err); code == syncengine.EPRECONDITION || code == syncengine.ENOTFOUND {
			return photo{Stage: stage, Missing: syncengine.ErrorMessage(err)}, nil
		}
		if err != nil {
			return photo{}, err
		}
		*v.to = req.URL
	}
	return out, nil
}
