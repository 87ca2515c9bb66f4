package store

import (
	"context"
	"strings"
	"testing"
)

func TestSearchMessages(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTemp(t)
	defer db.Close()
	a, _ := db.CreateChat(ctx, "Go generics", "")
	b, _ := db.CreateChat(ctx, "Rust lifetimes", "")
	db.AddMessage(ctx, Message{ChatID: a.ID, Role: "user", Content: "How do type parameters work in Go generics?"})
	db.AddMessage(ctx, Message{ChatID: b.ID, Role: "assistant", Content: "Lifetimes describe how long references are valid."})
	m, _ := db.AddMessage(ctx, Message{ChatID: b.ID, Role: "assistant", Status: StatusStreaming})
	m.Content, m.Status = "Borrowing rules and generic lifetimes together", StatusDone
	if err := db.FinishMessage(ctx, m); err != nil {
		t.Fatal(err)
	}

	hits, err := db.SearchMessages(ctx, "generic", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 {
		t.Fatalf("hits = %+v, want 2 (prefix match, updated content indexed)", hits)
	}
	for _, h := range hits {
		if !strings.Contains(h.Snippet, MarkStart) || h.ChatTitle == "" {
			t.Errorf("hit %+v lacks highlight or title", h)
		}
	}
	hits, _ = db.SearchMessages(ctx, "lifetimes borrowing", 10)
	if len(hits) != 1 || hits[0].MessageID != m.ID || hits[0].ChatID != b.ID {
		t.Fatalf("all words required: %+v", hits)
	}
	// FTS syntax in user input is harmless.
	for _, q := range []string{`"unbalanced`, `NEAR(a b)`, `col:x`, `*`, `a OR`, `) (`, ""} {
		if _, err := db.SearchMessages(ctx, q, 10); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
	}
	// Deleting a chat removes its messages from the index.
	db.DeleteChat(ctx, b.ID)
	if hits, _ := db.SearchMessages(ctx, "lifetimes", 10); len(hits) != 0 {
		t.Fatalf("deleted messages still found: %+v", hits)
	}
}

func FuzzFTSQuery(f *testing.F) {
	for _, s := range []string{"hello world", `"quoted" OR x*`, "NEAR(", "日本語 テキスト", "a-b_c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ftsQuery(s)
		if strings.Count(q, `"`)%2 != 0 {
			t.Fatalf("unbalanced quotes in %q", q)
		}
	})
}
