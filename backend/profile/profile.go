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

// Profile is an opened data folder.
type Profile struct {
	Dir string
	DB  *store.DB
	// Keychain keeps the profile's secrets: the OS keychain, or in
	// passphrase mode the encrypted database.
	Keychain *keychain.Keychain
	// OS is the OS keychain (the same as Keychain in keychain mode).
	OS   *keychain.Keychain
	Mode string // ModeKeychain or ModePassphrase

	closed bool
}

// DBPath returns the database path inside dir.
func DBPath(dir string) string { return filepath.Join(dir, store.FileName) }

// Open opens (creating on first start) the store in dir. On first start a
// random key is generated and stored in the keychain before the database is
// created; an existing database whose key is missing is left untouched.
// In passphrase mode it returns ErrPassphraseNeeded: use OpenWith.
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
		return openPassphrase(ctx, dir, kc, pass, exists)
	}
	if _, ok, err := readKDF(filepath.Join(dir, KeyFile)); err != nil && !ok {
		return nil, err // a damaged key file: not guessed at
	}
	var key []byte
	if exists {
		k, err := kc.LoadKey(ctx, keychain.AccountDBKey, store.KeySize)
		if errors.Is(err, keychain.ErrNotFound) {
			return nil, fmt.Errorf("%w (%s); restore the keychain entry %q of service %q, or move the file away to start afresh",
				ErrKeyMissing, path, keychain.AccountDBKey, kc.Service)
		}
		if err != nil {
			return nil, wrapKeychain(err)
		}
		key = k
	} else {
		k, _, err := kc.LoadOrCreateKey(ctx, keychain.AccountDBKey, store.KeySize)
		if err != nil {
			return nil, wrapKeychain(err)
		}
		key = k
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
	return &Profile{Dir: dir, DB: db, Keychain: kc, OS: kc, Mode: ModeKeychain}, nil
}

// wrapKeychain keeps the keychain sentinel errors visible to errors.Is, so
// callers can add keychain.Help where they show the error.
func wrapKeychain(err error) error { return fmt.Errorf("profile: %w", err) }

// Close closes the store.
func (p *Profile) Close() error {
	p.closed = true
	return p.DB.Close()
}

// Closed reports whether Close was called (a key change that fails after
// closing the profile leaves it closed).
func (p *Profile) Closed() bool { return p.closed }
