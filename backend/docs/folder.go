package docs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"sidecar/backend/store"
)

// Stored is what a folder sync needs to know of a stored document.
type Stored struct {
	ID     int64
	Source string
	SHA256 string
}

// StoredUnder lists the documents whose source is a file inside dir (an
// absolute, clean folder path), in source order.
func (s *Service) StoredUnder(ctx context.Context, dir string) ([]Stored, error) {
	lo := dir + string(filepath.Separator)
	hi := dir + string(filepath.Separator+1)
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT id, source, sha256 FROM documents WHERE source >= ? AND source < ? ORDER BY source`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("docs: stored under %s: %w", dir, err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var d Stored
		if err := rows.Scan(&d.ID, &d.Source, &d.SHA256); err != nil {
			return nil, fmt.Errorf("docs: stored under %s: %w", dir, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Move gives a stored document a new source (a renamed file with the same
// content): its chunks and vectors stay as they are, nothing is embedded
// again. The title becomes the new file name.
func (s *Service) Move(ctx context.Context, id int64, source string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.db.SQL().ExecContext(ctx, `UPDATE documents SET source = ?, title = ?, updated_at = ? WHERE id = ?`,
		source, filepath.Base(source), time.Now().UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("docs: move document %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("docs: move document %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// ReadFile reads a file to add, refusing one larger than MaxFileBytes; a
// file that cannot be added gets a Skipped result with the reason.
func ReadFile(path string) ([]byte, *Result) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, &Result{Source: path, Outcome: Skipped, Reason: "cannot read: " + pathless(err)}
	case fi.Size() > MaxFileBytes:
		return nil, &Result{Source: path, Outcome: Skipped, Reason: fmt.Sprintf("larger than %d MiB", MaxFileBytes>>20)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Result{Source: path, Outcome: Skipped, Reason: "cannot read: " + pathless(err)}
	}
	if int64(len(data)) > MaxFileBytes {
		return nil, &Result{Source: path, Outcome: Skipped, Reason: fmt.Sprintf("larger than %d MiB", MaxFileBytes>>20)}
	}
	return data, nil
}
