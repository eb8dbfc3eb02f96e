package sdk

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// queuedMedia is one photo waiting to upload.
type queuedMedia struct {
	id          string
	file        string
	sha256      []byte
	size        int64
	contentType string
	purpose     int32
}

// uploads is the media queue's loop: it uploads queued photos one at a time
// while the network allows (not offline; not metered unless the options say
// so), backing off after failures.
func (r *Replica) uploads(ctx context.Context) {
	bo := newBackoff(r.opts.MinBackoff, r.opts.MaxBackoff)
	for ctx.Err() == nil {
		conn, netChanged := r.loop.connectivity()
		if conn == Offline || (conn == Metered && !r.opts.UploadOnMetered) {
			select {
			case <-ctx.Done():
			case <-netChanged:
			}
			continue
		}
		m, ok, err := r.nextUpload(ctx)
		if err == nil && !ok {
			select {
			case <-ctx.Done():
			case <-netChanged:
			case <-r.loop.media:
			}
			continue
		}
		if err == nil {
			err = r.upload(ctx, m)
		}
		if err == nil {
			bo.reset()
			continue
		}
		if ctx.Err() != nil || r.check() != nil {
			return
		}
		if classify(err) == wiped {
			r.loop.poke()
			return
		}
		delay := bo.next()
		r.log.Info("media upload failed, retrying later", "media", m.id, "err", err, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
		case <-netChanged:
			bo.reset()
		case <-t.C:
		}
		t.Stop()
	}
}

// UploadMedia uploads every queued photo now, in the caller's goroutine,
// and returns the first failure.
func (r *Replica) UploadMedia(ctx context.Context) error {
	for {
		m, ok, err := r.nextUpload(ctx)
		if err != nil || !ok {
			return err
		}
		if err := r.upload(ctx, m); err != nil {
			return err
		}
	}
}

func (r *Replica) nextUpload(ctx context.Context) (queuedMedia, bool, error) {
	if err := r.check(); err != nil {
		return queuedMedia{}, false, err
	}
	var m queuedMedia
	err := r.db.r.QueryRowContext(ctx, `SELECT id, file, sha256, size, content_type, purpose FROM sdk_media WHERE state = 0 ORDER BY created_at, id LIMIT 1`).
		Scan(&m.id, &m.file, &m.sha256, &m.size, &m.contentType, &m.purpose)
	if errors.Is(err, errNoRows) {
		return m, false, nil
	}
	return m, err == nil, r.wrap(err)
}

// upload sends one photo: CreateUpload (which resumes an upload begun
// before), the presigned PUTs of the parts storage does not have yet (each
// acknowledged part's ETag is stored at once, so a restart skips it), then
// CompleteUpload. A photo the server refuses ends as rejected, reported to
// the app, instead of blocking the queue.
func (r *Replica) upload(ctx context.Context, m queuedMedia) (err error) {
	defer func() {
		if err == nil || ctx.Err() != nil || r.check() != nil {
			return
		}
		var attempts int
		r.db.update(context.Background(), func(tx *wtx) error {
			if _, err := tx.exec(`UPDATE sdk_media SET attempts = attempts + 1, last_error = ? WHERE id = ?`, describe(err), m.id); err != nil {
				return err
			}
			return tx.queryRow(`SELECT attempts FROM sdk_media WHERE id = ?`, m.id).Scan(&attempts)
		})
		var he *httpError
		if errors.As(err, &he) && refusedByStorage(he.status) && attempts >= maxRefusedUploads {
			err = r.finishUpload(m, nil, "storage keeps refusing the photo: "+he.Error())
			return
		}
		r.events.mediaProgress(MediaProgress{MediaID: m.id, Total: m.size, Err: describe(err)})
	}()
	created, finished, err := r.createUpload(ctx, m)
	if err != nil || finished {
		return err
	}
	f, err := os.Open(filepath.Join(r.dir, mediaDir, m.file))
	if err != nil {
		return r.finishUpload(m, nil, "the stored photo is gone: "+err.Error())
	}
	defer f.Close()
	var parts []*mediav1.CompletedPart
	switch {
	case created.GetSingle() != nil:
		req := created.GetSingle().GetRequest()
		if _, err := r.put(ctx, putRequest{req: req, body: io.NewSectionReader(f, 0, m.size), size: m.size, mediaID: m.id, total: m.size}); err != nil {
			return err
		}
	case created.GetMultipart() != nil:
		if parts, err = r.putParts(ctx, m, f, created.GetMultipart()); err != nil {
			return err
		}
	}
	var done *mediav1.Media
	err = r.api.call(ctx, func(ctx context.Context) error {
		res, err := r.api.media.CompleteUpload(ctx, connect.NewRequest(&mediav1.CompleteUploadRequest{MediaId: m.id, Parts: parts}))
		if err == nil {
			done = res.Msg.GetMedia()
		}
		return err
	})
	if err != nil {
		if classify(err) == poison {
			// The parts on record do not make the file: start over.
			r.forgetParts(m.id)
		}
		return fmt.Errorf("completing the upload of %s: %w", m.id, err)
	}
	return r.finishUpload(m, done, "")
}

// createUpload registers a photo with the server (its digest and size) or
// resumes its upload, and returns what to send. done is set when there is
// nothing to send: the server already has the same file, or refused the
// photo for good (it ends rejected, reported to the app).
func (r *Replica) createUpload(ctx context.Context, m queuedMedia) (created *mediav1.CreateUploadResponse, done bool, err error) {
	err = r.api.call(ctx, func(ctx context.Context) error {
		res, err := r.api.media.CreateUpload(ctx, connect.NewRequest(&mediav1.CreateUploadRequest{
			MediaId: m.id, Sha256: m.sha256, Size: m.size, ContentType: m.contentType, Purpose: mediav1.MediaPurpose(m.purpose),
		}))
		if err == nil {
			created = res.Msg
		}
		return err
	})
	if err != nil {
		if refusedUpload(err) {
			return nil, true, r.finishUpload(m, nil, "the server refused the photo: "+describe(err))
		}
		return nil, false, fmt.Errorf("creating the upload of %s: %w", m.id, err)
	}
	if created.GetSingle() == nil && created.GetMultipart() == nil {
		return nil, true, r.finishUpload(m, created.GetMedia(), "")
	}
	err = r.db.update(ctx, func(tx *wtx) error {
		_, err := tx.exec(`UPDATE sdk_media SET registered = 1 WHERE id = ? AND registered = 0`, m.id)
		return err
	})
	return created, false, r.wrap(err)
}

// registerMedia registers every queued photo the server does not know yet,
// before a push: mutations that name a photo (a case draft) may then go
// while its bytes are still on the way.
func (r *Replica) registerMedia(ctx context.Context) error {
	for {
		var m queuedMedia
		err := r.db.r.QueryRowContext(ctx, `SELECT id, file, sha256, size, content_type, purpose FROM sdk_media
			WHERE state = 0 AND registered = 0 ORDER BY created_at, id LIMIT 1`).
			Scan(&m.id, &m.file, &m.sha256, &m.size, &m.contentType, &m.purpose)
		if errors.Is(err, errNoRows) {
			return nil
		}
		if err != nil {
			return r.wrap(err)
		}
		if _, _, err := r.createUpload(ctx, m); err != nil {
			return err
		}
	}
}

// refusedUpload reports whether CreateUpload refused a photo for good:
// invalid, too large, or a media id already bound to another file or
// owner. Throttling ("too many uploads in progress") is retried.
func refusedUpload(err error) bool {
	if classify(err) == poison {
		return true
	}
	switch detailOf(err).GetCode() {
	case syncengine.EINVALID, syncengine.ECONFLICT, syncengine.EPERMISSION:
		return true
	}
	return false
}

// putParts uploads the parts storage does not have and returns all of them.
func (r *Replica) putParts(ctx context.Context, m queuedMedia, f *os.File, mp *mediav1.MultipartUpload) ([]*mediav1.CompletedPart, error) {
	have, err := r.storedParts(ctx, m.id)
	if err != nil {
		return nil, err
	}
	for _, p := range mp.GetUploaded() {
		have[p.GetNumber()] = p.GetEtag()
	}
	// Whatever is not left to send is already in storage.
	sent := m.size
	for _, p := range mp.GetParts() {
		if _, ok := have[p.GetNumber()]; !ok {
			sent -= p.GetSize()
		}
	}
	for _, p := range mp.GetParts() {
		if _, ok := have[p.GetNumber()]; ok {
			continue
		}
		if p.GetOffset() < 0 || p.GetSize() <= 0 || p.GetOffset()+p.GetSize() > m.size {
			return nil, fmt.Errorf("the server gave part %d outside the file", p.GetNumber())
		}
		var extra map[string]string
		if h := mp.GetPartChecksumHeader(); h != "" {
			sum, err := partSHA256(io.NewSectionReader(f, p.GetOffset(), p.GetSize()))
			if err != nil {
				return nil, err
			}
			extra = map[string]string{h: sum}
		}
		etag, err := r.put(ctx, putRequest{req: p.GetRequest(), body: io.NewSectionReader(f, p.GetOffset(), p.GetSize()), size: p.GetSize(), extra: extra,
			mediaID: m.id, before: sent, total: m.size})
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", p.GetNumber(), err)
		}
		if etag == "" {
			return nil, fmt.Errorf("storage acknowledged part %d without an ETag", p.GetNumber())
		}
		have[p.GetNumber()] = etag
		sent += p.GetSize()
		err = r.db.update(ctx, func(tx *wtx) error {
			_, err := tx.exec(`INSERT OR REPLACE INTO sdk_media_parts (media_id, number, etag) VALUES (?, ?, ?)`, m.id, p.GetNumber(), etag)
			return err
		})
		if err != nil {
			return nil, r.wrap(err)
		}
	}
	var parts []*mediav1.CompletedPart
	for n, etag := range have {
		parts = append(parts, &mediav1.CompletedPart{Number: n, Etag: etag})
	}
	slices.SortFunc(parts, func(a, b *mediav1.CompletedPart) int { return int(a.GetNumber() - b.GetNumber()) })
	if mp.GetPartSize() > 0 {
		want := int((m.size + mp.GetPartSize() - 1) / mp.GetPartSize())
		if len(parts) != want {
			return nil, fmt.Errorf("have %d of the %d parts after uploading", len(parts), want)
		}
	}
	return parts, nil
}

func (r *Replica) storedParts(ctx context.Context, mediaID string) (map[int32]string, error) {
	rows, err := r.db.r.QueryContext(ctx, `SELECT number, etag FROM sdk_media_parts WHERE media_id = ?`, mediaID)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer rows.Close()
	out := map[int32]string{}
	for rows.Next() {
		var n int32
		var etag string
		if err := rows.Scan(&n, &etag); err != nil {
			return nil, err
		}
		out[n] = etag
	}
	return out, rows.Err()
}

func (r *Replica) forgetParts(mediaID string) {
	r.db.update(context.Background(), func(tx *wtx) error {
		_, err := tx.exec(`DELETE FROM sdk_media_parts WHERE media_id = ?`, mediaID)
		return err
	})
}

// maxRefusedUploads is how many times storage may refuse a photo's bytes
// (a 4xx other than an expired signature or throttling) before it is
// rejected rather than retried for ever.
const maxRefusedUploads = 5

func refusedByStorage(status int) bool {
	return status/100 == 4 && status != http.StatusForbidden && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// httpError is a failed presigned request.
type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("storage answered %d: %s", e.status, e.body)
}

// partSHA256 is the base64 SHA-256 of a part, for the checksum header
// storage verifies each part against.
func partSHA256(part io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, part); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// putRequest is one presigned upload: a whole photo, or one part of it.
type putRequest struct {
	req *mediav1.HTTPRequest
	// body is the size bytes to send.
	body io.Reader
	size int64
	// extra are headers to send besides the signed ones (a part's checksum).
	extra map[string]string
	// Progress is reported for mediaID as before (the bytes of it already in
	// storage) plus those of body sent, of total.
	mediaID       string
	before, total int64
}

// put sends one presigned request and returns the ETag storage answered
// with, reporting progress as bytes go out.
func (r *Replica) put(ctx context.Context, u putRequest) (string, error) {
	hr := u.req
	if hr == nil || hr.GetUrl() == "" {
		return "", errors.New("the server gave no upload request")
	}
	method := hr.GetMethod()
	if method == "" {
		method = http.MethodPut
	}
	pr := &progressReader{r: u.body, report: func(n int64) {
		r.events.mediaProgress(MediaProgress{MediaID: u.mediaID, Sent: u.before + n, Total: u.total})
	}}
	req, err := http.NewRequestWithContext(ctx, method, hr.GetUrl(), pr)
	if err != nil {
		return "", err
	}
	req.ContentLength = u.size
	for k, v := range u.extra {
		req.Header.Set(k, v)
	}
	for k, v := range hr.GetHeaders() {
		switch strings.ToLower(k) {
		case "content-length":
		case "host":
			req.Host = v
		default:
			req.Header.Set(k, v)
		}
	}
	res, err := r.opts.StorageHTTPClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return "", &httpError{status: res.StatusCode, body: strings.TrimSpace(string(msg))}
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	pr.flush()
	return res.Header.Get("ETag"), nil
}

// progressReader reports bytes read, at most every progressStep.
type progressReader struct {
	r        io.Reader
	n, shown int64
	report   func(int64)
}

const progressStep = 256 << 10

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.n-p.shown >= progressStep {
		p.flush()
	}
	return n, err
}

func (p *progressReader) flush() {
	if p.n != p.shown {
		p.shown = p.n
		p.report(p.n)
	}
}

// finishUpload records the end of an upload: uploaded (the server has the
// file; it may still be processing it) or rejected with a reason.
func (r *Replica) finishUpload(m queuedMedia, media *mediav1.Media, refused string) error {
	state := mediaUploaded
	reason := refused
	if refused != "" || media.GetStatus() == mediav1.MediaStatus_MEDIA_STATUS_REJECTED {
		state = mediaRejected
		if reason == "" {
			reason = media.GetRejectionReason()
		}
	}
	err := r.db.update(context.Background(), func(tx *wtx) error {
		if _, err := tx.exec(`UPDATE sdk_media SET state = ?, last_error = ? WHERE id = ? AND state = 0`, state, reason, m.id); err != nil {
			return err
		}
		_, err := tx.exec(`DELETE FROM sdk_media_parts WHERE media_id = ?`, m.id)
		return err
	})
	if err != nil {
		return r.wrap(err)
	}
	r.status.update(func(s *Status) { s.MediaQueued = max(0, s.MediaQueued-1) })
	r.events.mediaProgress(MediaProgress{MediaID: m.id, Sent: m.size, Total: m.size, Done: true, Status: media.GetStatus(), Err: reason})
	r.loop.poke() // mutations waiting for this photo may go now
	return nil
}
