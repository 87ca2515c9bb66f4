package docs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// gatedEmbedder is a second embedding model (the lexical vectors padded
// to 392 dimensions) whose Embed can be held, to look inside a switch.
type gatedEmbedder struct {
	mu    sync.Mutex
	calls int
	hold  chan struct{} // closed: calls go through
	fail  error
}

func (g *gatedEmbedder) Name() string { return "test-padded-392" }
func (g *gatedEmbedder) Dims() int    { return 392 }
func (g *gatedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	g.mu.Lock()
	g.calls++
	hold, fail := g.hold, g.fail
	g.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if fail != nil {
		return nil, fail
	}
	vs, err := Lexical{}.Embed(ctx, texts)
	for i, v := range vs {
		vs[i] = append(v, make([]float32, 8)...)
	}
	return vs, err
}

// TestSwitchEmbedderInBackground switches the embedding model while
// searching and adding: search keeps answering from the old index until
// every chunk has a new vector, documents added meanwhile are included,
// the old tables go, and an interrupted switch resumes.
func TestSwitchEmbedderInBackground(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	s, err := New(ctx, db, Lexical{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 150; i++ {
		body := fmt.Sprintf("# Note %d\n\nThe lighthouse keeper %d logs the tide tables every evening.\n", i, i)
		if i == 77 {
			body = "# Ferry\n\nThe ferry to the island leaves from pier seven at dawn.\n"
		}
		if _, err := s.Add(ctx, fmt.Sprintf("note:%d", i), fmt.Sprintf("note %d", i), []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	g := &gatedEmbedder{hold: make(chan struct{})}

	// An interrupted switch: the first batch is stored, then the context ends.
	cctx, cancel := context.WithCancel(ctx)
	var seen []EmbedProgress
	err = s.UseEmbedder(cctx, g, func(p EmbedProgress) {
		seen = append(seen, p)
		if p.Done == 0 {
			close(g.hold) // let the first batch through
		} else {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted switch: %v", err)
	}
	if s.ModelName() != LexicalName {
		t.Fatalf("switched before every chunk had a vector: %s", s.ModelName())
	}
	firstDone := seen[len(seen)-1].Done
	if firstDone != 64 || seen[0].Total != 150 {
		t.Fatalf("progress %+v", seen)
	}

	// Resume, holding the embedder to search and add in the middle.
	g.mu.Lock()
	g.hold = make(chan struct{})
	g.mu.Unlock()
	done := make(chan error, 1)
	var progress []EmbedProgress
	var pmu sync.Mutex
	go func() {
		done <- s.UseEmbedder(ctx, g, func(p EmbedProgress) { pmu.Lock(); progress = append(progress, p); pmu.Unlock() })
	}()
	hits, err := s.Search(ctx, "ferry island pier", SearchOptions{K: 3})
	if err != nil || len(hits) == 0 || hits[0].Source != "note:77" {
		t.Fatalf("search during the switch: %v %v", hits, err)
	}
	// A document added mid-switch is embedded with the model in use.
	if _, err := s.Add(ctx, "note:late", "late", []byte("# Late\n\nA note about the harbour crane, added late.\n")); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	close(g.hold)
	g.mu.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.ModelName() != "test-padded-392" {
		t.Fatalf("model after the switch: %s", s.ModelName())
	}
	pmu.Lock()
	last := progress[len(progress)-1]
	pmu.Unlock()
	if last.Done != last.Total || last.Total != 151 || progress[0].Done != firstDone {
		t.Errorf("progress: first %+v, last %+v (resumed from %d)", progress[0], last, firstDone)
	}
	if n := count(t, db, `SELECT count(*) FROM embedding_models`); n != 1 {
		t.Errorf("%d embedding models left", n)
	}
	var tables []string
	rows, _ := db.SQL().QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'vec_%'`)
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		if strings.HasPrefix(tb, "vec_1") {
			t.Errorf("the old model's table %s remains", tb)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM vec_2_f`); n != 151 {
		t.Errorf("%d vectors under the new model, want 151", n)
	}
	for _, q := range []string{"ferry island pier", "harbour crane"} {
		hits, err := s.Search(ctx, q, SearchOptions{K: 3})
		if err != nil || len(hits) == 0 {
			t.Fatalf("search %q after the switch: %v %v", q, hits, err)
		}
	}
	if got := ChosenEmbedder(ctx, db.SQL()); got != "test-padded-392" {
		t.Errorf("recorded model %q", got)
	}
	// A failing model leaves the one in use alone.
	bad := &gatedEmbedder{fail: errors.New("provider down")}
	bad2 := &renamed{bad, "broken-model"}
	if err := s.UseEmbedder(ctx, bad2, nil); err == nil || !strings.Contains(err.Error(), "provider down") {
		t.Fatalf("failing switch: %v", err)
	}
	if s.ModelName() != "test-padded-392" {
		t.Fatalf("a failed switch changed the model: %s", s.ModelName())
	}
}

type renamed struct {
	*gatedEmbedder
	name string
}

func (r *renamed) Name() string { return r.name }
