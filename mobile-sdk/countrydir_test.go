package sdk_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/rules/countrydir"
	"github.com/ordinatorhq/ordinator/rules/signkey"
)

// directoryKey stands for the key pair of the directory's publisher; the
// app has only the public half built in.
var directoryKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))

func signedDirectory() []byte {
	b, err := countrydir.Sign(&countrydir.Document{Version: 5, Countries: map[string]countrydir.Entry{
		"kz": {APIURL: "https://api.kz.example", MediaURL: "https://media.kz.example", MinAppVersion: "2.4.0"},
		"ru": {APIURL: "https://api.ru.example", MediaURL: "https://media.ru.example", MinAppVersion: "2.4.0"},
	}}, directoryKey)
	if err != nil {
		panic(err)
	}
	return b
}

// Before sign-in, an app finds its country's stack in the signed country
// directory (published as a static file, here by a test server).
func ExampleFetchDirectory() {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(signedDirectory()) }))
	defer site.Close()
	publicKey := signkey.EncodePublic(directoryKey.Public().(ed25519.PublicKey)) // built into the app

	dir, err := sdk.FetchDirectory(context.Background(), site.URL+"/directory.json", publicKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	kz, _ := dir.Lookup("kz")
	fmt.Println(dir.Version, dir.Codes(), kz.APIURL)
	// Output: 5 [kz ru] https://api.kz.example
}

func TestFetchDirectoryRefusesBadSignature(t *testing.T) {
	publicKey := signkey.EncodePublic(directoryKey.Public().(ed25519.PublicKey))
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, ed25519.SeedSize))
	forged, _ := countrydir.Sign(&countrydir.Document{Version: 6, Countries: map[string]countrydir.Entry{
		"kz": {APIURL: "https://evil.example", MediaURL: "https://evil.example", MinAppVersion: "1"}}}, other)
	tests := map[string]struct {
		body   []byte
		status int
		want   string
	}{
		"tampered":    {bytes.Replace(signedDirectory(), []byte("api.kz.example"), []byte("evil.example"), 1), 200, "bad signature"},
		"another key": {forged, 200, "bad signature"},
		"not signed":  {[]byte(`{"version": 5, "countries": {}}`), 200, "not a signed directory"},
		"not found":   {[]byte("gone"), 404, "404"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write(tc.body)
			}))
			defer site.Close()
			d, err := sdk.FetchDirectory(context.Background(), site.URL, publicKey)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %+v, %v; want an error with %q", d, err, tc.want)
			}
		})
	}
	if _, err := sdk.FetchDirectory(context.Background(), "http://127.0.0.1:1/x", "not a key"); err == nil || !strings.Contains(err.Error(), "public key") {
		t.Fatalf("a bad public key: %v", err)
	}
}
