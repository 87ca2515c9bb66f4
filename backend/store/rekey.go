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
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	target := (&url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path),
		RawQuery: "vfs=adiantum&hexkey=" + hex.EncodeToString(key)}).String()
	// The copy's file exists, 0600, before SQLite writes to it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	f.Close()
	if _, err := db.sql.ExecContext(interruptOnly{ctx}, `VACUUM INTO ?`, target); err != nil {
		RemoveCopy(path)
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return fmt.Errorf("store: copy: %w", err)
	}
	os.Remove(path + "-journal")
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

// RemoveCopy deletes a copy made by CopyWithKey (complete or interrupted)
// with the rollback journal SQLite keeps beside it while writing.
func RemoveCopy(path string) {
	for _, side := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + side)
	}
}

// interruptOnly passes a context's cancellation to SQLite without a Done
// channel. The driver keeps a statement running on a connection whose
// context has a Done channel (so an early interrupt is not lost), and
// VACUUM refuses to run beside any running statement ("cannot VACUUM - SQL
// statements in progress"). Without the channel no such statement is
// started, and SQLite's progress handler still stops the copy once Err
// reports the cancellation.
type interruptOnly struct{ context.Context }

func (interruptOnly) Done() <-chan struct{} { return nil }
