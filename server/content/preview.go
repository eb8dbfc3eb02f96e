package content

import (
	"context"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Preview returns an item as the phones would receive it once saved:
// checked, normalised and rendered by the same prepare CreateItem and
// UpdateItem use, then stripped of the editors' sources as the synced
// payload is. Nothing is saved; an item that could not be saved returns
// the same field violations saving it would. Moderators and admins only.
func Preview(p syncengine.Principal, in *contentv1.Item) (*contentv1.Item, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	it, err := prepare(in)
	if err != nil {
		return nil, err
	}
	out := &contentv1.Item{}
	if err := proto.Unmarshal(devicePayload(it), out); err != nil {
		return nil, err
	}
	return out, nil
}

// ImportMarkdown saves an item read from a Markdown file with front
// matter (ParseMarkdown): a new draft, or, when the file names an item
// that exists, a new version of it. It reports whether it created the item.
func (s *Service) ImportMarkdown(ctx context.Context, p syncengine.Principal, data []byte) (*contentv1.EditorItem, bool, error) {
	it, err := ParseMarkdown(data)
	if err != nil {
		return nil, false, err
	}
	if it.Id != "" {
		_, err := s.GetItem(ctx, p, it.Id)
		switch syncengine.ErrorCode(err) {
		case "":
			saved, err := s.UpdateItem(ctx, p, it, 0)
			return saved, false, err
		case syncengine.ENOTFOUND:
		default:
			return nil, false, err
		}
	}
	saved, err := s.CreateItem(ctx, p, it)
	return saved, err == nil, err
}
