package store

import (
	"context"
	"path/filepath"
	"testing"
)

// oldSchema is a database file written by an earlier version of this
// package: the first n migrations only.
type oldSchema struct {
	Path string
	Key  []byte
}

// openAtSchema creates a database with only the first n migrations and
// returns it open, for a test to write rows the way that version did. The
// caller closes it, then calls migrated to open it with every migration.
func openAtSchema(ctx context.Context, t *testing.T, n int) (*DB, oldSchema) {
	t.Helper()
	o := oldSchema{Path: filepath.Join(t.TempDir(), FileName), Key: newKey(t)}
	all := migrations
	migrations = all[:n]
	db, err := Open(ctx, o.Path, o.Key)
	migrations = all
	if err != nil {
		t.Fatalf("open at schema %d: %v", n, err)
	}
	var v int
	if err := db.SQL().QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != n {
		db.Close()
		t.Fatalf("old schema is %d (%v), want %d", v, err, n)
	}
	return db, o
}

// migrated opens the old file with every migration, checks it reached the
// current schema, and closes it when the test ends.
func (o oldSchema) migrated(ctx context.Context, t *testing.T) *DB {
	t.Helper()
	db, err := Open(ctx, o.Path, o.Key)
	if err != nil {
		t.Fatalf("open old schema: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	var v int
	if err := db.SQL().QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("migrated to %d (%v), want %d", v, err, SchemaVersion())
	}
	return db
}
