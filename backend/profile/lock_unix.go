//go:build unix

package profile

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// tryLock takes an exclusive flock on f; held is true when another open
// file (another process) has it.
func tryLock(f *os.File) (held bool, err error) {
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}

func unlock(f *os.File) { unix.Flock(int(f.Fd()), unix.LOCK_UN) }

// restrictFileModes makes every file and folder the process creates from
// now on readable only by the user (0600, folders 0700), whatever creates
// it: SQLite's journals and copies, logs, downloads.
func restrictFileModes() { unix.Umask(0o077) }
