package media

import (
	"context"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler implements mediav1connect.MediaServiceHandler over a Service.
type Handler struct {
	svc *Service
}

var _ mediav1connect.MediaServiceHandler = (*Handler)(nil)

// NewHandler returns the Connect handler of s.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// CreateUpload implements mediav1connect.MediaServiceHandler.
func (h *Handler) CreateUpload(ctx context.Context, req *connect.Request[mediav1.CreateUploadRequest]) (*connect.Response[mediav1.CreateUploadResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	in := req.Msg
	up, err := h.svc.CreateUpload(ctx, p, UploadRequest{
		MediaID: in.GetMediaId(), SHA256: in.GetSha256(), Size: in.GetSize(), ContentType: in.GetContentType(), Purpose: in.GetPurpose(),
	})
	if err != nil {
		return nil, err
	}
	res := &mediav1.CreateUploadResponse{Media: up.Media.Proto()}
	switch {
	case up.Single != nil:
		res.Upload = &mediav1.CreateUploadResponse_Single{Single: &mediav1.SingleUpload{Request: requestProto(*up.Single)}}
	case up.Multipart != nil:
		mp := &mediav1.MultipartUpload{UploadId: up.Multipart.UploadID, PartSize: up.Multipart.PartSize, PartChecksumHeader: ChecksumHeader}
		for _, p := range up.Multipart.Parts {
			mp.Parts = append(mp.Parts, &mediav1.Part{Number: int32(p.Number), Offset: p.Offset, Size: p.Size, Request: requestProto(p.Request)})
		}
		for _, p := range up.Multipart.Uploaded {
			mp.Uploaded = append(mp.Uploaded, &mediav1.CompletedPart{Number: int32(p.Number), Etag: p.ETag})
		}
		res.Upload = &mediav1.CreateUploadResponse_Multipart{Multipart: mp}
	}
	return connect.NewResponse(res), nil
}

// CompleteUpload implements mediav1connect.MediaServiceHandler.
func (h *Handler) CompleteUpload(ctx context.Context, req *connect.Request[mediav1.CompleteUploadRequest]) (*connect.Response[mediav1.CompleteUploadResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	parts := make([]Part, len(req.Msg.GetParts()))
	for i, cp := range req.Msg.GetParts() {
		parts[i] = Part{Number: int(cp.GetNumber()), ETag: cp.GetEtag()}
	}
	m, err := h.svc.CompleteUpload(ctx, p, req.Msg.GetMediaId(), parts)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mediav1.CompleteUploadResponse{Media: m.Proto()}), nil
}

// GetDownloadUrl implements mediav1connect.MediaServiceHandler.
func (h *Handler) GetDownloadUrl(ctx context.Context, req *connect.Request[mediav1.GetDownloadUrlRequest]) (*connect.Response[mediav1.GetDownloadUrlResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	var v Variant
	switch req.Msg.GetVariant() {
	case mediav1.MediaVariant_MEDIA_VARIANT_IMAGE:
		v = Image
	case mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL:
		v = Thumbnail
	}
	r, err := h.svc.DownloadURL(ctx, p, req.Msg.GetMediaId(), v)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mediav1.GetDownloadUrlResponse{Request: requestProto(r)}), nil
}

func requestProto(r Request) *mediav1.HTTPRequest {
	return &mediav1.HTTPRequest{Method: r.Method, Url: r.URL, Headers: r.Header, ExpiresAtUnixMs: r.Expires.UnixMilli()}
}
