package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"sidecar/backend/docs"
	"sidecar/backend/store"
	"sidecar/backend/store/storetest"
)

// counting embeds with the built-in embedder and counts the files it is
// asked for (docs.Add embeds one file's chunks in one call).
type counting struct {
	docs.Lexical
	calls atomic.Int64
}

func (c *counting) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	return c.Lexical.Embed(ctx, texts)
}

// harness runs a manager over a real encrypted store.
type harness struct {
	t    *testing.T
	db   *store.DB
	docs *docs.Service
	emb  *counting
	m    *Manager
	wake chan struct{}
	stop func()
}

func start(t *testing.T, db *store.DB, opt Options) *harness {
	t.Helper()
	h := &harness{t: t, db: db, emb: &counting{}, wake: make(chan struct{}, 1)}
	var err error
	if h.docs, err = docs.New(context.Background(), db, h.emb, nil); err != nil {
		t.Fatal(err)
	}
	if opt.Quiet == 0 {
		opt.Quiet = 20 * time.Millisecond
		opt.MaxDelay = 500 * time.Millisecond
	}
	if opt.RescanEvery == 0 {
		opt.RescanEvery = time.Hour // notifications alone, unless a test says otherwise
	}
	poke := func() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	onState := opt.OnState
	opt.OnState = func(st State) {
		if onState != nil {
			onState(st)
		}
		poke()
	}
	opt.OnDocuments = poke
	h.m = New(db, h.docs, opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.m.Run(ctx) }()
	h.stop = func() { cancel(); <-done }
	t.Cleanup(h.stop)
	return h
}

// until waits for cond, re-checking after every state change; go test's
// timeout bounds the wait.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	for !cond() {
		<-h.wake
	}
}

// sources lists the stored documents' sources relative to dir.
func (h *harness) sources(dir string) []string {
	h.t.Helper()
	list, err := h.docs.StoredUnder(context.Background(), dir)
	if err != nil {
		h.t.Fatal(err)
	}
	out := []string{}
	for _, d := range list {
		rel, _ := filepath.Rel(dir, d.Source)
		out = append(out, filepath.ToSlash(rel))
	}
	sort.Strings(out)
	return out
}

func (h *harness) ready(id int64) bool {
	st, _ := h.m.States(context.Background())
	for _, s := range st {
		if s.ID == id {
			return s.Status == Ready
		}
	}
	return false
}

func write(t *testing.T, p, content string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func same(a []string, b ...string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// A watched folder follows adds, changes, deletes and renames on disk,
// respects .gitignore files, and a rename of unchanged content is not
// embedded again.
func TestFolderFollowsDisk(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), "# Alpha\n\nThe alpha document talks about apples.\n")
	write(t, filepath.Join(dir, "b.md"), "# Beta\n\nThe beta document talks about bananas.\n")
	write(t, filepath.Join(dir, ".gitignore"), "*.log\nsecret/\n/root-only.md\n!keep.log\n")
	write(t, filepath.Join(dir, "x.log"), "noise\n")
	write(t, filepath.Join(dir, "keep.log"), "a log worth keeping\n")
	write(t, filepath.Join(dir, "secret", "pw.md"), "hunter2\n")
	write(t, filepath.Join(dir, "root-only.md"), "left out\n")
	write(t, filepath.Join(dir, "sub", "root-only.md"), "kept: the pattern is anchored to the root\n")
	write(t, filepath.Join(dir, "sub", ".gitignore"), "draft*\n")
	write(t, filepath.Join(dir, "sub", "draft1.md"), "not ready\n")
	write(t, filepath.Join(dir, "sub", "c.md"), "# Gamma\n\nThe gamma document talks about grapes.\n")

	h := start(t, storetest.Open(t), Options{})
	ctx := context.Background()
	st, err := h.m.Add(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	h.until("first sync", func() bool { return h.ready(st.ID) })
	if got := h.sources(dir); !same(got, "a.md", "b.md", "keep.log", "sub/c.md", "sub/root-only.md") {
		t.Fatalf("after the first sync: %v", got)
	}
	if n := h.emb.calls.Load(); n != 5 {
		t.Fatalf("%d files embedded, want 5", n)
	}

	// Add, change, delete.
	write(t, filepath.Join(dir, "new.md"), "# New\n\nA new document about nectarines.\n")
	h.until("new file", func() bool {
		return same(h.sources(dir), "a.md", "b.md", "keep.log", "new.md", "sub/c.md", "sub/root-only.md")
	})
	write(t, filepath.Join(dir, "a.md"), "# Alpha\n\nThe alpha document now talks about apricots.\n")
	h.until("changed file", func() bool {
		hits, _ := h.docs.Search(ctx, "apricots", docs.SearchOptions{K: 3})
		return len(hits) > 0 && strings.HasSuffix(hits[0].Source, "a.md")
	})
	os.Remove(filepath.Join(dir, "b.md"))
	h.until("deleted file", func() bool { return same(h.sources(dir), "a.md", "keep.log", "new.md", "sub/c.md", "sub/root-only.md") })
	write(t, filepath.Join(dir, "secret", "more.md"), "still secret\n")
	write(t, filepath.Join(dir, "sub", "draft2.md"), "still a draft\n")
	before := h.emb.calls.Load()

	// A rename into a new folder: the folder gets a watch, the document
	// moves without being embedded again.
	os.MkdirAll(filepath.Join(dir, "moved"), 0o755)
	if err := os.Rename(filepath.Join(dir, "sub", "c.md"), filepath.Join(dir, "moved", "c2.md")); err != nil {
		t.Fatal(err)
	}
	h.until("renamed file", func() bool {
		return same(h.sources(dir), "a.md", "keep.log", "moved/c2.md", "new.md", "sub/root-only.md")
	})
	if n := h.emb.calls.Load(); n != before {
		t.Fatalf("the rename embedded %d files again", n-before)
	}
	hits, _ := h.docs.Search(ctx, "grapes", docs.SearchOptions{K: 1})
	if len(hits) != 1 || hits[0].Title != "c2.md" {
		t.Fatalf("search after rename: %+v", hits)
	}
	// A file in the folder made after the rename is watched too.
	write(t, filepath.Join(dir, "moved", "d.md"), "# Delta\n\nThe delta document talks about dates.\n")
	h.until("file in a new folder", func() bool {
		return same(h.sources(dir), "a.md", "keep.log", "moved/c2.md", "moved/d.md", "new.md", "sub/root-only.md")
	})
}

// Paused folders stay paused across a restart; resuming catches up; removing
// deletes the folder's documents and nothing else.
func TestPauseResumeRemoveAcrossRestart(t *testing.T) {
	db, path, key := storetest.OpenFile(t)
	dir, other := t.TempDir(), t.TempDir()
	write(t, filepath.Join(dir, "a.md"), "# A\n\nabout anchors\n")
	write(t, filepath.Join(other, "o.md"), "# O\n\nabout otters\n")
	h := start(t, db, Options{})
	ctx := context.Background()
	st, err := h.m.Add(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st2, _ := h.m.Add(ctx, other)
	h.until("first sync", func() bool { return h.ready(st.ID) && h.ready(st2.ID) })
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	if _, err := h.m.Add(ctx, filepath.Join(dir, "sub")); !errors.Is(err, ErrOverlap) {
		t.Fatalf("a folder inside a watched one: %v", err)
	}
	if p, err := h.m.SetPaused(ctx, st.ID, true); err != nil || p.Status != Paused {
		t.Fatalf("pause: %+v, %v", p, err)
	}
	h.stop()
	db.Close()

	db = storetest.Reopen(t, path, key)
	write(t, filepath.Join(dir, "b.md"), "# B\n\nabout badgers\n")
	h = start(t, db, Options{})
	h.until("other folder synced", func() bool { return h.ready(st2.ID) })
	states, _ := h.m.States(ctx)
	if len(states) != 2 || states[0].Status != Paused {
		t.Fatalf("after restart: %+v", states)
	}
	if got := h.sources(dir); !same(got, "a.md") {
		t.Fatalf("a paused folder synced: %v", got)
	}
	if _, err := h.m.SetPaused(ctx, st.ID, false); err != nil {
		t.Fatal(err)
	}
	h.until("resumed", func() bool { return same(h.sources(dir), "a.md", "b.md") && h.ready(st.ID) })
	if err := h.m.Remove(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if got := h.sources(dir); len(got) != 0 {
		t.Fatalf("documents left after removing the folder: %v", got)
	}
	if got := h.sources(other); !same(got, "o.md") {
		t.Fatalf("the other folder's documents: %v", got)
	}
	if states, _ := h.m.States(ctx); len(states) != 1 || states[0].ID != st2.ID {
		t.Fatalf("folders after remove: %+v", states)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.md")); err != nil {
		t.Fatalf("removing the folder touched the files: %v", err)
	}
}

// At the system's watch limit the folder is polled, says so, and still
// follows changes.
func TestWatchLimitFallsBackToRescan(t *testing.T) {
	orig := addWatch
	addWatch = func(*fsnotify.Watcher, string) error { return syscall.ENOSPC }
	t.Cleanup(func() { addWatch = orig })
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), "# A\n\nabout anchors\n")
	h := start(t, storetest.Open(t), Options{RescanEvery: 20 * time.Millisecond})
	st, err := h.m.Add(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	h.until("first sync", func() bool { return h.ready(st.ID) })
	states, _ := h.m.States(context.Background())
	if !states[0].Polling || !strings.Contains(states[0].Notice, "limit") {
		t.Fatalf("state at the watch limit: %+v", states[0])
	}
	write(t, filepath.Join(dir, "b.md"), "# B\n\nabout badgers\n")
	h.until("rescan", func() bool { return same(h.sources(dir), "a.md", "b.md") })
}

// A folder that disappears (an unmounted drive) keeps its documents and
// shows an error.
func TestMissingFolderKeepsDocuments(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "w")
	write(t, filepath.Join(dir, "a.md"), "# A\n\nabout anchors\n")
	h := start(t, storetest.Open(t), Options{RescanEvery: 20 * time.Millisecond})
	st, err := h.m.Add(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	h.until("first sync", func() bool { return h.ready(st.ID) })
	os.Rename(dir, filepath.Join(parent, "elsewhere"))
	h.until("error shown", func() bool {
		states, _ := h.m.States(context.Background())
		return states[0].Status == Failed && strings.Contains(states[0].Error, "kept")
	})
	if got := h.sources(dir); !same(got, "a.md") {
		t.Fatalf("documents of a missing folder: %v", got)
	}
}
