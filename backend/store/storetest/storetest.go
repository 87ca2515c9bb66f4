// Package storetest opens real encrypted stores for tests: a fresh file in
// the test's temporary folder under a random key, closed when the test
// ends. Every package whose tests need a store uses it.
package storetest

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"sidecar/backend/store"
)

// Open returns a new, empty store that is closed at the end of the test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, _, _ := OpenFile(t)
	return db
}

// OpenFile is Open that also returns the file's path and key, for tests
// that close the store and open it again (Reopen).
func OpenFile(t testing.TB) (*store.DB, string, []byte) {
	t.Helper()
	key := make([]byte, store.KeySize)
	rand.Read(key)
	path := filepath.Join(t.TempDir(), store.FileName)
	return Reopen(t, path, key), path, key
}

// Reopen opens the store at path with key; it is closed at the end of
// the test (closing it earlier is fine).
func Reopen(t testing.TB, path string, key []byte) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, key)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
