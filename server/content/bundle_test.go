package content_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/content/bundle"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// stacks is a source stack (ru) and a destination stack (kz), each with
// its own store and blob store, and the source's signing key.
type stacks struct {
	ru, kz       *env
	ruImg, kzImg *images
	key          ed25519.PrivateKey
	trusted      bundle.Trusted
	mapping      *content.Mapping
}

func newStacks(t testing.TB, d syncengine.Dialect) *stacks {
	t.Helper()
	s := &stacks{ru: newEnv(t, d), kz: newEnv(t, d)}
	s.ruImg, s.kzImg = s.ru.images(), s.kz.images()
	for _, r := range []auth.Region{{ID: "ala", Name: "Almaty", TimeZone: "Asia/Almaty"}, {ID: "ast", Name: "Astana", TimeZone: "Asia/Almaty"}} {
		_, err := s.kz.accounts.CreateRegion(s.kz.ctx, auth.System, r)
		must(t, err)
	}
	_, s.key, _ = ed25519.GenerateKey(nil)
	s.trusted = bundle.Trusted{"ru": {s.key.Public().(ed25519.PublicKey)}}
	var err error
	s.mapping, err = content.ParseMapping([]byte("regions:\n  msk: [ala, ast]\n  spb: []\nspecialties:\n  dermatology: dermatology\n"))
	must(t, err)
	return s
}

func (s *stacks) export() []byte {
	s.ru.t.Helper()
	b, _, err := s.ru.svc.ExportBundle(s.ru.ctx, s.ruImg.svc, content.ExportOptions{Source: "ru", Destination: "kz", Key: s.key})
	must(s.ru.t, err)
	return b
}

func (s *stacks) importBundle(b []byte) (*content.Imported, error) {
	return s.kz.svc.ImportBundle(s.kz.ctx, s.kzImg.svc, b, content.ImportOptions{Trusted: s.trusted, Country: "kz", Mapping: s.mapping})
}

// author publishes on ru an article with an image, a training, a
// local-only article and one for uz only, and leaves a draft.
func (s *stacks) author() {
	e := s.ru
	img := s.ruImg.register(e.editor, 7, contentImage)
	s.ruImg.send(e.editor, img)
	a := article("eczema", "Экзема", "Эмоленты **каждый день**.", []string{"dermatology"}, []string{"msk", "spb"})
	a.ImageMediaIds = []string{img.id}
	for _, it := range []*contentv1.Item{a, training("course", 50, []string{"dermatology"}, []string{"msk"})} {
		e.create(it)
		e.publish(it.Id)
	}
	local := article("ru-only", "Только для России", "Текст.", []string{"dermatology"}, []string{"msk"})
	local.LocalOnly = true
	e.create(local)
	e.publish(local.Id)
	uz := article("uz-only", "Для Узбекистана", "Текст.", []string{"dermatology"}, []string{"msk"})
	uz.Countries = []string{"uz"}
	e.create(uz)
	e.publish(uz.Id)
	e.create(article("draft", "Черновик", "Текст.", []string{"dermatology"}, []string{"msk"}))
}

func TestBundleCarriesPublishedContentToAnotherStack(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := newStacks(t, d)
			s.author()
			doctor := s.kz.doctor("aigerim", "dermatology", "ast", true)
			res, err := s.importBundle(s.export())
			must(t, err)
			if res.Added != 2 || res.Version != 1 || res.Unchanged {
				t.Fatalf("imported %+v, want 2 items added at version 1", res)
			}
			doctor.Sync()
			items := doctor.items()
			if got := doctor.ids(); strings.Join(got, ",") != "course,eczema" {
				t.Fatalf("the kz doctor has %v, want course and eczema (not the local-only, uz-only or draft items)", got)
			}
			ecz := items["eczema"]
			if strings.Join(ecz.RegionIds, ",") != "ala,ast" || len(ecz.ImageMediaIds) != 1 || len(ecz.Countries) != 0 {
				t.Fatalf("eczema arrived as %v", ecz)
			}
			if !strings.Contains(ecz.GetArticle().Body.Html, "<strong>каждый день</strong>") {
				t.Fatalf("the article's body is %q", ecz.GetArticle().Body.Html)
			}
			// The image is in kz's blob store, the same bytes as ru's.
			_, kzImage, _, err := s.kzImg.svc.ExportContentImage(s.kz.ctx, ecz.ImageMediaIds[0])
			must(t, err)
			src, err := s.ru.svc.GetItem(s.ru.ctx, s.ru.editor, "eczema")
			must(t, err)
			_, ruImage, _, err := s.ruImg.svc.ExportContentImage(s.ru.ctx, src.Item.ImageMediaIds[0])
			must(t, err)
			if string(kzImage) != string(ruImage) {
				t.Fatal("the image in kz's store differs from ru's")
			}
			if !s.kzImg.referenced(ecz.ImageMediaIds[0], "content:eczema") {
				t.Fatal("the imported image is not referenced by its item")
			}

			// The same bundle again, or an export of unchanged content,
			// changes nothing.
			again, err := s.importBundle(s.export())
			must(t, err)
			if !again.Unchanged || again.Version != 1 {
				t.Fatalf("re-import: %+v, want unchanged version 1", again)
			}

			// ru edits the article and withdraws the training: version 2
			// updates one and unpublishes the other on kz's phones.
			ecz2 := proto.Clone(src.Item).(*contentv1.Item)
			ecz2.Title = "Экзема: уход"
			_, err = s.ru.svc.UpdateItem(s.ru.ctx, s.ru.editor, ecz2, 0)
			must(t, err)
			_, err = s.ru.svc.UnpublishItem(s.ru.ctx, s.ru.editor, "course")
			must(t, err)
			v2, err := s.importBundle(s.export())
			must(t, err)
			if v2.Version != 2 || v2.Updated != 1 || v2.Withdrawn != 1 {
				t.Fatalf("version 2 imported as %+v, want 1 updated and 1 withdrawn", v2)
			}
			doctor.Sync()
			items = doctor.items()
			if len(items) != 1 || items["eczema"].Title != "Экзема: уход" || items["eczema"].Version != 2 {
				t.Fatalf("after version 2 the doctor has %v", items)
			}
		})
	}
}

// TestBundlePullIsClaimedOnce runs two processes of the kz stack pulling
// the same source: one pulls and imports per interval, the other skips.
func TestBundlePullIsClaimedOnce(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := newStacks(t, d)
			s.author()
			fetches := 0
			p := content.Pull{URL: "https://ru.example/bundles/kz.bundle", Every: time.Hour, Media: s.kzImg.svc,
				Options: content.ImportOptions{Trusted: s.trusted, Country: "kz", Mapping: s.mapping},
				Fetch:   func(context.Context, string) ([]byte, error) { fetches++; return s.export(), nil }}
			replicas := []*content.Service{s.kz.svc, content.New(s.kz.store, content.Config{Media: media.ContentImages{}, Now: s.kz.clock.Now})}
			pull := func(r *content.Service) (*content.Imported, bool) {
				res, claimed, err := r.PullBundle(s.kz.ctx, p)
				must(t, err)
				return res, claimed
			}
			res, claimed := pull(replicas[0])
			if !claimed || res.Added != 2 {
				t.Fatalf("first pull: claimed %v, %+v", claimed, res)
			}
			if _, claimed := pull(replicas[1]); claimed {
				t.Fatal("the second replica pulled within the same interval")
			}
			s.kz.clock.Advance(time.Hour)
			res, claimed = pull(replicas[1])
			if !claimed || !res.Unchanged {
				t.Fatalf("pull after an hour: claimed %v, %+v", claimed, res)
			}
			if fetches != 2 {
				t.Fatalf("the bundle was fetched %d times, want 2", fetches)
			}
		})
	}
}

// TestBundleMappingChangeApplies: the same bundle imported again after the
// mapping changed moves the items to the regions now mapped.
func TestBundleMappingChangeApplies(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := newStacks(t, d)
			s.author()
			doctor := s.kz.doctor("dana", "dermatology", "ast", true)
			b := s.export()
			_, err := s.importBundle(b)
			must(t, err)
			doctor.Sync()
			if got := doctor.ids(); len(got) != 2 {
				t.Fatalf("the Astana doctor has %v", got)
			}
			s.mapping, err = content.ParseMapping([]byte("regions: {msk: ala, spb: []}\nspecialties: {dermatology: dermatology}\n"))
			must(t, err)
			res, err := s.importBundle(b)
			must(t, err)
			if res.Unchanged || res.Updated != 2 {
				t.Fatalf("re-import with a new mapping: %+v", res)
			}
			doctor.Sync()
			if got := doctor.ids(); len(got) != 0 {
				t.Fatalf("after Astana left the mapping its doctor still has %v", got)
			}
			if again, err := s.importBundle(b); err != nil || !again.Unchanged {
				t.Fatalf("the same bundle and mapping again: %+v, %v", again, err)
			}
		})
	}
}

// TestBundleConcurrentImports: replicas importing one bundle at once
// import it once; the others find it there.
func TestBundleConcurrentImports(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := newStacks(t, d)
			s.author()
			b := s.export()
			const replicas = 4
			type outcome struct {
				res *content.Imported
				err error
			}
			done := make(chan outcome, replicas)
			for range replicas {
				go func() {
					r := content.New(s.kz.store, content.Config{Media: media.ContentImages{}, Now: s.kz.clock.Now})
					res, err := r.ImportBundle(s.kz.ctx, s.kzImg.svc, b, content.ImportOptions{Trusted: s.trusted, Country: "kz", Mapping: s.mapping})
					done <- outcome{res, err}
				}()
			}
			added, unchanged := 0, 0
			for range replicas {
				o := <-done
				must(t, o.err)
				added += o.res.Added
				if o.res.Unchanged {
					unchanged++
				}
			}
			if added != 2 || unchanged != replicas-1 {
				t.Fatalf("%d items added, %d imports found it there; want 2 and %d", added, unchanged, replicas-1)
			}
			if n := s.kz.state()["content_versions"]; n != 2 {
				t.Fatalf("%d versions stored, want 2", n)
			}
		})
	}
}
