package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// CopyWithKey writes a consistent copy of the database to path, encrypted
// with key, and checks that the copy opens with that key and holds the
// same rows. path must not exist.
func (db *DB) CopyWithKey(ctx context.Context, path string, key []byte) error {
	if len(key) != KeySize {
		return fmt.Errorf("store: copy: %w", ErrBadKey)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: copy: %s already exists", filepath.Base(path))
	}
	target := (&url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path),
		RawQuery: "vfs=adiantum&hexkey=" + hex.EncodeToString(key)}).String()
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO ?`, target); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: copy: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	cp, err := Open(ctx, path, key)
	if err != nil {
		return fmt.Errorf("store: copy: the copy does not open: %w", err)
	}
	defer cp.Close()
	for _, table := range []string{"chats", "messages", "documents", "chunks", "settings", "embedding_models"} {
		var a, b int
		q := "SELECT count(*) FROM " + table
		if err := db.sql.QueryRowContext(ctx, q).Scan(&a); err != nil {
			return fmt.Errorf("store: copy: %w", err)
		}
		if err := cp.sql.QueryRowContext(ctx, q).Scan(&b); err != nil {
			return fmt.Errorf("store: copy: %w", err)
		}
		if a != b {
			return fmt.Errorf("store: copy: %s has %d rows in the copy, %d in the original", table, b, a)
		}
	}
	return nil
}
