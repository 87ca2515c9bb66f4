package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
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
