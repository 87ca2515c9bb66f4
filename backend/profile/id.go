package profile

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// IDFile holds the profile id: 16 random bytes in hex that make the
// folder's keychain entries its own (see keychain.Keychain.Profile).
const IDFile = "profile-id"

// ReadID returns dir's profile id, "" when the folder has none yet.
func ReadID(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, IDFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("profile: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if raw, err := hex.DecodeString(id); err != nil || len(raw) != 16 {
		return "", fmt.Errorf("profile: %s is damaged; its keychain entries are named after it, so it was left as it is",
			filepath.Join(dir, IDFile))
	}
	return id, nil
}

// loadOrCreateID returns dir's profile id, making one on the folder's
// first start (or its first start with this version).
func loadOrCreateID(dir string) (string, error) {
	id, err := ReadID(dir)
	if err != nil || id != "" {
		return id, err
	}
	raw, err := keychain.RandomSecret(16)
	if err != nil {
		return "", err
	}
	id = hex.EncodeToString(raw)
	path := filepath.Join(dir, IDFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("profile: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("profile: write %s: %w", path, err)
	}
	syncDir(dir)
	return id, nil
}

// adoptLegacyKey looks for the key of the database at path among the
// entries that builds before per-profile entries shared between every
// data folder (keychain.LegacyAccounts). Only a key that really opens this
// database is taken: it is copied, read back, to the profile's own entry,
// and so are the shared API token, backup passphrase and provider keys the
// profile does not have yet. The shared entries stay where they are: those
// builds used one key for every data folder, so another folder may still
// need them until it is opened by this version. It returns
// keychain.ErrNotFound when no shared key opens the database.
func adoptLegacyKey(ctx context.Context, path string, mine *keychain.Keychain) ([]byte, error) {
	shared := mine.ForProfile("")
	for _, account := range []string{keychain.AccountDBKey, keychain.AccountDBKey + ".next"} {
		key, err := shared.LoadKey(ctx, account, store.KeySize)
		if errors.Is(err, keychain.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		db, err := store.Open(ctx, path, key)
		if errors.Is(err, store.ErrWrongKey) {
			continue // another folder's key
		}
		if err != nil {
			return nil, err
		}
		db.Close()
		if err := storeKey(ctx, mine, keychain.AccountDBKey, key); err != nil {
			return nil, err
		}
		for _, a := range keychain.LegacyAccounts() {
			if strings.HasPrefix(a, keychain.AccountDBKey) {
				continue
			}
			if err := copyEntry(ctx, shared, mine, a); err != nil {
				return nil, err
			}
		}
		return key, nil
	}
	return nil, keychain.ErrNotFound
}

// storeKey stores key under account and reads it back.
func storeKey(ctx context.Context, kc *keychain.Keychain, account string, key []byte) error {
	if err := kc.Set(ctx, account, hex.EncodeToString(key)); err != nil {
		return err
	}
	got, err := kc.LoadKey(ctx, account, store.KeySize)
	if err != nil {
		return fmt.Errorf("profile: read back %q: %w", kc.Account(account), err)
	}
	if hex.EncodeToString(got) != hex.EncodeToString(key) {
		return fmt.Errorf("profile: read back %q: value differs from what was stored", kc.Account(account))
	}
	return nil
}

// copyEntry copies account from one keychain to another unless the target
// has it already.
func copyEntry(ctx context.Context, from, to *keychain.Keychain, account string) error {
	if _, err := to.Get(ctx, account); !errors.Is(err, keychain.ErrNotFound) {
		return err
	}
	v, err := from.Get(ctx, account)
	if errors.Is(err, keychain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return to.Set(ctx, account, v)
}
