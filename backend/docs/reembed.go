package docs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SettingEmbedder is the settings key naming the embedding model in use.
const SettingEmbedder = "docs.embedder"

// EmbedProgress reports embedding the stored chunks with a model.
type EmbedProgress struct {
	Model string `json:"model"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// current returns the embedder and model searches and new documents use.
func (s *Service) current() (Embedder, embModel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emb, s.model
}

// Embedder returns the embedding model in use.
func (s *Service) Embedder() Embedder {
	e, _ := s.current()
	return e
}

// UseEmbedder makes emb the embedding model. Every stored chunk is first
// embedded with emb into emb's own tables; searches and new documents keep
// using the previous model until all chunks have a vector under emb, then
// the switch happens at once and the previous model's tables are dropped.
// Chunks added meanwhile are picked up; an interrupted run resumes where
// it stopped. With the model already in use it fills in missing vectors.
// It blocks until done: run it in a goroutine.
func (s *Service) UseEmbedder(ctx context.Context, emb Embedder, progress func(EmbedProgress)) error {
	if progress == nil {
		progress = func(EmbedProgress) {}
	}
	s.mu.Lock()
	m, err := s.ensureModel(ctx, emb)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, done, total, err := s.missing(ctx, m, 64)
		if err != nil {
			return err
		}
		progress(EmbedProgress{Model: m.name, Done: done, Total: total})
		if len(batch) == 0 {
			s.mu.Lock()
			// A document added since the count needs its vectors first.
			n, err := s.countMissingLocked(ctx, m)
			if err == nil && n == 0 {
				err = s.switchLocked(ctx, emb, m)
			}
			s.mu.Unlock()
			if err != nil || n == 0 {
				return err
			}
			continue
		}
		texts := make([]string, len(batch))
		for i, c := range batch {
			texts[i] = c.text
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("docs: embed with %s: %w", m.name, err)
		}
		if len(vecs) != len(batch) {
			return fmt.Errorf("docs: %s returned %d vectors for %d texts", m.name, len(vecs), len(batch))
		}
		if err := s.storeVectors(ctx, m, batch, vecs); err != nil {
			return err
		}
	}
}

type pendingChunk struct {
	id   int64
	text string
}

func (s *Service) missing(ctx context.Context, m embModel, limit int) ([]pendingChunk, int, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.missingLocked(ctx, m, limit)
}

// missingLocked returns up to limit chunks without a vector under m, and
// how many chunks have one out of how many there are.
func (s *Service) missingLocked(ctx context.Context, m embModel, limit int) ([]pendingChunk, int, int, error) {
	q := s.db.SQL()
	var total, done int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM chunks`).Scan(&total); err != nil {
		return nil, 0, 0, fmt.Errorf("docs: %w", err)
	}
	if err := q.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s`, m.floatTable())).Scan(&done); err != nil {
		return nil, 0, 0, fmt.Errorf("docs: %w", err)
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT c.id, d.title, c.heading, c.text FROM chunks c JOIN documents d ON d.id = c.document_id
		WHERE NOT EXISTS (SELECT 1 FROM %s f WHERE f.chunk_id = c.id) ORDER BY c.id LIMIT ?`, m.floatTable()), limit)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("docs: %w", err)
	}
	defer rows.Close()
	var out []pendingChunk
	for rows.Next() {
		var c pendingChunk
		var title, heading, text string
		if err := rows.Scan(&c.id, &title, &heading, &text); err != nil {
			return nil, 0, 0, fmt.Errorf("docs: %w", err)
		}
		c.text = embedText(title, Chunk{Heading: heading, Text: text})
		out = append(out, c)
	}
	return out, done, total, rows.Err()
}

func (s *Service) countMissingLocked(ctx context.Context, m embModel) (int, error) {
	var n int
	err := s.db.SQL().QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM %s f WHERE f.chunk_id = c.id)`, m.floatTable())).Scan(&n)
	return n, err
}

// storeVectors writes vectors for chunks that still exist, in one
// transaction.
func (s *Service) storeVectors(ctx context.Context, m embModel, batch []pendingChunk, vecs [][]float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	defer tx.Rollback()
	var ids []int64
	var stored [][]float32
	for i, c := range batch {
		if len(vecs[i]) != m.dims {
			return fmt.Errorf("docs: %s returned %d dimensions, not %d", m.name, len(vecs[i]), m.dims)
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM chunks WHERE id = ?`, c.id).Scan(&exists); err != nil {
			return fmt.Errorf("docs: %w", err)
		}
		if exists == 0 {
			continue // the document was removed meanwhile
		}
		blob := floatBlob(vecs[i])
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s(rowid, embedding) VALUES (?, vec_quantize_int8(vec_f32(?), 'unit'))`, m.table), c.id, blob); err != nil {
			return fmt.Errorf("docs: store vector: %w", err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s(chunk_id, v) VALUES (?, ?)`, m.floatTable()), c.id, blob); err != nil {
			return fmt.Errorf("docs: store vector: %w", err)
		}
		ids, stored = append(ids, c.id), append(stored, vecs[i])
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	s.indexChanged(m, ids, stored, nil)
	return nil
}

// switchLocked makes m the model in use, records it, and drops every
// other model's tables.
func (s *Service) switchLocked(ctx context.Context, emb Embedder, m embModel) error {
	tx, err := s.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, vector_table FROM embedding_models WHERE id != ?`, m.id)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	type old struct {
		id    int64
		table string
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.table); err != nil {
			rows.Close()
			return fmt.Errorf("docs: %w", err)
		}
		olds = append(olds, o)
	}
	rows.Close()
	for _, o := range olds {
		for _, stmt := range []string{`DROP TABLE IF EXISTS ` + o.table, `DROP TABLE IF EXISTS ` + o.table + `_f`} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("docs: drop old vectors: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM embedding_models WHERE id = ?`, o.id); err != nil {
			return fmt.Errorf("docs: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
		SettingEmbedder, m.name); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	s.emb, s.model = emb, m
	s.idxMu.Lock()
	s.index = nil // rebuilt for the new model on the next search
	s.idxMu.Unlock()
	return nil
}

// ChosenEmbedder returns the name of the embedding model recorded as in
// use, or "" before any switch.
func ChosenEmbedder(ctx context.Context, db interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) string {
	var v string
	if err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SettingEmbedder).Scan(&v); errors.Is(err, sql.ErrNoRows) {
		return ""
	}
	return v
}
