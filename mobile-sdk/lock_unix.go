//go:build unix

package sdk

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock on the replica directory, so two
// processes never run two sync loops on one outbox. The kernel releases it
// when the process dies, however it dies.
func lockDir(dir string) (io.Closer, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sdk: locking the replica: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sdk: the replica in %s is open in another process", dir)
		}
		return nil, fmt.Errorf("sdk: locking the replica: %w", err)
	}
	return f, nil
}
