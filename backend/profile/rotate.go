package profile

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// accountNextKey holds the new key while a rotation is under way.
const accountNextKey = keychain.AccountDBKey + ".next"

// rotatingSuffix names the re-encrypted copy until it replaces the database.
const rotatingSuffix = ".rotating"

// stepHook lets tests stop a rotation after a step, as a crash would.
var stepHook = func(step int) {}

// Rotate re-encrypts the database under a new random key: the new key is
// stored in the keychain beside the old one, a verified copy is written
// under the new key, the copy replaces the database with an atomic rename,
// then the new key becomes the database key. A crash at any point leaves a
// database that Open can use (see recoverRotation). It returns the profile
// reopened under the new key; p is closed.
func Rotate(ctx context.Context, p *Profile) (*Profile, error) {
	if p.Mode == ModePassphrase {
		return nil, errors.New("profile: the key of this data comes from your passphrase: change the passphrase to re-encrypt it")
	}
	return rotateInto(ctx, p, p.Keychain)
}

// rotateInto re-encrypts the database under a new random key kept in kc
// (the OS keychain), as Rotate describes; from passphrase mode the key file
// is removed when the new key becomes the database key.
func rotateInto(ctx context.Context, p *Profile, kc *keychain.Keychain) (*Profile, error) {
	dir, path := p.Dir, DBPath(p.Dir)
	newKey, err := keychain.RandomSecret(store.KeySize)
	if err != nil {
		return nil, err
	}
	// 1: the new key is safe in the keychain before any data uses it.
	if err := kc.Set(ctx, accountNextKey, hex.EncodeToString(newKey)); err != nil {
		return nil, fmt.Errorf("profile: rotate: %w", err)
	}
	stepHook(1)
	// 2: a verified copy under the new key.
	tmp := path + rotatingSuffix
	store.RemoveCopy(tmp)
	if err := p.DB.CopyWithKey(ctx, tmp, newKey); err != nil {
		store.RemoveCopy(tmp)
		kc.Delete(ctx, accountNextKey)
		return nil, fmt.Errorf("profile: rotate: %w", err)
	}
	stepHook(2)
	// 3: close (checkpointing the WAL) and swap the files atomically.
	if err := p.closeDB(); err != nil {
		return nil, p.fail(fmt.Errorf("profile: rotate: %w", err))
	}
	if err := swapIn(tmp, path); err != nil {
		return nil, p.fail(fmt.Errorf("profile: rotate: %w", err))
	}
	stepHook(3)
	// 4: the new key becomes the database key; the spare goes.
	if err := kc.Set(ctx, keychain.AccountDBKey, hex.EncodeToString(newKey)); err != nil {
		return nil, p.fail(fmt.Errorf("profile: rotate: the database now uses the new key, kept as %q: %w", kc.Account(accountNextKey), err))
	}
	if err := os.Remove(filepath.Join(dir, KeyFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, p.fail(fmt.Errorf("profile: rotate: %w", err))
	}
	stepHook(4)
	if err := kc.Delete(ctx, accountNextKey); err != nil {
		return nil, p.fail(fmt.Errorf("profile: rotate: %w", err))
	}
	return p.reopen(ctx, kc, "")
}

// fail releases the lock of a profile whose store a key change closed
// before failing, and returns err.
func (p *Profile) fail(err error) error {
	p.lock.Release()
	p.lock = nil
	return err
}

// swapIn replaces the closed database at path with the copy tmp: the old
// WAL and shared-memory files go first, then an atomic rename.
func swapIn(tmp, path string) error {
	for _, side := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + side); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// recoverRotation finishes or undoes a rotation a crash interrupted,
// before the database is opened: a leftover copy is deleted (the database
// still has the old key); a database that only the new key opens gets
// that key as its key.
func recoverRotation(ctx context.Context, dir string, kc *keychain.Keychain) error {
	next, err := kc.LoadKey(ctx, accountNextKey, store.KeySize)
	if errors.Is(err, keychain.ErrNotFound) {
		store.RemoveCopy(DBPath(dir) + rotatingSuffix)
		return nil
	}
	if err != nil {
		return err
	}
	path := DBPath(dir)
	os.Remove(path + rotatingSuffix + "-journal")
	if err := os.Remove(path + rotatingSuffix); err == nil || !errors.Is(err, fs.ErrNotExist) {
		// The swap never happened: the database still has the old key.
		return kc.Delete(ctx, accountNextKey)
	}
	db, err := store.Open(ctx, path, next)
	if err == nil {
		db.Close()
		if err := kc.Set(ctx, keychain.AccountDBKey, hex.EncodeToString(next)); err != nil {
			return err
		}
		// A switch from passphrase mode: the key file goes with the old key.
		if err := os.Remove(filepath.Join(dir, KeyFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	} else if !errors.Is(err, store.ErrWrongKey) {
		return err
	}
	return kc.Delete(ctx, accountNextKey)
}
