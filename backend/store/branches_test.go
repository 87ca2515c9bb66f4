package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func pathContents(t *testing.T, db *DB, chatID int64) []string {
	t.Helper()
	path, err := db.ShownPath(context.Background(), chatID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range path {
		out = append(out, m.Content)
	}
	return out
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBranchesSurviveReopenAndDelete(t *testing.T) {
	ctx := context.Background()
	db, path, key := openTemp(t)
	c, _ := db.CreateChat(ctx, "t", "")
	other, _ := db.CreateChat(ctx, "other", "")
	q1, _ := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "q1"})
	a1, _ := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "assistant", Content: "a1"})
	if a1.ParentID != q1.ID || q1.ParentID != 0 {
		t.Fatalf("appended parents: %d %d", q1.ParentID, a1.ParentID)
	}
	db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "q2"})
	// A new version of the first question starts a second branch.
	q1b, err := db.AddReply(ctx, Message{ChatID: c.ID, Role: "user", Content: "q1b"})
	if err != nil {
		t.Fatal(err)
	}
	db.AddMessage(ctx, Message{ChatID: c.ID, Role: "assistant", Content: "a1b"})
	if got := pathContents(t, db, c.ID); !same(got, []string{"q1b", "a1b"}) {
		t.Fatalf("after the edit the path is %v", got)
	}
	p, _ := db.ShownPath(ctx, c.ID)
	if len(p[0].Siblings) != 2 || p[0].Siblings[0] != q1.ID || p[0].Siblings[1] != q1b.ID || len(p[1].Siblings) != 1 {
		t.Fatalf("siblings = %v %v", p[0].Siblings, p[1].Siblings)
	}
	// Back to the first version: its conversation comes back whole.
	if err := db.SelectBranch(ctx, c.ID, q1.ID); err != nil {
		t.Fatal(err)
	}
	if got := pathContents(t, db, c.ID); !same(got, []string{"q1", "a1", "q2"}) {
		t.Fatalf("first branch = %v", got)
	}
	// A message of another chat is neither a branch nor a parent here.
	if err := db.SelectBranch(ctx, other.ID, q1.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("select across chats: %v", err)
	}
	if _, err := db.AddReply(ctx, Message{ChatID: other.ID, Role: "user", Content: "x", ParentID: q1.ID}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reply across chats: %v", err)
	}
	db.Close()

	db, err = Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := pathContents(t, db, c.ID); !same(got, []string{"q1", "a1", "q2"}) {
		t.Fatalf("after reopening the path is %v", got)
	}
	if all, _ := db.Messages(ctx, c.ID); len(all) != 5 {
		t.Fatalf("%d messages kept, want 5", len(all))
	}
	// Deleting the chat removes every branch.
	if err := db.DeleteChat(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d messages left after deleting the chat", n)
	}
	// Retention removes every branch of the chats it deletes too.
	c2, _ := db.CreateChat(ctx, "old", "")
	r, _ := db.AddMessage(ctx, Message{ChatID: c2.ID, Role: "user", Content: "v1"})
	db.AddMessage(ctx, Message{ChatID: c2.ID, Role: "assistant", Content: "a"})
	db.AddReply(ctx, Message{ChatID: c2.ID, Role: "user", Content: "v2", ParentID: r.ParentID})
	if del, err := db.DeleteChatsOlderThan(ctx, time.Now().Add(time.Hour)); err != nil || del != 2 {
		t.Fatalf("retention deleted %d chats: %v", del, err)
	}
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d messages left after retention", n)
	}
}

// A database written before branches (schema 9) opens with each chat as
// a single path, nothing lost, the last message shown.
func TestMigrationToBranches(t *testing.T) {
	ctx := context.Background()
	old, file := openAtSchema(ctx, t, 9)
	for _, q := range []string{
		`INSERT INTO chats(id, title, created_at, updated_at) VALUES (1, 'a', 1, 2), (2, 'b', 1, 2), (3, 'empty', 1, 2)`,
		// Interleaved ids, as two chats written at the same time leave them.
		`INSERT INTO messages(id, chat_id, role, content, created_at) VALUES
			(10, 1, 'user', 'a q1', 3), (11, 2, 'user', 'b q1', 3), (12, 1, 'assistant', 'a a1', 4),
			(13, 2, 'assistant', 'b a1', 4), (14, 1, 'user', 'a q2', 5), (20, 1, 'assistant', 'a a2', 6)`,
	} {
		if _, err := old.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db := file.migrated(ctx, t)
	if got := pathContents(t, db, 1); !same(got, []string{"a q1", "a a1", "a q2", "a a2"}) {
		t.Fatalf("chat 1 = %v", got)
	}
	if got := pathContents(t, db, 2); !same(got, []string{"b q1", "b a1"}) {
		t.Fatalf("chat 2 = %v", got)
	}
	if got := pathContents(t, db, 3); len(got) != 0 {
		t.Fatalf("empty chat = %v", got)
	}
	p, _ := db.ShownPath(ctx, 1)
	for i, m := range p {
		if len(m.Siblings) != 1 || (i > 0 && m.ParentID != p[i-1].ID) || (i == 0 && m.ParentID != 0) {
			t.Fatalf("message %d after migration: parent %d siblings %v", m.ID, m.ParentID, m.Siblings)
		}
	}
	// The migrated chat goes on from its last message.
	m, err := db.AddMessage(ctx, Message{ChatID: 1, Role: "user", Content: "a q3"})
	if err != nil || m.ParentID != 20 {
		t.Fatalf("append after migration: %+v %v", m, err)
	}
	if hits, _ := db.SearchMessages(ctx, "q2", 10); len(hits) != 1 || hits[0].MessageID != 14 {
		t.Fatalf("search after migration = %+v", hits)
	}
}
