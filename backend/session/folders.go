package session

import (
	"context"
	"errors"
	"os"

	"sidecar/backend/watch"
)

// FolderState is a watched folder's state on the Documents screen.
type FolderState = watch.State

// WatchedFolders lists the watched folders with their state.
func (s *Session) WatchedFolders(ctx context.Context) ([]FolderState, error) {
	return with(s, func(o *open) ([]FolderState, error) { return o.watch.States(ctx) })
}

// WatchFolder adds a folder whose files the documents then follow while
// Sidecar runs (and at the next start); its first sync starts at once.
func (s *Session) WatchFolder(ctx context.Context, path string) (FolderState, error) {
	return with(s, func(o *open) (FolderState, error) { return o.watch.Add(ctx, path) })
}

// PauseFolder pauses (paused) or resumes a watched folder; the choice is
// kept across restarts.
func (s *Session) PauseFolder(ctx context.Context, id int64, paused bool) (FolderState, error) {
	return with(s, func(o *open) (FolderState, error) { return o.watch.SetPaused(ctx, id, paused) })
}

// RemoveFolder stops watching a folder and deletes its documents (the
// files on disk are not touched).
func (s *Session) RemoveFolder(ctx context.Context, id int64) error {
	return s.use(func(o *open) error { return o.watch.Remove(ctx, id) })
}

// AddDropped adds what was dropped on the window: folders are watched
// (as Add a folder does), files added once.
func (s *Session) AddDropped(ctx context.Context, paths []string) ([]DocResult, error) {
	var files []string
	var errs []error
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if _, err := s.WatchFolder(ctx, p); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		files = append(files, p)
	}
	if len(files) == 0 {
		return []DocResult{}, errors.Join(errs...)
	}
	r, err := s.AddPaths(ctx, files)
	return r, errors.Join(append(errs, err)...)
}
