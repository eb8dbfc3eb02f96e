package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/google/uuid"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The images of a saved content item: a file uploaded from the editor is
// stored by the media module as a device's upload would be (sniffed,
// decoded, EXIF and other metadata dropped, thumbnail made, kept by its
// SHA-256), then added to the item's images by UpdateItem at the version
// the page shows, which attaches it; removing one is UpdateItem without
// it. Phones get the images by sync like any item's.

// maxImageBytes bounds an uploaded image: what the media module takes in
// one piece (its default part size).
const maxImageBytes = 8 << 20

// uploadImage stores the posted file and adds it to the item.
func (c *Console) uploadImage(q *request) error {
	ctx := q.r.Context()
	ed, err := c.cfg.Content.GetItem(ctx, q.p, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if c.cfg.Media == nil {
		return c.imageRefused(q, syncengine.Errorf(syncengine.EPRECONDITION, "this server keeps no media, so images cannot be uploaded"))
	}
	file, _, err := q.r.FormFile("image")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return c.imageRefused(q, syncengine.Invalid("the file is too large", syncengine.Violation{Field: "image",
			Description: fmt.Sprintf("the file is larger than %d MiB; at most %d MiB are accepted", maxImageBytes>>20, maxImageBytes>>20)}))
	case err != nil:
		return c.imageRefused(q, syncengine.Invalid("no file", syncengine.Violation{Field: "image", Description: "choose a JPEG or PNG image to upload"}))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxImageBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxImageBytes {
		return c.imageRefused(q, syncengine.Invalid("the file is too large", syncengine.Violation{Field: "image",
			Description: fmt.Sprintf("the file is larger than %d MiB; at most %d MiB are accepted", maxImageBytes>>20, maxImageBytes>>20)}))
	}
	version, _ := strconv.ParseInt(q.r.PostFormValue("version"), 10, 64)
	if version != ed.Item.Version {
		return c.imageRefused(q, syncengine.Errorf(syncengine.ECONFLICT, "the item was changed since this page was opened (version %d, now %d); nothing was saved", version, ed.Item.Version))
	}
	m, err := c.cfg.Media.Ingest(ctx, q.p, uuid.NewString(), mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE, sniffType(data), data)
	if err != nil {
		if code := syncengine.ErrorCode(err); code == syncengine.EINVALID || code == syncengine.EPRECONDITION {
			return c.imageRefused(q, syncengine.Invalid("the image was refused", syncengine.Violation{Field: "image", Description: syncengine.ErrorMessage(err)}))
		}
		return err
	}
	if !m.Ready() {
		return c.imageRefused(q, syncengine.Invalid("the image was refused", syncengine.Violation{Field: "image", Description: m.RejectionReason}))
	}
	it := ed.Item
	it.ImageMediaIds = append(it.ImageMediaIds, m.ID)
	if _, err := c.cfg.Content.UpdateItem(ctx, q.p, it, ed.Item.Version); err != nil {
		return c.imageRefused(q, err)
	}
	q.redirect(Prefix + "content/" + it.Id)
	return nil
}

// removeImage takes an image off the item.
func (c *Console) removeImage(q *request) error {
	ctx := q.r.Context()
	ed, err := c.cfg.Content.GetItem(ctx, q.p, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	id := q.r.PostFormValue("media")
	it := ed.Item
	if !slices.Contains(it.ImageMediaIds, id) {
		return c.imageRefused(q, syncengine.Invalid("no such image", syncengine.Violation{Field: "image", Description: "the item has no image " + id}))
	}
	version, _ := strconv.ParseInt(q.r.PostFormValue("version"), 10, 64)
	it.ImageMediaIds = slices.DeleteFunc(it.ImageMediaIds, func(m string) bool { return m == id })
	if _, err := c.cfg.Content.UpdateItem(ctx, q.p, it, version); err != nil {
		return c.imageRefused(q, err)
	}
	q.redirect(Prefix + "content/" + it.Id)
	return nil
}

// imageRefused shows the saved item again with why, next to the upload.
func (c *Console) imageRefused(q *request, err error) error {
	code := syncengine.ErrorCode(err)
	if code != syncengine.EINVALID && code != syncengine.ECONFLICT && code != syncengine.EPRECONDITION {
		return err
	}
	return c.renderSaved(q, statusOf[code], err, "content.image_refused")
}

// sniffType is the type the file's first bytes say; the media module
// checks it again and refuses anything but JPEG and PNG, saying what the
// file is.
func sniffType(data []byte) string {
	if t := http.DetectContentType(data); t == "image/png" {
		return t
	}
	return "image/jpeg"
}
