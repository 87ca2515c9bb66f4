// Package profile locates the OS user's Sidecar data folder and opens the
// encrypted store in it, with the key kept in the OS keychain or derived
// from a passphrase; it also rotates, switches and wipes that key.
package profile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// EnvHome overrides the data folder.
const EnvHome = "SIDECAR_HOME"

// Dir returns the data folder: $SIDECAR_HOME, else os.UserConfigDir()/Sidecar.
func Dir() (string, error) {
	if d := os.Getenv(EnvHome); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("profile: no config folder (set %s): %w", EnvHome, err)
	}
	return filepath.Join(base, "Sidecar"), nil
}

// ErrKeyMissing means the database exists but the keychain has no key for
// it (the keychain was reset, or the folder was copied from elsewhere).
var ErrKeyMissing = errors.New("profile: the database exists but its key is not in the OS keychain")

// Profile is an opened data folder. While it is open its process holds the
// folder's lock (LockFile): no other process opens, rotates or wipes it.
type Profile struct {
	Dir string
	// ID is the profile id (IDFile) its keychain entries are named after.
	ID string
	DB *store.DB
	// Keychain keeps the profile's secrets: its entries in the OS
	// keychain, or in passphrase mode the encrypted database.
	Keychain *keychain.Keychain
	// OS is the profile's part of the OS keychain (the same as Keychain in
	// keychain mode).
	OS   *keychain.Keychain
	Mode string // ModeKeychain or ModePassphrase

	lock   *Lock
	closed bool
}

// DBPath returns the database path inside dir.
func DBPath(dir string) string { return filepath.Join(dir, store.FileName) }

// Open opens (creating on first start) the store in dir. On first start a
// random key is generated and stored in the keychain before the database is
// created; an existing database whose key is missing is left untouched.
// In passphrase mode it returns ErrPassphraseNeeded: use OpenWith.
// kc is the OS keychain; the profile's entries in it are named after the
// profile id. A folder another process has open gives a *LockedError.
func Open(ctx context.Context, dir string, kc *keychain.Keychain) (*Profile, error) {
	return OpenWith(ctx, dir, kc, "")
}

// OpenWith is Open with the passphrase of a profile in passphrase mode. A
// non-empty passphrase on a first start creates the profile in passphrase
// mode; an existing keychain-mode profile ignores it.
func OpenWith(ctx context.Context, dir string, kc *keychain.Keychain, pass string) (*Profile, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("profile: create %s: %w", dir, err)
	}
	restrictFileModes()
	lock, err := Acquire(dir)
	if err != nil {
		return nil, err
	}
	removeStale(dir)
	p, err := openLocked(ctx, dir, kc, pass)
	if err != nil {
		lock.Release()
		return nil, err
	}
	p.lock = lock
	return p, nil
}

// reopen opens p's folder again after a key change, keeping the lock p
// holds; on failure the lock goes.
func (p *Profile) reopen(ctx context.Context, kc *keychain.Keychain, pass string) (*Profile, error) {
	lock := p.lock
	p.lock = nil
	p2, err := openLocked(ctx, p.Dir, kc, pass)
	if err != nil {
		lock.Release()
		return nil, err
	}
	p2.lock = lock
	return p2, nil
}

// staleFiles are what a process that ended without cleaning up leaves in
// the data folder: whoever takes the lock knows their owner is gone.
var staleFiles = []string{"localapi.json", IDFile + ".tmp", KeyFile + ".tmp", KeyFile + ".next.tmp"}

func removeStale(dir string) {
	for _, name := range staleFiles {
		os.Remove(filepath.Join(dir, name))
	}
	for _, pattern := range []string{".localapi-*", ".client-tokens-*"} { // half-written temporaries
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range m {
			os.Remove(f)
		}
	}
}

// openLocked opens dir, whose lock the caller holds.
func openLocked(ctx context.Context, dir string, osKC *keychain.Keychain, pass string) (*Profile, error) {
	id, err := loadOrCreateID(dir)
	if err != nil {
		return nil, err
	}
	kc := osKC.ForProfile(id)
	path := DBPath(dir)
	if err := recoverRotation(ctx, dir, kc); err != nil {
		down := errors.Is(err, keychain.ErrUnavailable) || errors.Is(err, keychain.ErrTimeout)
		if !down || (Mode(dir) != ModePassphrase && pass == "") {
			return nil, wrapKeychain(err)
		}
	}
	if err := recoverPassphraseSwitch(ctx, dir, kc, pass); err != nil {
		return nil, err
	}
	exists := true
	if fi, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		exists = false
	} else if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	} else if fi.Size() == 0 {
		exists = false // an empty file left by an interrupted first start
	}
	if Mode(dir) == ModePassphrase || (!exists && pass != "") {
		p, err := openPassphrase(ctx, dir, kc, pass, exists)
		if err == nil {
			p.ID = id
		}
		return p, err
	}
	if _, ok, err := readKDF(filepath.Join(dir, KeyFile)); err != nil && !ok {
		return nil, err // a damaged key file: not guessed at
	}
	key, err := keychainKey(ctx, path, kc, exists)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, path, key)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if _, err := db.MarkInterrupted(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("profile: %w", err)
	}
	// Secrets a passphrase-mode past left in the database go to the keychain.
	if err := moveSecretsToKeychain(ctx, db, kc); err != nil {
		db.Close()
		return nil, wrapKeychain(err)
	}
	return &Profile{Dir: dir, ID: id, DB: db, Keychain: kc, OS: kc, Mode: ModeKeychain}, nil
}

// keychainKey returns the key of the database at path from the profile's
// keychain entry: created on first start, taken over from the entry
// earlier versions shared between folders when that entry opens it.
func keychainKey(ctx context.Context, path string, kc *keychain.Keychain, exists bool) ([]byte, error) {
	if !exists {
		k, _, err := kc.LoadOrCreateKey(ctx, keychain.AccountDBKey, store.KeySize)
		if err != nil {
			return nil, wrapKeychain(err)
		}
		return k, nil
	}
	k, err := kc.LoadKey(ctx, keychain.AccountDBKey, store.KeySize)
	if errors.Is(err, keychain.ErrNotFound) {
		k, err = adoptLegacyKey(ctx, path, kc)
	}
	if errors.Is(err, keychain.ErrNotFound) {
		return nil, fmt.Errorf("%w (%s); restore the keychain entry %q of service %q, or move the file away to start afresh",
			ErrKeyMissing, path, kc.Account(keychain.AccountDBKey), kc.Service)
	}
	if err != nil {
		return nil, wrapKeychain(err)
	}
	return k, nil
}

// wrapKeychain keeps the keychain sentinel errors visible to errors.Is, so
// callers can add keychain.Help where they show the error.
func wrapKeychain(err error) error { return fmt.Errorf("profile: %w", err) }

// Close closes the store and releases the folder's lock. Closing twice is
// harmless.
func (p *Profile) Close() error {
	if p.closed {
		return nil
	}
	err := p.closeDB()
	p.lock.Release()
	p.lock = nil
	return err
}

// closeDB closes the store but keeps the lock, for a key change that swaps
// the file and reopens it.
func (p *Profile) closeDB() error {
	p.closed = true
	return p.DB.Close()
}

// Closed reports whether Close was called (a key change that fails after
// closing the profile leaves it closed, its lock released).
func (p *Profile) Closed() bool { return p.closed }
