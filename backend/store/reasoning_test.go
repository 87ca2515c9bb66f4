package store

import (
	"context"
	"strings"
	"testing"
)

// reasoningMigration is the number of migrations before the one that
// adds messages.reasoning.
func reasoningMigration(t *testing.T) int {
	t.Helper()
	for i, m := range migrations {
		if strings.Contains(m, "ADD COLUMN reasoning") {
			return i
		}
	}
	t.Fatal("no migration adds messages.reasoning")
	return 0
}

// A database written before answers kept their reasoning opens with its
// messages intact and without reasoning, and then stores reasoning
// apart from the text.
func TestMigrationAddsReasoning(t *testing.T) {
	ctx := context.Background()
	old, file := openAtSchema(ctx, t, reasoningMigration(t))
	if _, err := old.SQL().ExecContext(ctx, `INSERT INTO chats(title, model, created_at, updated_at) VALUES ('old chat', 'echo/echo', 1, 2)`); err != nil {
		t.Fatal(err)
	}
	if _, err := old.SQL().ExecContext(ctx, `INSERT INTO messages(chat_id, role, content, status, created_at) VALUES (1, 'assistant', 'old answer', 'done', 3)`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db := file.migrated(ctx, t)
	msgs, err := db.Messages(ctx, 1)
	if err != nil || len(msgs) != 1 || msgs[0].Content != "old answer" || msgs[0].Reasoning != "" {
		t.Fatalf("old messages = %+v, %v", msgs, err)
	}

	m, err := db.AddMessage(ctx, Message{ChatID: 1, Role: "assistant", Status: StatusStreaming, Reasoning: "first thought"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Message(ctx, m.ID); got.Reasoning != "first thought" {
		t.Fatalf("added reasoning = %q", got.Reasoning)
	}
	m.Content, m.Reasoning, m.Status = "the answer", "first thought, then more", StatusDone
	if err := db.FinishMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := db.Message(ctx, m.ID)
	if err != nil || got.Content != "the answer" || got.Reasoning != "first thought, then more" {
		t.Fatalf("finished = %+v, %v", got, err)
	}
	// The reasoning is not searched as the answer's text.
	hits, err := db.SearchMessages(ctx, "thought", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 0 {
		t.Fatalf("search found the reasoning: %+v", hits)
	}
}
