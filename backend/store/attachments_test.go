package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func pending(t *testing.T, db *DB, chatID int64, name, kind string, data []byte) Attachment {
	t.Helper()
	a, err := db.AddPendingAttachment(context.Background(), Attachment{ChatID: chatID, Name: name, MIME: "text/plain", Kind: kind, Data: data, Text: string(data)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A picked file waits as pending, becomes its message's when sent, comes
// back with its bytes, is copied to an edited version, and cannot be
// taken by another chat or twice.
func TestAttachmentsFollowTheirMessage(t *testing.T) {
	ctx := context.Background()
	db, path, key := openTemp(t)
	c, _ := db.CreateChat(ctx, "files", "echo/echo")
	other, _ := db.CreateChat(ctx, "other", "echo/echo")
	img := []byte("\x89PNG\r\n\x1a\n\x00\x00binary\x00bytes")
	a1 := pending(t, db, c.ID, "notes.md", "markdown", []byte("# Notes\nline"))
	a2, err := db.AddPendingAttachment(ctx, Attachment{ChatID: c.ID, Name: "pic.png", MIME: "image/png", Kind: "image", Data: img})
	if err != nil {
		t.Fatal(err)
	}
	if a2.Size != int64(len(img)) || a2.ID == a1.ID {
		t.Fatalf("pending image = %+v", a2)
	}
	if _, err := db.AddMessage(ctx, Message{ChatID: other.ID, Role: "user", Content: "steal", Attach: []int64{a1.ID}}); !errors.Is(err, ErrAttachmentTaken) {
		t.Fatalf("another chat took the attachment: %v", err)
	}
	if msgs, _ := db.Messages(ctx, other.ID); len(msgs) != 0 {
		t.Fatalf("the refused message was stored: %+v", msgs)
	}
	u, err := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "see files", Attach: []int64{a1.ID, a2.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "again", Attach: []int64{a2.ID}}); err != nil {
		// Sent already: a second message copies it (as an edit does).
		t.Fatalf("copying a sent attachment: %v", err)
	}
	if err := db.RemovePendingAttachment(ctx, a1.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removing a sent attachment: %v", err)
	}
	if err := db.SetAttachmentFit(ctx, a1.ID, true, 100, 250); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	meta, err := db.AttachmentsOf(ctx, []int64{u.ID}, false)
	if err != nil {
		t.Fatal(err)
	}
	got := meta[u.ID]
	if len(got) != 2 || got[0].Name != "notes.md" || got[1].Name != "pic.png" || got[1].Data != nil || got[0].Text != "" {
		t.Fatalf("metadata = %+v", got)
	}
	if !got[0].Truncated || got[0].KeptTokens != 100 || got[0].TotalTokens != 250 || got[0].MessageID != u.ID {
		t.Fatalf("fit not stored: %+v", got[0])
	}
	full, err := db.Attachment(ctx, a2.ID)
	if err != nil || !bytes.Equal(full.Data, img) || full.MIME != "image/png" || full.Kind != "image" {
		t.Fatalf("image = %+v, %v", full, err)
	}
	all, _ := db.Messages(ctx, c.ID)
	edit, err := db.AddReply(ctx, Message{ChatID: c.ID, ParentID: u.ParentID, Role: "user", Content: "edited", Attach: []int64{a1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	fullOf, err := db.AttachmentsOf(ctx, []int64{edit.ID, u.ID}, true)
	if err != nil || len(fullOf[edit.ID]) != 1 || fullOf[edit.ID][0].Text != "# Notes\nline" || fullOf[edit.ID][0].ID == a1.ID || len(fullOf[u.ID]) != 2 {
		t.Fatalf("edited version's attachments = %+v, %v", fullOf, err)
	}

	// Pending ones are dropped when the data is opened again; sent ones stay.
	p := pending(t, db, c.ID, "draft.txt", "text", []byte("draft"))
	if _, err := db.MarkInterrupted(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Attachment(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pending attachment survived: %v", err)
	}
	// Deleting the chat deletes every attachment of every branch.
	if err := db.DeleteChat(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM attachments`).Scan(&n)
	if n != 0 || len(all) < 2 {
		t.Fatalf("%d attachments left after deleting the chat", n)
	}
}

// Retention deletes old chats with their attachments.
func TestRetentionDeletesAttachments(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTemp(t)
	defer db.Close()
	c, _ := db.CreateChat(ctx, "old", "")
	a := pending(t, db, c.ID, "a.txt", "text", []byte("x"))
	if _, err := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "x", Attach: []int64{a.ID}}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.DeleteChatsOlderThan(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("retention: %d, %v", n, err)
	}
	if _, err := db.Attachment(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("attachment survived retention: %v", err)
	}
}

// An attachment's bytes and text are never on disk in the clear.
func TestAttachmentsAreEncrypted(t *testing.T) {
	ctx := context.Background()
	db, path, _ := openTemp(t)
	const marker = "MARKER-attachment-e41b"
	c, _ := db.CreateChat(ctx, "", "")
	body := []byte(strings.Repeat(marker+"\n", 2000))
	a := pending(t, db, c.ID, marker+".txt", "text", body)
	if _, err := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "x", Attach: []int64{a.ID}}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		entries, _ := os.ReadDir(filepath.Dir(path))
		seen := 0
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			seen += len(b)
			if bytes.Contains(b, []byte(marker)) {
				t.Errorf("%s: %s contains the attachment in the clear", when, e.Name())
			}
		}
		if seen < len(body) {
			t.Errorf("%s: only %d bytes on disk for a %d-byte attachment", when, seen, len(body))
		}
	}
	check("open")
	db.Close()
	check("closed")
}

// A database of the schema before attachments opens with its chats, and
// then stores attachments.
func TestMigrationAddsAttachments(t *testing.T) {
	ctx := context.Background()
	n := -1
	for i, m := range migrations {
		if strings.Contains(m, "CREATE TABLE attachments") {
			n = i
		}
	}
	if n < 0 {
		t.Fatal("no migration creates attachments")
	}
	old, o := openAtSchema(ctx, t, n)
	c, _ := old.CreateChat(ctx, "before", "")
	u, _ := old.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "old"})
	old.Close()
	db := o.migrated(ctx, t)
	if m, err := db.AttachmentsOf(ctx, []int64{u.ID}, false); err != nil || len(m) != 0 {
		t.Fatalf("old message attachments = %v, %v", m, err)
	}
	a := pending(t, db, c.ID, "new.txt", "text", []byte("new"))
	if _, err := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "new", Attach: []int64{a.ID}}); err != nil {
		t.Fatal(err)
	}
}
