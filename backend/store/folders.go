package store

import (
	"context"
	"fmt"
)

// WatchedFolder is a folder whose files the documents follow.
type WatchedFolder struct {
	ID        int64
	Path      string
	Paused    bool
	CreatedAt int64
}

// AddWatchedFolder records path (absolute, cleaned by the caller) as
// watched; a path already there is returned as it is.
func (db *DB) AddWatchedFolder(ctx context.Context, path string) (WatchedFolder, error) {
	if _, err := db.sql.ExecContext(ctx, `INSERT INTO watched_folders(path, created_at) VALUES (?, ?) ON CONFLICT(path) DO NOTHING`, path, now()); err != nil {
		return WatchedFolder{}, fmt.Errorf("store: add watched folder: %w", err)
	}
	var f WatchedFolder
	err := db.sql.QueryRowContext(ctx, `SELECT id, path, paused, created_at FROM watched_folders WHERE path = ?`, path).
		Scan(&f.ID, &f.Path, &f.Paused, &f.CreatedAt)
	if err != nil {
		return f, fmt.Errorf("store: add watched folder: %w", err)
	}
	return f, nil
}

// WatchedFolders lists the watched folders, oldest first.
func (db *DB) WatchedFolders(ctx context.Context) ([]WatchedFolder, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, path, paused, created_at FROM watched_folders ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: watched folders: %w", err)
	}
	defer rows.Close()
	out := []WatchedFolder{}
	for rows.Next() {
		var f WatchedFolder
		if err := rows.Scan(&f.ID, &f.Path, &f.Paused, &f.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: watched folders: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SetWatchedFolderPaused pauses or resumes a watched folder.
func (db *DB) SetWatchedFolderPaused(ctx context.Context, id int64, paused bool) error {
	return db.execOne(ctx, "watched folder", `UPDATE watched_folders SET paused = ? WHERE id = ?`, paused, id)
}

// DeleteWatchedFolder forgets a watched folder (its documents are the
// caller's to remove).
func (db *DB) DeleteWatchedFolder(ctx context.Context, id int64) error {
	return db.execOne(ctx, "watched folder", `DELETE FROM watched_folders WHERE id = ?`, id)
}
