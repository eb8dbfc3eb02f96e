package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
)

// FetchMedia returns the path of a media's image (or thumbnail) on the
// device, downloading it through a presigned URL the first time. The file
// is kept while some local record references the media.
func (r *Replica) FetchMedia(ctx context.Context, mediaID string, variant mediav1.MediaVariant) (string, error) {
	if err := r.check(); err != nil {
		return "", err
	}
	if variant == mediav1.MediaVariant_MEDIA_VARIANT_IMAGE {
		// The device's own upload is the image.
		if m, ok, err := r.MediaFile(ctx, mediaID); err != nil || (ok && !m.Rejected) {
			return m.Path, err
		}
	}
	key := fmt.Sprintf("%s/%d", mediaID, variant)
	var file string
	err := r.db.r.QueryRowContext(ctx, `SELECT file FROM sdk_media WHERE id = ?`, key).Scan(&file)
	if err == nil {
		return filepath.Join(r.dir, mediaDir, file), nil
	}
	if !errors.Is(err, errNoRows) {
		return "", r.wrap(err)
	}
	var hr *mediav1.HTTPRequest
	err = r.api.call(ctx, func(ctx context.Context) error {
		res, err := r.api.media.GetDownloadUrl(ctx, connect.NewRequest(&mediav1.GetDownloadUrlRequest{MediaId: mediaID, Variant: variant}))
		if err == nil {
			hr = res.Msg.GetRequest()
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("sdk: getting %s: %w", mediaID, err)
	}
	return r.download(ctx, mediaID, key, variant, hr)
}

func (r *Replica) download(ctx context.Context, mediaID, key string, variant mediav1.MediaVariant, hr *mediav1.HTTPRequest) (string, error) {
	method := hr.GetMethod()
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, hr.GetUrl(), nil)
	if err != nil {
		return "", err
	}
	for k, v := range hr.GetHeaders() {
		req.Header.Set(k, v)
	}
	res, err := r.opts.StorageHTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("sdk: downloading %s: %w", mediaID, err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return "", fmt.Errorf("sdk: downloading %s: %w", mediaID, &httpError{status: res.StatusCode, body: strings.TrimSpace(string(msg))})
	}
	dir := filepath.Join(r.dir, mediaDir)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, res.Body)
	if err != nil {
		return "", fmt.Errorf("sdk: downloading %s: %w", mediaID, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	name := fmt.Sprintf("%s-%d%s", mediaID, variant, extension(res.Header.Get("Content-Type")))
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return "", err
	}
	err = r.db.update(ctx, func(tx *wtx) error {
		_, err := tx.exec(`INSERT OR REPLACE INTO sdk_media (id, media_id, file, sha256, size, content_type, purpose, state, referenced, created_at)
			VALUES (?, ?, ?, x'', ?, ?, 0, 3, 1, ?)`, key, mediaID, name, n, res.Header.Get("Content-Type"), r.opts.Now().UnixMilli())
		return err
	})
	if err != nil {
		os.Remove(filepath.Join(dir, name))
		return "", r.wrap(err)
	}
	return filepath.Join(dir, name), nil
}
