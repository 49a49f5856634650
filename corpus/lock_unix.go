//go:build unix

package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes the store directory's lock: an exclusive flock on
// DIR/.lock, held by one Store method at a time across processes (a
// campaign, a merge, an import), so that their multi-file updates of a
// signature never interleave. It returns the function that releases it.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("corpus: lock: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("corpus: lock %s: %w", f.Name(), err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
