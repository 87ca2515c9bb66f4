package watch

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"sidecar/backend/docs"
	"sidecar/backend/store"
	"sidecar/backend/store/storetest"
)

// fileText is a file of about size bytes, different for each i.
func fileText(i, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# File %d\n\n", i)
	for p := 0; b.Len() < size; p++ {
		fmt.Fprintf(&b, "Paragraph %d of file %d is about topic %d, with words to embed.\n\n", p, i, (i*p)%97)
	}
	return b.String()
}

// A burst of 1,000 files appearing at once (as a checkout does) is indexed
// once per file, with the live heap bounded well below the burst's size.
func TestBurstIndexedOnceWithBoundedMemory(t *testing.T) {
	const files, size = 1000, 8 << 10
	dir, staging := t.TempDir(), t.TempDir()
	for i := 0; i < files; i++ {
		write(t, filepath.Join(staging, fmt.Sprintf("f%04d.md", i)), fileText(i, size))
	}
	var base, peak uint64
	handled := 0
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var syncs atomic.Int64 // syncs started, to show the burst was folded
	h := start(t, storetest.Open(t), Options{OnState: func(st State) {
		if st.Status == Scanning {
			syncs.Add(1)
		}
	}, OnFile: func(docs.Result) {
		// Called on the sync's goroutine after each file: every 100th,
		// measure the live heap.
		if handled++; handled%100 == 0 {
			if v := heap(); v > peak {
				peak = v
			}
		}
	}})
	st, err := h.m.Add(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	h.until("empty folder synced", func() bool { return h.ready(st.ID) })
	base = heap()
	syncsBefore := syncs.Load()
	// Each file appears whole (renamed in), in one burst.
	for i := 0; i < files; i++ {
		name := fmt.Sprintf("f%04d.md", i)
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	h.until("burst indexed", func() bool { return len(h.sources(dir)) == files && h.ready(st.ID) })
	t.Logf("the burst of %d files took %d syncs", files, syncs.Load()-syncsBefore)
	if n := h.emb.calls.Load(); n != files {
		t.Fatalf("%d files embedded for %d files changed", n, files)
	}
	if handled != files {
		t.Fatalf("%d files handled for %d changed", handled, files)
	}
	// The burst is 8 MiB of text; a sync holds one file at a time, so
	// the live heap grows by far less. Bound: 4 MiB.
	const bound = 4 << 20
	growth := int64(peak) - int64(base)
	t.Logf("live heap: %d MiB before the burst, peak growth %.1f MiB during it (bound %d MiB)", base>>20, float64(growth)/(1<<20), bound>>20)
	if growth > bound {
		t.Fatalf("live heap grew by %d MiB during the burst, bound %d MiB", growth>>20, bound>>20)
	}
}

// A process killed with SIGKILL in the middle of a sync loses nothing:
// every stored document is whole, and the next start completes the sync,
// embedding only the files not yet stored.
func TestKillMidSync(t *testing.T) {
	if dir := os.Getenv("SIDECAR_WATCH_CHILD"); dir != "" {
		var key []byte
		fmt.Sscanf(os.Getenv("SIDECAR_WATCH_KEY"), "%x", &key)
		db, err := store.Open(context.Background(), os.Getenv("SIDECAR_WATCH_DB"), key)
		if err != nil {
			os.Exit(3)
		}
		d, _ := docs.New(context.Background(), db, docs.Lexical{}, nil)
		n := 0
		m := New(db, d, Options{OnFile: func(docs.Result) { n++; fmt.Printf("file %d\n", n) }})
		m.Run(context.Background())
		os.Exit(4) // not reached: Run returns when its context ends
	}
	const files = 300
	src := t.TempDir()
	for i := 0; i < files; i++ {
		write(t, filepath.Join(src, fmt.Sprintf("f%03d.md", i)), fileText(i, 4<<10))
	}
	key := make([]byte, store.KeySize)
	rand.Read(key)
	dbPath := filepath.Join(t.TempDir(), store.FileName)
	ctx := context.Background()
	db := storetest.Reopen(t, dbPath, key)
	if _, err := db.AddWatchedFolder(ctx, src); err != nil {
		t.Fatal(err)
	}
	db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillMidSync$")
	cmd.Env = append(os.Environ(), "SIDECAR_WATCH_CHILD="+src, "SIDECAR_WATCH_DB="+dbPath, fmt.Sprintf("SIDECAR_WATCH_KEY=%x", key))
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	reached := false
	for sc.Scan() {
		var n int
		if fmt.Sscanf(sc.Text(), "file %d", &n); n >= 30 {
			reached = true
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if !reached {
		t.Fatal("the child ended before syncing 30 files")
	}

	db = storetest.Reopen(t, dbPath, key)
	q := func(sql string) int {
		var n int
		if err := db.SQL().QueryRow(sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stored := q(`SELECT count(*) FROM documents`)
	if stored < 30 || stored >= files {
		t.Fatalf("%d documents stored before the kill: the test did not interrupt the sync", stored)
	}
	if orphans := q(`SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)`); orphans != 0 {
		t.Errorf("%d documents without chunks", orphans)
	}
	chunks := q(`SELECT count(*) FROM chunks`)
	if v := q(`SELECT count(*) FROM vec_1_f`); v != chunks {
		t.Errorf("%d vectors for %d chunks", v, chunks)
	}
	h := start(t, db, Options{})
	h.until("sync completed", func() bool { return h.ready(1) })
	if got := len(h.sources(src)); got != files {
		t.Fatalf("%d documents after the restart, want %d", got, files)
	}
	if n := h.emb.calls.Load(); n != int64(files-stored) {
		t.Fatalf("the restart embedded %d files; %d were missing", n, files-stored)
	}
}
