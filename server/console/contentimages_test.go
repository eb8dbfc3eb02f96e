package console_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media"
)

// pngImage is a small real PNG.
func pngImage(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, x%30, color.RGBA{200, 40, 40, 255})
	}
	var b bytes.Buffer
	must(t, png.Encode(&b, img))
	return b.Bytes()
}

// uploadImage posts an image to an item's editor as the upload form does.
func (c *client) uploadImage(itemPath, csrf string, version int64, name string, data []byte) page {
	c.e.t.Helper()
	return c.postFile(itemPath+"/images", csrf, "image", name, data, "version", strconv.FormatInt(version, 10))
}

// TestContentImages: a moderator uploads an image to a saved item from its
// editor; the media module cleans and keeps it and the item lists it, with
// its thumbnail on the page; a file that is not an image, one too large, a
// stale version or a missing token is refused with nothing changed; and the
// image can be taken off again.
func TestContentImages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c, queue := e.staff("mod@console.test")
		csrf := queue.csrf(t)
		saved := c.post("/console/content/new", with(trainingForm(csrf), "action", "save"))
		m := itemPath.FindStringSubmatch(saved.location)
		if saved.status != http.StatusSeeOther || m == nil {
			t.Fatalf("saving: %d %q", saved.status, saved.location)
		}
		id, path := m[1], saved.location
		images := func() ([]string, int64) {
			ed, err := e.content.GetItem(e.ctx, auth.System, id)
			must(t, err)
			return ed.Item.ImageMediaIds, ed.Item.Version
		}
		_, version := images()
		if p := c.get(path); !strings.Contains(p.body, `id="image-form"`) {
			t.Fatalf("the saved item's editor has no upload form:\n%s", p.body)
		}

		for _, tc := range []struct {
			name, csrf string
			version    int64
			file       string
			data       []byte
			status     int
			error      string
		}{
			{"no token", "", version, "photo.png", pngImage(t), http.StatusForbidden, ""},
			{"no file", csrf, version, "", nil, http.StatusUnprocessableEntity, "choose a JPEG or PNG image"},
			{"not an image", csrf, version, "notes.txt", []byte("plain text, not a picture"), http.StatusUnprocessableEntity, "image"},
			{"too large", csrf, version, "huge.png", append(pngImage(t), make([]byte, 9<<20)...), http.StatusUnprocessableEntity, "too large"},
			{"stale version", csrf, version - 1, "photo.png", pngImage(t), http.StatusConflict, ""},
		} {
			p := c.uploadImage(path, tc.csrf, tc.version, tc.file, tc.data)
			if p.status != tc.status {
				t.Fatalf("%s: %d, want %d\n%.2000s", tc.name, p.status, tc.status, p.body)
			}
			if tc.error != "" && !strings.Contains(fieldError(p, "image"), tc.error) && !strings.Contains(p.body, tc.error) {
				t.Errorf("%s: the page does not say %q next to the upload:\n%.3000s", tc.name, tc.error, p.body)
			}
			if ids, v := images(); len(ids) != 0 || v != version {
				t.Fatalf("%s changed the item: images %v, version %d (was %d)", tc.name, ids, v, version)
			}
		}

		p := c.uploadImage(path, csrf, version, "photo.png", pngImage(t))
		if p.status != http.StatusSeeOther {
			t.Fatalf("uploading an image: %d\n%.3000s", p.status, p.body)
		}
		ids, version := images()
		if len(ids) != 1 {
			t.Fatalf("the item lists %v after the upload, want one image", ids)
		}
		// Cleaned and ready: its thumbnail is there to download.
		thumb, err := e.media.DownloadURL(e.ctx, auth.Principal(e.moderator, "m"), ids[0], media.Thumbnail)
		must(t, err)
		res, err := http.Get(thumb.URL)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
			t.Fatalf("the uploaded image's thumbnail: %s %q", res.Status, res.Header.Get("Content-Type"))
		}
		page := c.get(path)
		if !strings.Contains(page.body, `id="remove-`+ids[0]+`"`) || !strings.Contains(page.body, `class="thumb"`) {
			t.Fatalf("the editor does not show the image with its thumbnail:\n%s", page.body)
		}

		if p := c.post(path+"/images/remove", with(url.Values{"csrf": {csrf}}, "version", strconv.FormatInt(version, 10), "media", "no-such-image")); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("removing an image the item does not have: %d", p.status)
		}
		if p := c.post(path+"/images/remove", with(url.Values{"csrf": {csrf}}, "version", strconv.FormatInt(version, 10), "media", ids[0])); p.status != http.StatusSeeOther {
			t.Fatalf("removing the image: %d\n%.2000s", p.status, p.body)
		}
		if ids, _ := images(); len(ids) != 0 {
			t.Fatalf("the item still lists %v after the removal", ids)
		}
	})
}
