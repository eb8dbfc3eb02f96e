package sdk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ordinatorhq/ordinator/rules/countrydir"
	"github.com/ordinatorhq/ordinator/rules/signkey"
)

// Directory is the signed country directory: each country's stack (API
// URL, media URL, minimum app version). It lists no users.
type Directory = countrydir.Document

// directoryClient fetches the directory; it is a static file on any web
// server or CDN, so HTTP/1.1 or HTTP/2 as it offers.
var directoryClient = &http.Client{Timeout: 30 * time.Second}

// FetchDirectory downloads the country directory from url before sign-in
// and returns it only if publicKey (base64, the key built into the app)
// signed it: a directory with a bad signature, or one changed after
// signing, is refused, so a network that rewrites it cannot send the app
// to another server.
func FetchDirectory(ctx context.Context, url, publicKey string) (*Directory, error) {
	key, err := signkey.ParsePublic(publicKey)
	if err != nil {
		return nil, fmt.Errorf("sdk: the directory key: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("sdk: directory URL %q: %w", url, err)
	}
	res, err := directoryClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sdk: fetching the country directory: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sdk: fetching the country directory: %s answered %s", url, res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, countrydir.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("sdk: fetching the country directory: %w", err)
	}
	d, err := countrydir.Verify(body, key)
	if err != nil {
		return nil, fmt.Errorf("sdk: %w", err)
	}
	return d, nil
}
