package docs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Restored is a document as an export archive holds it.
type Restored struct {
	Source    string
	Title     string
	Kind      string
	Content   string
	SHA256    string
	Size      int64
	CreatedAt int64
	UpdatedAt int64
	Chunks    []Chunk
}

// Restore stores an exported document with its own chunks, computing
// their vectors with the current embedder. A document already present
// (same source, or same content elsewhere) is left as it is.
func (s *Service) Restore(ctx context.Context, r Restored) (Result, error) {
	res := Result{Source: r.Source}
	var id int64
	var sha string
	err := s.db.SQL().QueryRowContext(ctx, `SELECT id, sha256 FROM documents WHERE source = ? OR sha256 = ? LIMIT 1`, r.Source, r.SHA256).Scan(&id, &sha)
	switch {
	case err == nil && sha == r.SHA256:
		res.Outcome, res.Document = Unchanged, id
		return res, nil
	case err == nil:
		res.Outcome, res.Reason, res.Document = Skipped, "a different version is already there", id
		return res, nil
	case !errors.Is(err, sql.ErrNoRows):
		return res, fmt.Errorf("docs: restore: %w", err)
	}
	texts := make([]string, len(r.Chunks))
	for i, c := range r.Chunks {
		texts[i] = embedText(r.Title, c)
	}
	emb, m := s.current()
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return res, fmt.Errorf("docs: restore: embed: %w", err)
	}
	id, err = s.write(ctx, m, 0, r.Source, r.Title, Extracted{Kind: r.Kind, Text: r.Content}, r.Size, r.SHA256, r.Chunks, vecs)
	if errors.Is(err, errUnchanged) {
		res.Outcome, res.Document = Unchanged, id
		return res, nil
	}
	if err != nil {
		return res, err
	}
	if _, err := s.db.SQL().ExecContext(ctx, `UPDATE documents SET created_at = ?, updated_at = ? WHERE id = ?`, r.CreatedAt, r.UpdatedAt, id); err != nil {
		return res, fmt.Errorf("docs: restore: %w", err)
	}
	res.Outcome, res.Document, res.Chunks = Added, id, len(r.Chunks)
	return res, nil
}
