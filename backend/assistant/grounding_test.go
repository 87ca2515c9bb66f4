package assistant

import (
	"context"
	"strings"
	"testing"

	"sidecar/backend/docs"
	"sidecar/backend/llm"
)

// recordingEcho remembers the prompt it was given.
type recordingEcho struct {
	llm.Echo
	got []llm.Message
}

func (r *recordingEcho) Stream(ctx context.Context, req llm.Request, on llm.TokenFunc) (llm.Usage, error) {
	r.got = req.Messages
	return r.Echo.Stream(ctx, req, on)
}

// StreamEvents records the prompt too: chats stream events.
func (r *recordingEcho) StreamEvents(ctx context.Context, req llm.Request, on llm.EventFunc) (llm.Usage, error) {
	r.got = req.Messages
	return r.Echo.StreamEvents(ctx, req, on)
}

func TestAnswersGroundedInDocuments(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	ds, err := docs.New(ctx, db, docs.Lexical{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Add(ctx, "/notes/deploy.md", "deploy.md", []byte("# Deploy\n\nProduction deploys happen on Tuesdays after the freeze lifts.\n")); err != nil {
		t.Fatal(err)
	}
	ds.Add(ctx, "/notes/food.md", "food.md", []byte("# Lunch\n\nThe canteen serves soup.\n"))
	rec := &recordingEcho{}
	s := newService(db, nil, rec)
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatDocuments(ctx, c.ID, true); err == nil {
		t.Fatal("documents switched on with no retriever")
	}
	s.EnableDocuments(ds)
	if err := s.SetChatDocuments(ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	s.events = r
	if _, err := s.SendMessage(ctx, c.ID, "When do production deploys happen?"); err != nil {
		t.Fatal(err)
	}
	done := r.waitDone(t, c.ID)
	if len(rec.got) != 2 || rec.got[0].Role != llm.RoleSystem || !strings.Contains(rec.got[0].Content, "[1] deploy.md") ||
		!strings.Contains(rec.got[0].Content, "Tuesdays") {
		t.Fatalf("prompt = %+v", rec.got)
	}
	if len(done.Message.Citations) == 0 || done.Message.Citations[0].Source != "/notes/deploy.md" || done.Message.Citations[0].N != 1 {
		t.Fatalf("citations = %+v", done.Message.Citations)
	}
	d, _ := s.OpenChat(ctx, c.ID)
	if !d.Chat.UseDocuments || len(d.Messages[1].Citations) != len(done.Message.Citations) {
		t.Fatalf("not persisted: %+v", d)
	}
	// Switched off: the prompt is the conversation alone.
	s.SetChatDocuments(ctx, c.ID, false)
	r = newRecorder()
	s.events = r
	s.SendMessage(ctx, c.ID, "thanks")
	if done := r.waitDone(t, c.ID); len(done.Message.Citations) != 0 || rec.got[0].Role == llm.RoleSystem {
		t.Fatalf("grounding still on: %+v", rec.got)
	}
}
