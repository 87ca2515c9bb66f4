package docs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"sidecar/backend/store"
)

// Service stores and searches documents in the encrypted store.
type Service struct {
	db  *store.DB
	emb Embedder
	log *slog.Logger

	mu    sync.Mutex // serialises writes
	model embModel

	idxMu sync.Mutex
	index *memIndex // coarse vector search of the model in use, once loaded
}

// embModel is a row of embedding_models: one vector table per model.
type embModel struct {
	id    int64
	name  string
	dims  int
	table string // vec0 table with int8 vectors for the coarse search
}

func (m embModel) floatTable() string { return m.table + "_f" }

// Document is a stored document.
type Document struct {
	ID        int64  `json:"id"`
	Source    string `json:"source"` // file path, or "note:<title>" for pasted text
	Title     string `json:"title"`
	Kind      string `json:"kind"`
	Size      int64  `json:"size"`
	Chunks    int    `json:"chunks"`
	Model     string `json:"model"` // embedding model
	Status    string `json:"status"`
	UpdatedAt int64  `json:"updatedAt"`
}

// New returns a service embedding with emb, creating emb's vector tables
// on first use.
func New(ctx context.Context, db *store.DB, emb Embedder, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: db, emb: emb, log: log}
	m, err := s.ensureModel(ctx, emb)
	if err != nil {
		return nil, err
	}
	s.model = m
	return s, nil
}

// ModelName is the embedding model searches use.
func (s *Service) ModelName() string { return s.Embedder().Name() }

func (s *Service) ensureModel(ctx context.Context, emb Embedder) (embModel, error) {
	q := s.db.SQL()
	m := embModel{name: emb.Name(), dims: emb.Dims()}
	err := q.QueryRowContext(ctx, `SELECT id, dims, vector_table FROM embedding_models WHERE name = ?`, m.name).Scan(&m.id, &m.dims, &m.table)
	if err == nil {
		if m.dims != emb.Dims() {
			return m, fmt.Errorf("docs: embedding model %s has %d dimensions, the index %d", m.name, emb.Dims(), m.dims)
		}
		return m, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("docs: %w", err)
	}
	if m.dims <= 0 || m.dims > 8192 || m.dims%8 != 0 {
		return m, fmt.Errorf("docs: embedding dimensions %d unsupported (a multiple of 8 up to 8192)", m.dims)
	}
	tx, err := q.BeginTx(ctx, nil)
	if err != nil {
		return m, fmt.Errorf("docs: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO embedding_models(name, dims, vector_table, status, created_at) VALUES (?, ?, '', 'ready', ?)`,
		m.name, m.dims, time.Now().UnixMilli())
	if err != nil {
		return m, fmt.Errorf("docs: %w", err)
	}
	m.id, _ = res.LastInsertId()
	m.table = fmt.Sprintf("vec_%d", m.id)
	for _, stmt := range []string{
		fmt.Sprintf(`UPDATE embedding_models SET vector_table = '%s' WHERE id = %d`, m.table, m.id),
		fmt.Sprintf(`CREATE VIRTUAL TABLE %s USING vec0(embedding int8[%d])`, m.table, m.dims),
		fmt.Sprintf(`CREATE TABLE %s (chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE, v BLOB NOT NULL) STRICT`, m.floatTable()),
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return m, fmt.Errorf("docs: create vector table: %w", err)
		}
	}
	return m, tx.Commit()
}

// Progress reports work on documents.
type Progress struct {
	Files      int    `json:"files"`
	FilesTotal int    `json:"filesTotal"`
	Chunks     int    `json:"chunks"`
	Current    string `json:"current"`
}

// Outcome of adding one file.
const (
	Added     = "added"
	Updated   = "updated"
	Unchanged = "unchanged"
	Skipped   = "skipped"
)

// Result is what happened to one file.
type Result struct {
	Source   string `json:"source"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
	Document int64  `json:"document,omitempty"`
	Chunks   int    `json:"chunks,omitempty"`
}

// Add stores the document source with content data, replacing an earlier
// version of the same source; identical content is not stored twice.
func (s *Service) Add(ctx context.Context, source, title string, data []byte) (Result, error) {
	r := Result{Source: source}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	q := s.db.SQL()
	var oldID int64
	var oldSHA string
	err := q.QueryRowContext(ctx, `SELECT id, sha256 FROM documents WHERE source = ?`, source).Scan(&oldID, &oldSHA)
	switch {
	case err == nil && oldSHA == sha:
		r.Outcome, r.Document = Unchanged, oldID
		return r, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return r, fmt.Errorf("docs: %w", err)
	}
	if oldID == 0 {
		var dup int64
		var dupSource string
		if q.QueryRowContext(ctx, `SELECT id, source FROM documents WHERE sha256 = ?`, sha).Scan(&dup, &dupSource) == nil {
			r.Outcome, r.Reason, r.Document = Skipped, "same content as "+dupSource, dup
			return r, nil
		}
	}
	ex, err := Extract(ctx, source, data)
	if err != nil {
		if errors.Is(err, ErrSkipped) {
			r.Outcome, r.Reason = Skipped, strings.TrimPrefix(err.Error(), "skipped: ")
			return r, nil
		}
		return r, err
	}
	if strings.TrimSpace(ex.Text) == "" {
		r.Outcome, r.Reason = Skipped, "no text"
		return r, nil
	}
	chunks := ChunkText(ex, ChunkOptions{})
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = embedText(title, c)
	}
	if title == "" {
		title = filepath.Base(source)
	}
	var id int64
	for attempt := 0; ; attempt++ {
		emb, m := s.current()
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return r, fmt.Errorf("docs: embed: %w", err)
		}
		id, err = s.write(ctx, m, oldID, source, title, ex, int64(len(data)), sha, chunks, vecs)
		if errors.Is(err, errModelChanged) && attempt < 3 {
			continue // the embedding model switched while this file was embedded
		}
		if errors.Is(err, errUnchanged) {
			r.Outcome, r.Document = Unchanged, id
			return r, nil
		}
		if err != nil {
			return r, err
		}
		break
	}
	r.Outcome, r.Document, r.Chunks = Added, id, len(chunks)
	if oldID != 0 {
		r.Outcome = Updated
	}
	return r, nil
}

// embedText is what gets embedded for a chunk: its heading and title give
// it context.
func embedText(title string, c Chunk) string {
	return title + "\n" + c.Heading + "\n" + c.Text
}

// errUnchanged: the same source with the same content was stored meanwhile.
var errUnchanged = errors.New("docs: already stored")

// errModelChanged: the vectors were made by a model no longer in use.
var errModelChanged = errors.New("docs: the embedding model changed")

// write stores a document with its chunks and vectors in one transaction,
// replacing an earlier version (oldID != 0).
func (s *Service) write(ctx context.Context, m embModel, oldID int64, source, title string, ex Extracted, size int64, sha string, chunks []Chunk, vecs [][]float32) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.id != s.model.id {
		return 0, errModelChanged
	}
	tx, err := s.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("docs: %w", err)
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	if oldID == 0 {
		// Another add of the same source may have landed while this one
		// was embedding: the later one replaces it, as if they had come one
		// after the other, and identical content is left as it is.
		var sameSHA string
		err := tx.QueryRowContext(ctx, `SELECT id, sha256 FROM documents WHERE source = ?`, source).Scan(&oldID, &sameSHA)
		switch {
		case err == nil && sameSHA == sha:
			return oldID, errUnchanged
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("docs: %w", err)
		}
	}
	id := oldID
	var removed []int64
	if oldID != 0 {
		if removed, err = s.deleteChunks(ctx, tx, oldID); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET title = ?, mime = ?, size = ?, sha256 = ?, content = ?, status = 'ready', updated_at = ? WHERE id = ?`,
			title, ex.Kind, size, sha, ex.Text, now, oldID); err != nil {
			return 0, fmt.Errorf("docs: %w", err)
		}
	} else {
		res, err := tx.ExecContext(ctx, `INSERT INTO documents(source, title, mime, size, sha256, content, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'ready', ?, ?)`,
			source, title, ex.Kind, size, sha, ex.Text, now, now)
		if err != nil {
			return 0, fmt.Errorf("docs: %w", err)
		}
		id, _ = res.LastInsertId()
	}
	insChunk, err := tx.PrepareContext(ctx, `INSERT INTO chunks(document_id, ord, text, line_start, line_end, heading, tokens) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("docs: %w", err)
	}
	defer insChunk.Close()
	insQ, err := tx.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO %s(rowid, embedding) VALUES (?, vec_quantize_int8(vec_f32(?), 'unit'))`, m.table))
	if err != nil {
		return 0, fmt.Errorf("docs: %w", err)
	}
	defer insQ.Close()
	insFloat, err := tx.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO %s(chunk_id, v) VALUES (?, ?)`, m.floatTable()))
	if err != nil {
		return 0, fmt.Errorf("docs: %w", err)
	}
	defer insFloat.Close()
	added := make([]int64, len(chunks))
	for i, c := range chunks {
		res, err := insChunk.ExecContext(ctx, id, c.Ord, c.Text, c.LineStart, c.LineEnd, c.Heading, c.Tokens)
		if err != nil {
			return 0, fmt.Errorf("docs: store chunk: %w", err)
		}
		cid, _ := res.LastInsertId()
		added[i] = cid
		blob := floatBlob(vecs[i])
		if _, err := insQ.ExecContext(ctx, cid, blob); err != nil {
			return 0, fmt.Errorf("docs: store vector: %w", err)
		}
		if _, err := insFloat.ExecContext(ctx, cid, blob); err != nil {
			return 0, fmt.Errorf("docs: store vector: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("docs: %w", err)
	}
	s.indexChanged(m, added, vecs, removed)
	return id, nil
}

// deleteChunks removes a document's chunks, their FTS rows (trigger) and
// their vectors in every model's tables, returning the chunk ids.
func (s *Service) deleteChunks(ctx context.Context, tx *sql.Tx, docID int64) ([]int64, error) {
	var ids []int64
	idRows, err := tx.QueryContext(ctx, `SELECT id FROM chunks WHERE document_id = ?`, docID)
	if err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	for idRows.Next() {
		var id int64
		idRows.Scan(&id)
		ids = append(ids, id)
	}
	idRows.Close()
	rows, err := tx.QueryContext(ctx, `SELECT vector_table FROM embedding_models`)
	if err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE rowid IN (SELECT id FROM chunks WHERE document_id = ?)`, t), docID); err != nil {
			return nil, fmt.Errorf("docs: delete vectors: %w", err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s_f WHERE chunk_id IN (SELECT id FROM chunks WHERE document_id = ?)`, t), docID); err != nil {
			return nil, fmt.Errorf("docs: delete vectors: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE document_id = ?`, docID); err != nil {
		return nil, fmt.Errorf("docs: delete chunks: %w", err)
	}
	return ids, nil
}

// Delete removes a document with its chunks, full-text rows and vectors,
// in one transaction.
func (s *Service) Delete(ctx context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	defer tx.Rollback()
	removed, err := s.deleteChunks(ctx, tx, id)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("docs: document %d: %w", id, store.ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	s.indexChanged(s.model, nil, nil, removed)
	return nil
}

// List returns every document, newest first.
func (s *Service) List(ctx context.Context) ([]Document, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT d.id, d.source, d.title, d.mime, d.size, d.status, d.updated_at,
		(SELECT count(*) FROM chunks c WHERE c.document_id = d.id) FROM documents d ORDER BY d.updated_at DESC, d.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("docs: list: %w", err)
	}
	defer rows.Close()
	out := []Document{}
	model := s.ModelName()
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.ID, &d.Source, &d.Title, &d.Kind, &d.Size, &d.Status, &d.UpdatedAt, &d.Chunks); err != nil {
			return nil, fmt.Errorf("docs: list: %w", err)
		}
		d.Model = model
		out = append(out, d)
	}
	return out, rows.Err()
}

// Full is a document with its text, to show the source of a citation.
type Full struct {
	Document
	Text string `json:"text"`
}

// Get returns a document with its full text.
func (s *Service) Get(ctx context.Context, id int64) (Full, error) {
	var f Full
	err := s.db.SQL().QueryRowContext(ctx, `SELECT d.id, d.source, d.title, d.mime, d.size, d.status, d.updated_at, d.content,
		(SELECT count(*) FROM chunks c WHERE c.document_id = d.id) FROM documents d WHERE d.id = ?`, id).
		Scan(&f.ID, &f.Source, &f.Title, &f.Kind, &f.Size, &f.Status, &f.UpdatedAt, &f.Text, &f.Chunks)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("docs: document %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("docs: %w", err)
	}
	f.Model = s.ModelName()
	return f, nil
}

// floatBlob encodes v as little-endian float32, sqlite-vec's format.
func floatBlob(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func blobFloats(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
