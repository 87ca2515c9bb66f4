package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the file in the data folder whose OS lock marks the one
// process that owns the folder's database. The OS releases the lock when
// that process ends, however it ends; the file holds its process id so a
// second process can name it.
const LockFile = "sidecar.lock"

// ErrLocked means another process has the data folder open. The error
// returned is a *LockedError, which names that process.
var ErrLocked = errors.New("profile: another Sidecar process has this data folder open")

// LockedError says which process holds a data folder.
type LockedError struct {
	Dir string
	PID int // 0 when the holder has not written its id yet
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("Sidecar is already running (pid %d); close it or use its local API", e.PID)
	}
	return "Sidecar is already running; close it or use its local API"
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held data-folder lock.
type Lock struct{ f *os.File }

// Acquire takes dir's lock without waiting: a folder another process holds
// gives a *LockedError.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockFile)
	for try := 0; ; try++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("profile: lock: %w", err)
		}
		held, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("profile: lock %s: %w", path, err)
		}
		if held {
			f.Close()
			return nil, &LockedError{Dir: dir, PID: lockHolder(path)}
		}
		// A wipe removes the file while it holds the lock: a lock taken on
		// the removed file holds nothing, so take the new one.
		if !stillThere(f, path) && try < 10 {
			unlock(f)
			f.Close()
			continue
		}
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		return &Lock{f: f}, nil
	}
}

// stillThere reports whether the open file f is still the one at path.
func stillThere(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// Release lets another process take the folder. Releasing nil or twice is
// harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	unlock(f)
	return f.Close()
}

// lockHolder reads the process id the holder wrote (0 if none).
func lockHolder(path string) int {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 32 {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
