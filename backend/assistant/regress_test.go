package assistant

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sidecar/backend/docs"
	"sidecar/backend/llm"
	"sidecar/backend/models/modelstest"
)

// blockingRetriever holds a message in preparation (the document search)
// until its context ends.
type blockingRetriever struct{ entered chan struct{} }

func (r blockingRetriever) Context(ctx context.Context, _ string, _ int, _ docs.SearchOptions) ([]docs.Hit, string, error) {
	r.entered <- struct{}{}
	<-ctx.Done()
	return nil, "", ctx.Err()
}

// Stopping, deleting the chat or closing while a message is still being
// prepared (before generation starts) must not panic: the generation's
// cancel function used to be nil until then.
func TestStopWhilePreparing(t *testing.T) {
	for _, how := range []string{"stop", "delete", "close"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			db, _, _ := openDB(t)
			defer db.Close()
			s := newService(db, nil, &llm.Echo{})
			r := blockingRetriever{entered: make(chan struct{}, 1)}
			s.EnableDocuments(r)
			c, _ := s.CreateChat(ctx)
			if err := s.SetChatDocuments(ctx, c.ID, true); err != nil {
				t.Fatal(err)
			}
			sent := make(chan error, 1)
			go func() {
				_, err := s.SendMessage(ctx, c.ID, "hello")
				sent <- err
			}()
			<-r.entered
			switch how {
			case "stop":
				s.Stop(c.ID)
			case "delete":
				if err := s.DeleteChat(ctx, c.ID); err != nil {
					t.Fatal(err)
				}
			case "close":
				s.Close()
			}
			select {
			case err := <-sent:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("send = %v, want context.Canceled", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the message kept being prepared after it was stopped")
			}
			if how == "stop" {
				// The chat is free again.
				s.EnableDocuments(nil)
				if err := s.SetChatDocuments(ctx, c.ID, false); err != nil {
					t.Fatal(err)
				}
				if _, err := s.SendMessage(ctx, c.ID, "again"); err != nil {
					t.Fatalf("send after stop: %v", err)
				}
				s.Close()
			}
		})
	}
}

// With "Use my documents" on, a local model's configured system prompt
// still reaches the model, before the excerpts.
func TestModelSystemPromptKeptWithDocuments(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{})
	defer s.Close()
	s.cat.EnableLocal(t.TempDir(), &modelstest.WordRuntime{})
	m, err := s.cat.ImportLocalModel(ctx, modelstest.WriteModel(t, t.TempDir(), "alpha.bin", "alpha says hi"))
	if err != nil {
		t.Fatal(err)
	}
	set := m.Settings
	set.SystemPrompt = "answer like a pirate"
	if _, err := s.cat.UpdateLocalModel(ctx, m.ID, m.Name, set); err != nil {
		t.Fatal(err)
	}
	ds, err := docs.New(ctx, db, docs.Lexical{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Add(ctx, "/notes/deploy.md", "deploy.md", []byte("# Deploy\n\nProduction deploys happen on Tuesdays.\n")); err != nil {
		t.Fatal(err)
	}
	s.EnableDocuments(ds)
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "local/"+m.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChatDocuments(ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendMessage(ctx, c.ID, "When do production deploys happen?"); err != nil {
		t.Fatal(err)
	}
	done := rec.waitDone(t, c.ID)
	// wordModel appends the first system message it was given.
	if !strings.Contains(done.Message.Content, "[answer like a pirate]") {
		t.Fatalf("answer = %q: the model's system prompt did not come first", done.Message.Content)
	}
	if len(done.Message.Citations) == 0 {
		t.Fatalf("no citations: grounding did not run")
	}
}
