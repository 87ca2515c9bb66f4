package store

import (
	"context"
	"errors"
	"testing"
)

// Watched folders and their paused flag survive closing the store.
func TestWatchedFoldersAcrossReopen(t *testing.T) {
	ctx := context.Background()
	db, path, key := openTemp(t)
	a, err := db.AddWatchedFolder(ctx, "/home/me/notes")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := db.AddWatchedFolder(ctx, "/home/me/code")
	again, err := db.AddWatchedFolder(ctx, "/home/me/notes")
	if err != nil || again.ID != a.ID {
		t.Fatalf("adding a folder twice: %+v, %v (first %+v)", again, err, a)
	}
	if err := db.SetWatchedFolderPaused(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetWatchedFolderPaused(ctx, 999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("pausing a missing folder: %v", err)
	}
	db.Close()
	db, err = Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fs, err := db.WatchedFolders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Path != "/home/me/notes" || fs[0].Paused || fs[1].Path != "/home/me/code" || !fs[1].Paused {
		t.Fatalf("after reopen: %+v", fs)
	}
	if err := db.DeleteWatchedFolder(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteWatchedFolder(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	if fs, _ := db.WatchedFolders(ctx); len(fs) != 1 || fs[0].ID != b.ID {
		t.Fatalf("after delete: %+v", fs)
	}
}

// A database of schema 7 (before watched folders) keeps its documents and
// gains the table.
func TestMigrationFromSchema7(t *testing.T) {
	ctx := context.Background()
	old, file := openAtSchema(ctx, t, 7)
	if _, err := old.SQL().ExecContext(ctx, `INSERT INTO documents(source, title, mime, size, sha256, content, created_at, updated_at) VALUES ('/old/a.md', 'a.md', 'markdown', 3, 'x', 'abc', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := old.SQL().ExecContext(ctx, `SELECT count(*) FROM watched_folders`); err == nil {
		t.Fatal("schema 7 already has watched_folders: the test does not start from the old schema")
	}
	old.Close()

	db := file.migrated(ctx, t)
	var src string
	if err := db.SQL().QueryRowContext(ctx, `SELECT source FROM documents`).Scan(&src); err != nil || src != "/old/a.md" {
		t.Fatalf("old document: %q, %v", src, err)
	}
	if fs, err := db.WatchedFolders(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("watched folders after migration: %+v, %v", fs, err)
	}
	if _, err := db.AddWatchedFolder(ctx, "/old"); err != nil {
		t.Fatal(err)
	}
}
