package profile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// Wipe deletes everything Sidecar keeps in the data folder dir: the
// database with its -wal and -shm files and any copy a key change left,
// the logs, the local API's discovery file, downloaded models and partial
// downloads, the profile id, and the profile's own keychain entries in kc
// (the database key, the API token, the backup passphrase and the given
// providers' keys). Other folders' entries, and the entries earlier
// versions shared between folders, are left alone, as are backups in the
// user's own folder. Close the store first: a folder another process has
// open gives a *LockedError and nothing is deleted. Afterwards Sidecar
// starts there as on its first day. It returns what it removed.
func Wipe(ctx context.Context, dir string, kc *keychain.Keychain, providers []string) ([]string, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	lock, err := Acquire(dir)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	id, err := ReadID(dir)
	if err != nil {
		return nil, fmt.Errorf("profile: wipe: %w", err)
	}
	passMode := Mode(dir) == ModePassphrase
	removed, errs := removeFiles(dir)
	if id != "" { // a folder without an id has no entry of its own
		r, err := deleteEntries(ctx, kc.ForProfile(id), providers, passMode)
		removed = append(removed, r...)
		if err != nil {
			return removed, fmt.Errorf("profile: wipe: %w", errors.Join(append(errs, err)...))
		}
	}
	// The id goes after its entries: while one remains, a second wipe can
	// still find it.
	for _, name := range []string{IDFile, LockFile} {
		p := filepath.Join(dir, name)
		if err := os.Remove(p); err == nil {
			removed = append(removed, p)
		} else if !errors.Is(err, fs.ErrNotExist) && name == IDFile {
			errs = append(errs, err)
		} // Windows keeps the open lock file: it stays there, empty
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("profile: wipe: %w", err)
	}
	return removed, nil
}

// removeFiles deletes what Sidecar keeps in dir but the id and lock files.
func removeFiles(dir string) (removed []string, errs []error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, []error{err}
	}
	for _, e := range entries {
		name := e.Name()
		ours := strings.HasPrefix(name, store.FileName) || strings.HasPrefix(name, "sidecar.log") ||
			name == "localapi.json" || strings.HasPrefix(name, ".localapi-") || name == "models" ||
			strings.HasPrefix(name, KeyFile) || name == IDFile+".tmp" ||
			name == "client-tokens.json" || strings.HasPrefix(name, ".client-tokens-") || name == ".client-tokens.lock"
		if !ours {
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errs
}

// deleteEntries deletes a profile's keychain entries. In passphrase mode
// an unreachable keychain is no error: the secrets were in the database.
func deleteEntries(ctx context.Context, kc *keychain.Keychain, providers []string, passMode bool) ([]string, error) {
	accounts := []string{keychain.AccountDBKey, accountNextKey, keychain.AccountAPIToken, keychain.AccountBackupPassphrase}
	for _, p := range providers {
		accounts = append(accounts, keychain.ProviderAccount(p))
	}
	var removed []string
	var errs []error
	for _, a := range accounts {
		if err := kc.Delete(ctx, a); err != nil {
			if passMode && (errors.Is(err, keychain.ErrUnavailable) || errors.Is(err, keychain.ErrTimeout)) {
				break
			}
			errs = append(errs, err)
			continue
		}
		removed = append(removed, "keychain: "+kc.Service+"/"+kc.Account(a))
	}
	return removed, errors.Join(errs...)
}
