package mobile

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/mobile-sdk/cases"
	"github.com/ordinatorhq/ordinator/mobile-sdk/content"
	"github.com/ordinatorhq/ordinator/mobile-sdk/inbox"
)

// Stages of a case photo for AddCasePhoto (ordinator.cases.v1.PhotoStage).
const (
	PhotoStageBefore = int32(casesv1.PhotoStage_PHOTO_STAGE_BEFORE)
	PhotoStageAfter  = int32(casesv1.PhotoStage_PHOTO_STAGE_AFTER)
)

// AddCasePhoto copies a photo of a case into the replica without its
// metadata and queues its upload; it returns the media id to put in the
// draft's CasePhoto with the same stage. A bad stage is refused before the
// photo is stored, so no upload is left without a case.
func (r *Replica) AddCasePhoto(path string, stage int32) (mediaID string, err error) {
	defer recoverInto(&err)
	p, err := cases.AddPhotoFile(context.Background(), r.r, path, casesv1.PhotoStage(stage))
	if err != nil {
		return "", err
	}
	return p.GetMediaId(), nil
}

// SubmitCase sends a complete draft (or a rejected case) to moderation,
// as Mutate("case.submit") does, after the check that needs the photo
// queue: a photo the server refused is named in the error, and nothing is
// queued. It returns the mutation's id.
func (r *Replica) SubmitCase(caseID string) (mutationID int64, err error) {
	defer recoverInto(&err)
	if err := r.needs(moduleCases, "SubmitCase"); err != nil {
		return 0, err
	}
	return cases.Submit(context.Background(), r.r, caseID)
}

// ContentHit is an item SearchContent found.
type ContentHit struct {
	ItemID string
	// Item is the ordinator.content.v1.Item.
	Item []byte
	// Rank is the full-text score (lower is better).
	Rank float64
}

// ContentHits are the items found, best first.
type ContentHits struct{ items []*ContentHit }

// Len is the number of hits.
func (l *ContentHits) Len() int { return len(l.items) }

// Get returns the i-th hit (nil out of range).
func (l *ContentHits) Get(i int) *ContentHit {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i]
}

// SearchContent finds the content items on the device whose title or text
// contain every word of query in any of its forms (Russian and English;
// the last word may be unfinished), best first, at most limit (0: 50).
// It works offline.
func (r *Replica) SearchContent(query string, limit int) (hits *ContentHits, err error) {
	defer recoverInto(&err)
	if err := r.needs(moduleContent, "SearchContent"); err != nil {
		return nil, err
	}
	found, err := content.Search(context.Background(), r.r, query, limit)
	if err != nil {
		return nil, err
	}
	hits = &ContentHits{items: make([]*ContentHit, len(found))}
	for i, h := range found {
		b, err := proto.Marshal(h.Item)
		if err != nil {
			return nil, err
		}
		hits.items[i] = &ContentHit{ItemID: h.Item.GetId(), Item: b, Rank: h.Rank}
	}
	return hits, nil
}

// RegisterPushToken records this device's FCM registration token with
// the server (online), for platform "android" or "ios", with the device's
// language (BCP 47, "ru-RU") and time zone (IANA, "Europe/Moscow") that
// pushes are written and timed in. Call it at start and whenever FCM
// issues a new token.
func (r *Replica) RegisterPushToken(token, platform, locale, timeZone string) (err error) {
	defer recoverInto(&err)
	var p inbox.Platform
	switch strings.ToLower(platform) {
	case "android":
		p = inbox.Android
	case "ios":
		p = inbox.IOS
	case "web":
		p = inbox.Web
	default:
		return fmt.Errorf("mobile: RegisterPushToken: platform %q: use android, ios or web", platform)
	}
	return inbox.RegisterPushToken(context.Background(), r.r, token, p, locale, timeZone)
}

// UnregisterPushToken forgets this device's push token (at sign-out).
func (r *Replica) UnregisterPushToken() (err error) {
	defer recoverInto(&err)
	return inbox.UnregisterPushToken(context.Background(), r.r)
}

// HandlePush takes the data of a push as a JSON object (on Android
// JSONObject(remoteMessage.data).toString(), on iOS the userInfo
// serialised). Ordinator's pushes make the running loop sync at once; it
// reports true for the silent "sync.wake", which the app shows nothing
// for. Values that are not strings (iOS's "aps") are ignored.
func (r *Replica) HandlePush(dataJSON string) (wake bool, err error) {
	defer recoverInto(&err)
	if r.r == nil {
		return false, fmt.Errorf("mobile: HandlePush on a replica that is not open")
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(dataJSON), &raw); err != nil {
		return false, fmt.Errorf("mobile: HandlePush: the push data is not a JSON object: %w", err)
	}
	data := make(map[string]string, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			data[k] = s
		}
	}
	return inbox.HandlePush(r.r, data), nil
}
