package mobile_test

import (
	"bytes"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ordinatorhq/ordinator/mobile-sdk/mobile"
	"github.com/ordinatorhq/ordinator/rules/countrydir"
	"github.com/ordinatorhq/ordinator/rules/signkey"
)

func TestFetchDirectory(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, ed25519.SeedSize))
	signed, err := countrydir.Sign(&countrydir.Document{Version: 2, Countries: map[string]countrydir.Entry{
		"uz": {APIURL: "https://api.uz.example", MediaURL: "https://media.uz.example", MinAppVersion: "3.0"},
		"kz": {APIURL: "https://api.kz.example", MediaURL: "https://media.kz.example", MinAppVersion: "2.4.0"}}}, key)
	if err != nil {
		t.Fatal(err)
	}
	var body atomic.Pointer[[]byte]
	body.Store(&signed)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(*body.Load()) }))
	defer site.Close()
	pub := signkey.EncodePublic(key.Public().(ed25519.PublicKey))
	d, err := mobile.FetchDirectory(site.URL, pub)
	if err != nil {
		t.Fatal(err)
	}
	uz, err := d.Lookup("uz")
	if err != nil || d.Countries() != "kz,uz" || d.Version != 2 || uz.APIURL != "https://api.uz.example" || uz.MinAppVersion != "3.0" {
		t.Fatalf("%+v %s %+v %v", d, d.Countries(), uz, err)
	}
	if _, err := d.Lookup("ru"); err == nil {
		t.Fatal("lookup of an unlisted country succeeded")
	}
	tampered := bytes.Replace(signed, []byte(`3.0`), []byte(`1.0`), 1)
	body.Store(&tampered)
	if _, err := mobile.FetchDirectory(site.URL, pub); err == nil || !strings.Contains(err.Error(), "bad signature") {
		t.Fatalf("a tampered directory: %v", err)
	}
}
