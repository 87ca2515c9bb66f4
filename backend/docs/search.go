package docs

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"sidecar/backend/store"
)

// SearchOptions narrow a search.
type SearchOptions struct {
	K           int     // results wanted (default 8, at most 100)
	DocumentIDs []int64 // only these documents
	Folder      string  // only documents whose source is under this folder
}

// Hit is one chunk found by Search.
type Hit struct {
	DocumentID int64   `json:"documentId"`
	Title      string  `json:"title"`
	Source     string  `json:"source"`
	ChunkID    int64   `json:"chunkId"`
	Ord        int     `json:"ord"`
	LineStart  int     `json:"lineStart"`
	LineEnd    int     `json:"lineEnd"`
	Heading    string  `json:"heading"`
	Text       string  `json:"text"`
	Snippet    string  `json:"snippet"` // matches marked with store.MarkStart/MarkEnd
	Score      float64 `json:"score"`
}

const rrfK = 60

// Search finds the chunks that best match query: a KNN search over the
// embeddings (coarse on int8-quantised vectors, then re-scored with the
// full vectors) fused with a BM25 full-text search by reciprocal rank.
func (s *Service) Search(ctx context.Context, query string, o SearchOptions) ([]Hit, error) {
	if o.K <= 0 {
		o.K = 8
	}
	if o.K > 100 {
		o.K = 100
	}
	if strings.TrimSpace(query) == "" {
		return []Hit{}, nil
	}
	filtered := len(o.DocumentIDs) > 0 || o.Folder != ""
	pool := 4 * o.K
	if pool < 40 {
		pool = 40
	}
	if filtered {
		pool *= 10
	}
	scores := map[int64]float64{}
	snippets := map[int64]string{}

	vecIDs, err := s.knn(ctx, query, pool)
	if err != nil {
		return nil, err
	}
	for rank, id := range vecIDs {
		scores[id] += 1.0 / float64(rrfK+rank+1)
	}
	if q := ftsOr(query); q != "" {
		rows, err := s.db.SQL().QueryContext(ctx, `SELECT rowid, snippet(chunks_fts, 0, ?, ?, '…', 24) FROM chunks_fts
			WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?`, store.MarkStart, store.MarkEnd, q, pool)
		if err != nil {
			return nil, fmt.Errorf("docs: full-text search: %w", err)
		}
		rank := 0
		for rows.Next() {
			var id int64
			var snip string
			if err := rows.Scan(&id, &snip); err != nil {
				rows.Close()
				return nil, fmt.Errorf("docs: full-text search: %w", err)
			}
			scores[id] += 1.0 / float64(rrfK+rank+1)
			snippets[id] = snip
			rank++
		}
		rows.Close()
	}
	ids := make([]int64, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if scores[ids[i]] != scores[ids[j]] {
			return scores[ids[i]] > scores[ids[j]]
		}
		return ids[i] < ids[j]
	})
	out := []Hit{}
	for _, id := range ids {
		if len(out) == o.K {
			break
		}
		h, ok, err := s.hit(ctx, id, o)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		h.Score = scores[id]
		h.Snippet = snippets[id]
		if h.Snippet == "" {
			h.Snippet = firstChars(h.Text, 200)
		}
		out = append(out, h)
	}
	return out, nil
}

func (s *Service) hit(ctx context.Context, chunkID int64, o SearchOptions) (Hit, bool, error) {
	var h Hit
	err := s.db.SQL().QueryRowContext(ctx, `SELECT c.id, c.document_id, c.ord, c.text, c.line_start, c.line_end, c.heading, d.title, d.source
		FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?`, chunkID).
		Scan(&h.ChunkID, &h.DocumentID, &h.Ord, &h.Text, &h.LineStart, &h.LineEnd, &h.Heading, &h.Title, &h.Source)
	if err != nil {
		return h, false, nil // deleted meanwhile
	}
	if len(o.DocumentIDs) > 0 {
		found := false
		for _, d := range o.DocumentIDs {
			found = found || d == h.DocumentID
		}
		if !found {
			return h, false, nil
		}
	}
	if o.Folder != "" {
		prefix := strings.TrimSuffix(o.Folder, "/") + "/"
		if !strings.HasPrefix(h.Source, prefix) {
			return h, false, nil
		}
	}
	return h, true, nil
}

// knn returns up to n chunk IDs nearest to query by cosine similarity.
func (s *Service) knn(ctx context.Context, query string, n int) ([]int64, error) {
	emb, m := s.current()
	vecs, err := emb.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("docs: embed query: %w", err)
	}
	qv := vecs[0]
	// Coarse: int8 vectors in memory, 8× oversampled.
	ix, err := s.memIndexFor(ctx, m)
	if err != nil {
		return nil, err
	}
	s.idxMu.Lock()
	cand := ix.top(qv, 8*n)
	s.idxMu.Unlock()
	if len(cand) == 0 {
		return nil, nil
	}
	// Fine: exact cosine on the full vectors of the candidates.
	args := make([]any, len(cand))
	marks := make([]string, len(cand))
	for i, id := range cand {
		args[i], marks[i] = id, "?"
	}
	fr, err := s.db.SQL().QueryContext(ctx, fmt.Sprintf(`SELECT chunk_id, v FROM %s WHERE chunk_id IN (%s)`, m.floatTable(), strings.Join(marks, ",")), args...)
	if err != nil {
		return nil, fmt.Errorf("docs: vector search: %w", err)
	}
	type scored struct {
		id  int64
		sim float64
	}
	var sc []scored
	for fr.Next() {
		var id int64
		var b []byte
		fr.Scan(&id, &b)
		sc = append(sc, scored{id, cosine(qv, blobFloats(b))})
	}
	fr.Close()
	sort.Slice(sc, func(i, j int) bool { return sc[i].sim > sc[j].sim })
	out := make([]int64, 0, n)
	for i := 0; i < len(sc) && i < n; i++ {
		out = append(out, sc[i].id)
	}
	return out, nil
}

func cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		return -1
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// ftsOr builds a safe FTS5 query matching any of the query's words.
func ftsOr(q string) string {
	var terms []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' }) {
		if stop[w] || seen[w] || len(w) < 2 {
			continue
		}
		seen[w] = true
		terms = append(terms, `"`+w+`"*`)
		if len(terms) == 16 {
			break
		}
	}
	return strings.Join(terms, " OR ")
}

func firstChars(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Context picks the best chunks for a chat question within a token budget
// and formats them with citation numbers; the hits are returned in the
// same order as their numbers.
func (s *Service) Context(ctx context.Context, query string, budget int, o SearchOptions) ([]Hit, string, error) {
	if o.K == 0 {
		o.K = 8
	}
	hits, err := s.Search(ctx, query, o)
	if err != nil {
		return nil, "", err
	}
	var b strings.Builder
	var used []Hit
	spent := 0
	for _, h := range hits {
		t := EstimateTokens(h.Text) + 20
		if spent+t > budget {
			continue
		}
		spent += t
		used = append(used, h)
		fmt.Fprintf(&b, "[%d] %s", len(used), h.Title)
		if h.Heading != "" {
			fmt.Fprintf(&b, " — %s", h.Heading)
		}
		fmt.Fprintf(&b, " (lines %d-%d)\n%s\n\n", h.LineStart, h.LineEnd, h.Text)
	}
	return used, b.String(), nil
}
