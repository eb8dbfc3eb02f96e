//go:build !unix

package sdk

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// lockDir creates the lock file; platforms without flock rely on the app
// opening a replica once.
func lockDir(dir string) (io.Closer, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sdk: locking the replica: %w", err)
	}
	return f, nil
}
