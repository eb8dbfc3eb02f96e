package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
)

// checkProduction refuses the starts that would hurt a production
// deployment: photos on one replica's disk, demo accounts with a public
// password on the real database, half a TLS configuration.
func (c *Config) checkProduction() error {
	production := c.DatabaseURL != ""
	if production && c.Media.S3Endpoint == "" && c.Media.BlobDir == "" {
		return errors.New("--database-url without --s3-endpoint: photos would stay on this machine's disk, different on every replica; " +
			"give --s3-endpoint (MinIO or S3), or --blob-dir to keep them in a directory all replicas share (or the only one)")
	}
	if production && c.Demo && !c.DemoOnProduction {
		return fmt.Errorf("--demo on PostgreSQL creates accounts whose password (%s) is public; add --demo-on-production if this database is only for a demonstration", demoPassword)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both, or neither to serve plain HTTP (h2c)")
	}
	return nil
}

// tlsConfig loads --tls-cert and --tls-key; nil without them.
func (c *Config) tlsConfig() (*tls.Config, error) {
	if c.TLSCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s and --tls-key %s: %v", c.TLSCert, c.TLSKey, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// ownURL is where this server is reached when --public-url does not say:
// its listen address, over https when it serves TLS itself.
func (c *Config) ownURL(addr net.Addr) string {
	if c.Media.PublicURL != "" {
		return strings.TrimSuffix(c.Media.PublicURL, "/")
	}
	if c.TLSCert != "" {
		return "https://" + addr.String()
	}
	return "http://" + addr.String()
}
