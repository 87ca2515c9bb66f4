package docs

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"sidecar/backend/store"
)

// TestKillMidIngest kills an ingesting process with SIGKILL: every stored
// document is whole (chunks, FTS rows and vectors agree), and adding the
// folder again completes it.
func TestKillMidIngest(t *testing.T) {
	if dir := os.Getenv("SIDECAR_INGEST_CHILD"); dir != "" {
		var key []byte
		fmt.Sscanf(os.Getenv("SIDECAR_INGEST_KEY"), "%x", &key)
		db, err := store.Open(context.Background(), os.Getenv("SIDECAR_INGEST_DB"), key)
		if err != nil {
			os.Exit(3)
		}
		s, _ := New(context.Background(), db, Lexical{}, nil)
		s.AddPaths(context.Background(), []string{dir}, func(p Progress) { fmt.Printf("done %d\n", p.Files) })
		os.Exit(4) // not reached when killed in time
	}
	src := t.TempDir()
	for i := 0; i < 400; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, "# File %d\n\n", i)
		for p := 0; p < 30; p++ {
			fmt.Fprintf(&b, "Paragraph %d of file %d talks about topic %d and more words to embed.\n\n", p, i, (i*p)%97)
		}
		os.WriteFile(filepath.Join(src, fmt.Sprintf("f%03d.md", i)), []byte(b.String()), 0o644)
	}
	key := make([]byte, store.KeySize)
	rand.Read(key)
	dbPath := filepath.Join(t.TempDir(), store.FileName)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillMidIngest$")
	cmd.Env = append(os.Environ(), "SIDECAR_INGEST_CHILD="+src, "SIDECAR_INGEST_DB="+dbPath, fmt.Sprintf("SIDECAR_INGEST_KEY=%x", key))
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// No wall-clock deadline: on a loaded machine the child may take minutes
	// to reach 40 files; go test's own timeout bounds the wait.
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var n int
		if fmt.Sscanf(sc.Text(), "done %d", &n); n >= 40 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	ctx := context.Background()
	db, err := store.Open(ctx, dbPath, key)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer db.Close()
	s, _ := New(ctx, db, Lexical{}, nil)
	docs, _ := s.List(ctx)
	if len(docs) < 40 || len(docs) >= 400 {
		t.Fatalf("%d documents stored before the kill: the test did not interrupt ingest", len(docs))
	}
	q := func(sql string) int {
		var n int
		if err := db.SQL().QueryRow(sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	chunks := q(`SELECT count(*) FROM chunks`)
	if orphans := q(`SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)`); orphans != 0 {
		t.Errorf("%d documents without chunks", orphans)
	}
	if v := q(`SELECT count(*) FROM ` + s.model.table); v != chunks {
		t.Errorf("%d vectors for %d chunks", v, chunks)
	}
	if f := q(`SELECT count(*) FROM chunks_fts`); f != chunks {
		t.Errorf("%d FTS rows for %d chunks", f, chunks)
	}
	res, err := s.AddPaths(ctx, []string{src}, nil)
	if err != nil {
		t.Fatal(err)
	}
	added, unchanged := 0, 0
	for _, r := range res {
		switch r.Outcome {
		case Added:
			added++
		case Unchanged:
			unchanged++
		}
	}
	if unchanged != len(docs) || added+unchanged != 400 {
		t.Fatalf("resume: %d added, %d unchanged (had %d)", added, unchanged, len(docs))
	}
}
