package docs

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"sidecar/backend/procmem"
)

// BenchmarkKNN measures vector search over SIDECAR_KNN_N chunks (default
// 100000) of 384 dimensions in the real encrypted database: p50/p95
// latency of Service.knn and its recall@10 against exact float search.
//
//	go test -run '^$' -bench KNN -benchtime 1x ./backend/docs
func BenchmarkKNN(b *testing.B) {
	n := 100000
	if v := os.Getenv("SIDECAR_KNN_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	ctx := context.Background()
	procmem.ResetPeak()
	db := openStore(b)
	s, err := New(ctx, db, Lexical{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	vocab := make([]string, 20000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%x", rng.Int63()%0xfffff)
	}
	text := func() string {
		// Zipf-like word choice: a few common words, a long tail.
		words := make([]string, 40)
		for i := range words {
			words[i] = vocab[int(float64(len(vocab))*rng.Float64()*rng.Float64())]
		}
		return strings.Join(words, " ")
	}
	start := time.Now()
	vecs := make([][]float32, n)
	tx, _ := db.SQL().Begin()
	insB, _ := tx.Prepare(fmt.Sprintf(`INSERT INTO %s(rowid, embedding) VALUES (?, vec_quantize_int8(vec_f32(?), 'unit'))`, s.model.table))
	insF, _ := tx.Prepare(fmt.Sprintf(`INSERT INTO %s(chunk_id, v) VALUES (?, ?)`, s.model.floatTable()))
	// The float table references chunks: insert placeholder chunk rows.
	tx.Exec(`INSERT INTO documents(id, source, title, mime, size, sha256, content, created_at, updated_at) VALUES (1, 'bench', 'bench', 'text', 0, 'x', '', 0, 0)`)
	insC, _ := tx.Prepare(`INSERT INTO chunks(id, document_id, ord, text, line_start, line_end) VALUES (?, 1, ?, '', 1, 1)`)
	for i := 0; i < n; i++ {
		v, _ := s.emb.Embed(ctx, []string{text()})
		vecs[i] = v[0]
		blob := floatBlob(v[0])
		if _, err := insC.Exec(i+1, i); err != nil {
			b.Fatal(err)
		}
		if _, err := insB.Exec(i+1, blob); err != nil {
			b.Fatal(err)
		}
		if _, err := insF.Exec(i+1, blob); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d vectors in %v", n, time.Since(start).Round(time.Second))

	// The first search loads the vectors into the in-memory index: timed
	// on its own, the queries after it.
	t0 := time.Now()
	if err := s.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	loadMS := float64(time.Since(t0).Microseconds()) / 1000
	queries := 50
	var lat []time.Duration
	recall := 0.0
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		lat = lat[:0]
		recall = 0
		for q := 0; q < queries; q++ {
			// A query made of words from an existing chunk.
			qtext := text()
			qv, _ := s.emb.Embed(ctx, []string{qtext})
			t0 := time.Now()
			got, err := s.knn(ctx, qtext, 10)
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			exact := exactTop(qv[0], vecs, 10)
			hit := 0
			for _, id := range got {
				if exact[id] {
					hit++
				}
			}
			recall += float64(hit) / 10
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95_ms")
	b.ReportMetric(recall/float64(queries), "recall@10")
	b.ReportMetric(float64(n), "vectors")
	b.ReportMetric(loadMS, "index_load_ms")
	b.ReportMetric(procmem.PeakRSSMiB(), "peak_rss_MiB")
}

func exactTop(q []float32, vecs [][]float32, k int) map[int64]bool {
	type sc struct {
		id  int64
		sim float64
	}
	all := make([]sc, len(vecs))
	for i, v := range vecs {
		all[i] = sc{int64(i + 1), cosine(q, v)}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].sim > all[j].sim })
	out := map[int64]bool{}
	for _, s := range all[:k] {
		out[s.id] = true
	}
	return out
}

// BenchmarkIngest measures adding Markdown text with the built-in embedder
// into the encrypted database: MB/s of text, chunks/s and the process's
// peak resident memory while it runs.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	procmem.ResetPeak()
	db := openStore(b)
	s, _ := New(ctx, db, Lexical{}, nil)
	var doc strings.Builder
	for sec := 0; sec < 40; sec++ {
		fmt.Fprintf(&doc, "## Section %d\n\n", sec)
		for p := 0; p < 6; p++ {
			doc.WriteString(strings.Repeat("The service handles requests and stores results in the database. ", 6) + "\n\n")
		}
	}
	data := []byte(doc.String())
	b.SetBytes(int64(len(data)))
	chunks := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := s.Add(ctx, fmt.Sprintf("/bench/%d.md", i), "doc.md", append(data, fmt.Sprintf("\n%d", i)...))
		if err != nil {
			b.Fatal(err)
		}
		chunks += r.Chunks
	}
	b.ReportMetric(float64(chunks)/b.Elapsed().Seconds(), "chunks/s")
	b.ReportMetric(procmem.PeakRSSMiB(), "peak_rss_MiB")
}
