package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestCopyWithKey(t *testing.T) {
	ctx := context.Background()
	db, path, oldKey := openTemp(t)
	defer db.Close()
	c, _ := db.CreateChat(ctx, "MARKER-copy-test", "")
	db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "kept across keys"})
	newKey := newKey(t)
	dst := filepath.Join(filepath.Dir(path), "copy.db")
	if err := db.CopyWithKey(ctx, dst, newKey); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); bytes.Contains(b, []byte("MARKER-copy-test")) || bytes.Contains(b, []byte("SQLite format 3")) {
		t.Fatal("the copy is not encrypted")
	}
	if _, err := Open(ctx, dst, oldKey); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("the copy opens with the old key: %v", err)
	}
	cp, err := Open(ctx, dst, newKey)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	msgs, _ := cp.Messages(ctx, c.ID)
	if len(msgs) != 1 || msgs[0].Content != "kept across keys" {
		t.Fatalf("copy messages = %+v", msgs)
	}
	if err := db.CopyWithKey(ctx, dst, newKey); err == nil {
		t.Fatal("an existing file was overwritten")
	}
}

// TestCopyWithKeyCancellableContext is the command line's case: its context
// can be cancelled (Ctrl+C), which once made every copy fail with "cannot
// VACUUM - SQL statements in progress".
func TestCopyWithKeyCancellableContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, path, _ := openTemp(t)
	defer db.Close()
	c, _ := db.CreateChat(ctx, "kept", "")
	db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "across keys"})
	dst := filepath.Join(filepath.Dir(path), "copy.db")
	if err := db.CopyWithKey(ctx, dst, newKey(t)); err != nil {
		t.Fatalf("copy with a cancellable context: %v", err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("copy mode = %v, want 0600", fi.Mode().Perm())
	}
	for _, side := range []string{"-journal", "-wal", "-shm"} {
		if _, err := os.Stat(dst + side); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left beside the copy: %v", side, err)
		}
	}
	// The connection that ran the copy still serves ordinary queries.
	if msgs, err := db.Messages(ctx, c.ID); err != nil || len(msgs) != 1 {
		t.Fatalf("after the copy: %d messages, %v", len(msgs), err)
	}
}

// TestCopyWithKeyCancelled stops a copy: a context cancelled before or
// while the copy runs leaves no file behind.
func TestCopyWithKeyCancelled(t *testing.T) {
	db, path, _ := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	c, _ := db.CreateChat(ctx, "big", "")
	big := bytes.Repeat([]byte("filler text "), 4096)
	for i := 0; i < 200; i++ {
		db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: string(big)})
	}
	dst := filepath.Join(filepath.Dir(path), "copy.db")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.CopyWithKey(cctx, dst, newKey(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a copy was left: %v", err)
	}

	// Cancelled while SQLite copies: the progress handler sees it.
	late := &cancelLater{Context: ctx, after: 20}
	err := db.CopyWithKey(late, dst, newKey(t))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupt") {
		t.Fatalf("cancelled during: err = %v, want context.Canceled from SQLite's interrupt", err)
	}
	for _, side := range []string{"", "-journal"} {
		if _, err := os.Stat(dst + side); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%q left after an interrupted copy: %v", dst+side, err)
		}
	}
}

// cancelLater is a context that reports itself cancelled from the
// after-th question on, so a copy is cancelled while SQLite runs it.
type cancelLater struct {
	context.Context
	mu    sync.Mutex
	calls int
	after int
}

func (c *cancelLater) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls > c.after {
		return context.Canceled
	}
	return nil
}
