package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirectoryCommands: keygen, sign and verify as the README shows them;
// a tampered file, another key and an overwritten key are refused.
func TestDirectoryCommands(t *testing.T) {
	dir := t.TempDir()
	cli := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := run(context.Background(), args, &out, &out)
		return code, out.String()
	}
	key, doc, signed := filepath.Join(dir, "directory.key"), filepath.Join(dir, "directory.json"), filepath.Join(dir, "directory.signed.json")
	code, out := cli("directory", "keygen", "--key", key)
	if code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	_, pub, _ := strings.Cut(strings.TrimSpace(out), "public key, to build into the apps: ")
	if code, out := cli("directory", "keygen", "--key", key); code != 1 || !strings.Contains(out, "never overwritten") {
		t.Fatalf("keygen over a key: %d %s", code, out)
	}
	os.WriteFile(doc, []byte(`{"version": 1, "countries": {
  "ru": {"api_url": "https://api.ru.example", "media_url": "https://media.ru.example", "min_app_version": "2.4.0"},
  "kz": {"api_url": "https://api.kz.example", "media_url": "https://media.kz.example", "min_app_version": "2.4.0"}}}`), 0o644)
	if code, out := cli("directory", "sign", "--key", key, "--out", signed, doc); code != 0 || !strings.Contains(out, "version 1 (2 countries)") {
		t.Fatalf("sign: %d %s", code, out)
	}
	code, out = cli("directory", "verify", "--public-key", pub, signed)
	if code != 0 || !strings.Contains(out, "signature good") || !strings.Contains(out, "kz       https://api.kz.example") {
		t.Fatalf("verify: %d %s", code, out)
	}
	body, _ := os.ReadFile(signed)
	os.WriteFile(signed, bytes.Replace(body, []byte("api.kz.example"), []byte("api.evil.example"), 1), 0o644)
	if code, out := cli("directory", "verify", "--public-key", pub, signed); code != 1 || !strings.Contains(out, "bad signature") {
		t.Fatalf("verify of a tampered file: %d %s", code, out)
	}
	os.WriteFile(signed, body, 0o644)
	other := filepath.Join(dir, "other.key")
	_, out = cli("directory", "keygen", "--key", other)
	_, otherPub, _ := strings.Cut(strings.TrimSpace(out), "public key, to build into the apps: ")
	if code, out := cli("directory", "verify", "--public-key", otherPub, signed); code != 1 || !strings.Contains(out, "bad signature") {
		t.Fatalf("verify with another key: %d %s", code, out)
	}
	os.WriteFile(doc, []byte(`{"version": 2, "countries": {"kz": {"api_url": "https://api.kz.example", "media_url": "https://m.kz", "min_app_version": "2", "users": ["a@b.kz"]}}}`), 0o644)
	if code, out := cli("directory", "sign", "--key", key, doc); code != 1 || !strings.Contains(out, `unknown field "users"`) {
		t.Fatalf("sign of a document with personal data: %d %s", code, out)
	}
}
