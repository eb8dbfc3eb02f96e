package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"time"

	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/media/minio"
)

// MediaConfig says where photos are stored. With no S3 endpoint they are
// files under --data-dir/blobs, served by this server itself.
type MediaConfig struct {
	S3Endpoint     string
	S3AccessKey    string
	S3SecretKey    string
	S3TLS          bool
	S3BucketPrefix string
	S3PublicURL    string
	PublicURL      string
	MaxBytes       int64
	Retention      time.Duration
	// BlobDir keeps photos on this machine without S3 (default
	// --data-dir/blobs); production must choose it explicitly.
	BlobDir string
}

func (c *MediaConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", "", "MinIO/S3 host:port for photos; empty keeps them under --data-dir/blobs")
	fs.StringVar(&c.S3AccessKey, "s3-access-key", "", "access key for --s3-endpoint")
	fs.StringVar(&c.S3SecretKey, "s3-secret-key", "", "secret key for --s3-endpoint")
	fs.BoolVar(&c.S3TLS, "s3-tls", false, "reach --s3-endpoint over HTTPS")
	fs.StringVar(&c.S3BucketPrefix, "s3-bucket-prefix", "ordinator-", "photo bucket name before the country code (ordinator-ru)")
	fs.StringVar(&c.S3PublicURL, "s3-public-url", "", "where devices reach the object storage, if not at --s3-endpoint (https://media.example.ru)")
	fs.StringVar(&c.BlobDir, "blob-dir", "", "directory for photos without --s3-endpoint (default --data-dir/blobs); with --database-url it must be given")
	fs.StringVar(&c.PublicURL, "public-url", "", "where devices reach this server, for photo URLs it serves itself (default http://<listen address>)")
	fs.Int64Var(&c.MaxBytes, "media-max-bytes", 32<<20, "largest photo accepted")
	fs.DurationVar(&c.Retention, "media-retention", 7*24*time.Hour, "how long an upload may stay incomplete, and a photo unused, before it is deleted")
}

// bucketPattern is what S3 accepts as a bucket name (without dots, which
// break virtual-host TLS).
var bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

func (c *MediaConfig) validate(country string) error {
	if c.S3Endpoint != "" {
		if c.S3AccessKey == "" || c.S3SecretKey == "" {
			return fmt.Errorf("--s3-endpoint needs --s3-access-key and --s3-secret-key")
		}
		if b := c.S3BucketPrefix + country; !bucketPattern.MatchString(b) {
			return fmt.Errorf("--s3-bucket-prefix %q: bucket %q is not a valid name (lowercase letters, digits and dashes, 3 to 63)", c.S3BucketPrefix, b)
		}
	}
	for flag, u := range map[string]string{"--public-url": c.PublicURL, "--s3-public-url": c.S3PublicURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("%s %q: want http(s)://host[:port]", flag, u)
		}
	}
	if c.MaxBytes <= 0 {
		return fmt.Errorf("--media-max-bytes must be positive")
	}
	if c.Retention <= 0 {
		return fmt.Errorf("--media-retention must be positive")
	}
	return nil
}

// blobStorage is where photos are: a blob store, and for the embedded one
// the handler that serves its URLs.
type blobStorage struct {
	store   media.BlobStore
	handler http.Handler
	where   string
	// origins serve the photo URLs, for the console's CSP.
	origins []string
}

// openS3 connects to the object storage and creates the country stack's bucket;
// nil without --s3-endpoint. It runs before anything local is created.
func openS3(ctx context.Context, cfg *Config) (*blobStorage, error) {
	c := cfg.Media
	if c.S3Endpoint == "" {
		return nil, nil
	}
	s, err := minio.New(ctx, minio.Config{
		Endpoint: c.S3Endpoint, AccessKey: c.S3AccessKey, SecretKey: c.S3SecretKey, Secure: c.S3TLS,
		Bucket: c.S3BucketPrefix + cfg.Country, PublicURL: c.S3PublicURL,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot use the object storage given by --s3-endpoint: %s", oneLine(err))
	}
	origin := "http://" + c.S3Endpoint
	if c.S3TLS {
		origin = "https://" + c.S3Endpoint
	}
	if c.S3PublicURL != "" {
		origin = urlOrigin(c.S3PublicURL)
	}
	return &blobStorage{store: s, where: s.String(), origins: []string{origin}}, nil
}

// openBlobs returns the S3 storage if there is one, else files under
// --data-dir/blobs whose URLs point at this server.
func openBlobs(cfg *Config, s3 *blobStorage, addr net.Addr, log *slog.Logger) (*blobStorage, error) {
	if s3 != nil {
		return s3, nil
	}
	base := cfg.ownURL(addr)
	if cfg.Media.PublicURL == "" {
		if ip := addr.(*net.TCPAddr).IP; ip.IsUnspecified() {
			log.Warn("photo URLs name an unspecified address; set --public-url to where devices reach this server", "url", base)
		}
	}
	dir := cfg.Media.BlobDir
	if dir == "" {
		dir = filepath.Join(cfg.DataDir, "blobs")
	}
	if err := writableDir(dir); err != nil {
		return nil, err
	}
	s, err := fsblob.New(dir, fsblob.Options{BaseURL: base})
	if err != nil {
		return nil, fmt.Errorf("cannot keep photos in %s: %v (choose another --data-dir, or use --s3-endpoint)", dir, err)
	}
	return &blobStorage{store: s, handler: s.Handler(), where: dir, origins: []string{urlOrigin(base)}}, nil
}

// urlOrigin is the scheme and host of a URL validate accepted.
func urlOrigin(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Scheme + "://" + p.Host
}
