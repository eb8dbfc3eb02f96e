package mobile

import (
	"context"
	"strings"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Directory is the signed country directory (see sdk.FetchDirectory).
type Directory struct {
	// Version grows with every published directory.
	Version int64
	d       *sdk.Directory
}

// DirectoryEntry is where one country's stack is.
type DirectoryEntry struct {
	APIURL        string
	MediaURL      string
	MinAppVersion string
}

// FetchDirectory downloads the country directory from url and returns it
// only if publicKey (base64, built into the app) signed it.
func FetchDirectory(url, publicKey string) (d *Directory, err error) {
	defer recoverInto(&err)
	dir, err := sdk.FetchDirectory(context.Background(), url, publicKey)
	if err != nil {
		return nil, err
	}
	return &Directory{Version: dir.Version, d: dir}, nil
}

// Countries returns the country codes the directory lists, sorted and
// separated by commas ("kz,ru,uz").
func (d *Directory) Countries() string { return strings.Join(d.d.Codes(), ",") }

// Lookup returns a country's stack, or an error naming the countries
// listed.
func (d *Directory) Lookup(country string) (e *DirectoryEntry, err error) {
	defer recoverInto(&err)
	en, err := d.d.Lookup(country)
	if err != nil {
		return nil, err
	}
	return &DirectoryEntry{APIURL: en.APIURL, MediaURL: en.MediaURL, MinAppVersion: en.MinAppVersion}, nil
}
