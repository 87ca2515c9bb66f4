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
)

// Wipe deletes everything Sidecar keeps for this OS user: the database
// with its -wal and -shm files, the logs, the local API's discovery file,
// downloaded models and partial downloads, and the keychain entries (the
// database key, the API token, the backup passphrase and the given
// providers' keys). Backups in the user's own folder are left alone. Close the
// store first. Afterwards Sidecar starts as on its first day. It returns
// what it removed.
func Wipe(ctx context.Context, dir string, kc *keychain.Keychain, providers []string) ([]string, error) {
	var removed []string
	var errs []error
	passMode := Mode(dir) == ModePassphrase
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("profile: wipe: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		ours := name == "sidecar.db" || strings.HasPrefix(name, "sidecar.db-") || strings.HasPrefix(name, "sidecar.log") ||
			name == "localapi.json" || strings.HasPrefix(name, ".localapi-") || name == "models" || strings.HasPrefix(name, KeyFile) ||
			name == "client-tokens.json" || strings.HasPrefix(name, ".client-tokens-")
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
	accounts := []string{keychain.AccountDBKey, keychain.AccountAPIToken, keychain.AccountBackupPassphrase}
	for _, p := range providers {
		accounts = append(accounts, keychain.ProviderAccount(p))
	}
	for _, a := range accounts {
		if err := kc.Delete(ctx, a); err != nil {
			if passMode && (errors.Is(err, keychain.ErrUnavailable) || errors.Is(err, keychain.ErrTimeout)) {
				break // passphrase mode kept its secrets in the database, now gone
			}
			errs = append(errs, err)
			continue
		}
		removed = append(removed, "keychain: "+kc.Service+"/"+a)
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("profile: wipe: %w", err)
	}
	return removed, nil
}
