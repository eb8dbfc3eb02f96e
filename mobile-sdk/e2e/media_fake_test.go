package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

// fakeMedia is a small MediaService for the SDK's tests, until the real
// one (server/media) lands: it presigns real PUTs, multipart parts and GETs
// on a real MinIO and checks size and SHA-256 on completion. It does not
// process images (no thumbnails, no metadata removal, no quarantine move):
// that is the real service's job and its own tests'.
type fakeMedia struct {
	core   *minio.Core
	bucket string
	// multipartAbove: files larger than this upload in parts of partSize.
	multipartAbove int64
	partSize       int64
	maxSize        int64
	// hideUploaded leaves out the parts storage already has, as a server
	// whose listing lags would: the device must then rely on its own record.
	hideUploaded bool

	mu      sync.Mutex
	uploads map[string]*fakeUpload
}

type fakeUpload struct {
	media    *mediav1.Media
	uploadID string
}

var _ mediav1connect.MediaServiceHandler = (*fakeMedia)(nil)

func newFakeMedia(t testing.TB) *fakeMedia {
	t.Helper()
	srv := testenv.StartMinIO(t)
	core, err := minio.NewCore(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	bucket := fmt.Sprintf("media-%d", time.Now().UnixNano())
	if err := core.MakeBucket(context.Background(), bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	return &fakeMedia{core: core, bucket: bucket, multipartAbove: 8 << 20, partSize: 5 << 20, maxSize: 64 << 20, uploads: map[string]*fakeUpload{}}
}

func objectKey(id string) string { return "media/" + id }

func (f *fakeMedia) CreateUpload(ctx context.Context, req *connect.Request[mediav1.CreateUploadRequest]) (*connect.Response[mediav1.CreateUploadResponse], error) {
	in := req.Msg
	if in.GetSize() > f.maxSize {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("the file is %d bytes, at most %d", in.GetSize(), f.maxSize))
	}
	f.mu.Lock()
	u, ok := f.uploads[in.GetMediaId()]
	if !ok {
		u = &fakeUpload{media: &mediav1.Media{
			Id: in.GetMediaId(), Purpose: in.GetPurpose(), Status: mediav1.MediaStatus_MEDIA_STATUS_UPLOADING,
			ContentType: in.GetContentType(), Size: in.GetSize(), Sha256: in.GetSha256(),
		}}
		f.uploads[in.GetMediaId()] = u
	}
	f.mu.Unlock()
	res := &mediav1.CreateUploadResponse{Media: u.media}
	if u.media.GetStatus() != mediav1.MediaStatus_MEDIA_STATUS_UPLOADING {
		return connect.NewResponse(res), nil
	}
	key := objectKey(in.GetMediaId())
	if in.GetSize() <= f.multipartAbove {
		put, err := f.core.PresignedPutObject(ctx, f.bucket, key, time.Hour)
		if err != nil {
			return nil, err
		}
		res.Upload = &mediav1.CreateUploadResponse_Single{Single: &mediav1.SingleUpload{Request: &mediav1.HTTPRequest{Method: "PUT", Url: put.String()}}}
		return connect.NewResponse(res), nil
	}
	if u.uploadID == "" {
		// Like server/media: every part must come with its SHA-256, which
		// MinIO verifies.
		id, err := f.core.NewMultipartUpload(ctx, f.bucket, key, minio.PutObjectOptions{
			ContentType: in.GetContentType(), UserMetadata: map[string]string{"X-Amz-Checksum-Algorithm": "SHA256"},
		})
		if err != nil {
			return nil, err
		}
		u.uploadID = id
	}
	have := map[int]string{}
	listed, err := f.core.ListObjectParts(ctx, f.bucket, key, u.uploadID, 0, 10000)
	if err != nil {
		return nil, err
	}
	for _, p := range listed.ObjectParts {
		have[p.PartNumber] = p.ETag
	}
	mp := &mediav1.MultipartUpload{UploadId: u.uploadID, PartSize: f.partSize, PartChecksumHeader: "X-Amz-Checksum-Sha256"}
	for n, off := 1, int64(0); off < in.GetSize(); n, off = n+1, off+f.partSize {
		if etag, ok := have[n]; ok {
			if !f.hideUploaded {
				mp.Uploaded = append(mp.Uploaded, &mediav1.CompletedPart{Number: int32(n), Etag: etag})
				continue
			}
		}
		put, err := f.core.Presign(ctx, "PUT", f.bucket, key, time.Hour, url.Values{"partNumber": {strconv.Itoa(n)}, "uploadId": {u.uploadID}})
		if err != nil {
			return nil, err
		}
		mp.Parts = append(mp.Parts, &mediav1.Part{Number: int32(n), Offset: off, Size: min(f.partSize, in.GetSize()-off),
			Request: &mediav1.HTTPRequest{Method: "PUT", Url: put.String()}})
	}
	res.Upload = &mediav1.CreateUploadResponse_Multipart{Multipart: mp}
	return connect.NewResponse(res), nil
}

func (f *fakeMedia) CompleteUpload(ctx context.Context, req *connect.Request[mediav1.CompleteUploadRequest]) (*connect.Response[mediav1.CompleteUploadResponse], error) {
	f.mu.Lock()
	u, ok := f.uploads[req.Msg.GetMediaId()]
	f.mu.Unlock()
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("no such upload"))
	}
	key := objectKey(u.media.GetId())
	if u.uploadID != "" && u.media.GetStatus() == mediav1.MediaStatus_MEDIA_STATUS_UPLOADING {
		listed, err := f.core.ListObjectParts(ctx, f.bucket, key, u.uploadID, 0, 10000)
		if err != nil {
			return nil, connect.NewError(connect.CodeFailedPrecondition, err)
		}
		sums := map[int]string{}
		for _, p := range listed.ObjectParts {
			sums[p.PartNumber] = p.ChecksumSHA256
		}
		var parts []minio.CompletePart
		for _, p := range req.Msg.GetParts() {
			parts = append(parts, minio.CompletePart{PartNumber: int(p.GetNumber()), ETag: p.GetEtag(), ChecksumSHA256: sums[int(p.GetNumber())]})
		}
		if _, err := f.core.CompleteMultipartUpload(ctx, f.bucket, key, u.uploadID, parts, minio.PutObjectOptions{}); err != nil {
			return nil, connect.NewError(connect.CodeInvalidArgument, err)
		}
	}
	obj, _, _, err := f.core.GetObject(ctx, f.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, connect.NewError(connect.CodeFailedPrecondition, err)
	}
	defer obj.Close()
	h := sha256.New()
	n, err := io.Copy(h, obj)
	if err != nil {
		return nil, connect.NewError(connect.CodeFailedPrecondition, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n != u.media.GetSize() || !bytes.Equal(h.Sum(nil), u.media.GetSha256()) {
		u.media.Status, u.media.RejectionReason = mediav1.MediaStatus_MEDIA_STATUS_REJECTED, "the upload does not match its size and digest"
	} else {
		u.media.Status = mediav1.MediaStatus_MEDIA_STATUS_READY
	}
	return connect.NewResponse(&mediav1.CompleteUploadResponse{Media: u.media}), nil
}

func (f *fakeMedia) GetDownloadUrl(ctx context.Context, req *connect.Request[mediav1.GetDownloadUrlRequest]) (*connect.Response[mediav1.GetDownloadUrlResponse], error) {
	get, err := f.core.PresignedGetObject(ctx, f.bucket, objectKey(req.Msg.GetMediaId()), time.Hour, nil)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mediav1.GetDownloadUrlResponse{Request: &mediav1.HTTPRequest{Method: "GET", Url: get.String()}}), nil
}

// object returns what storage holds for a media.
func (f *fakeMedia) object(t testing.TB, id string) []byte {
	t.Helper()
	obj, _, _, err := f.core.GetObject(context.Background(), f.bucket, objectKey(id), minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// put stores an object directly, as another user's finished upload.
func (f *fakeMedia) put(t testing.TB, id string, body []byte) {
	t.Helper()
	_, err := f.core.PutObject(context.Background(), f.bucket, objectKey(id), bytes.NewReader(body), int64(len(body)), "", "", minio.PutObjectOptions{ContentType: "image/jpeg"})
	if err != nil {
		t.Fatal(err)
	}
}
