package assistant

import (
	"context"
	"strings"
	"sync"
	"testing"

	"sidecar/backend/docs"
	"sidecar/backend/llm"
	"sidecar/backend/models/modelstest"
	"sidecar/backend/store/storetest"
)

// requestEcho is the echo model that keeps the last request it was given.
type requestEcho struct {
	llm.Echo
	mu  sync.Mutex
	req llm.Request
}

func (r *requestEcho) Stream(ctx context.Context, req llm.Request, on llm.TokenFunc) (llm.Usage, error) {
	r.mu.Lock()
	r.req = req
	r.mu.Unlock()
	return r.Echo.Stream(ctx, req, on)
}

// StreamEvents records the request too: chats stream events.
func (r *requestEcho) StreamEvents(ctx context.Context, req llm.Request, on llm.EventFunc) (llm.Usage, error) {
	r.mu.Lock()
	r.req = req
	r.mu.Unlock()
	return r.Echo.StreamEvents(ctx, req, on)
}

func (r *requestEcho) last() llm.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.req
}

func fptr(v float64) *float64 { return &v }

func TestChatSettingsReachTheModel(t *testing.T) {
	ctx := context.Background()
	db, path, key := openDB(t)
	rec := &requestEcho{}
	events := newRecorder()
	s := newService(db, events, rec)
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	v, err := s.SetChatSettings(ctx, c.ID, ChatSettings{SystemPrompt: "You are a code reviewer.", Temperature: fptr(0.2), TopP: fptr(0.8), MaxTokens: 50})
	if err != nil {
		t.Fatal(err)
	}
	if v.Settings.SystemPrompt != "You are a code reviewer." || *v.Settings.Temperature != 0.2 {
		t.Fatalf("view = %+v", v)
	}
	if _, err := s.SendMessage(ctx, c.ID, "/system"); err != nil {
		t.Fatal(err)
	}
	done := events.waitDone(t, c.ID)
	if done.Message.Content != "System: You are a code reviewer." {
		t.Fatalf("echo saw %q", done.Message.Content)
	}
	req := rec.last()
	if req.Temperature == nil || *req.Temperature != 0.2 || req.TopP == nil || *req.TopP != 0.8 || req.MaxTokens != 50 {
		t.Fatalf("request sampling = %v %v %d", req.Temperature, req.TopP, req.MaxTokens)
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != llm.RoleSystem || req.Messages[1].Content != "/system" {
		t.Fatalf("request = %+v", req.Messages)
	}
	// Back to the defaults: nothing is sent.
	if _, err := s.SetChatSettings(ctx, c.ID, ChatSettings{}); err != nil {
		t.Fatal(err)
	}
	events = newRecorder()
	s.events = events
	s.SendMessage(ctx, c.ID, "again")
	events.waitDone(t, c.ID)
	req = rec.last()
	if req.Temperature != nil || req.TopP != nil || req.MaxTokens != 0 || req.Messages[0].Role == llm.RoleSystem {
		t.Fatalf("defaults sent something: %+v", req)
	}
	// Out of bounds is refused, and nothing changes.
	if _, err := s.SetChatSettings(ctx, c.ID, ChatSettings{Temperature: fptr(3)}); err == nil {
		t.Fatal("temperature 3 accepted")
	}
	// The settings survive a restart.
	s.SetChatSettings(ctx, c.ID, ChatSettings{SystemPrompt: "kept", MaxTokens: 9})
	s.Close()
	db.Close()
	db2 := storetest.Reopen(t, path, key)
	s2 := newService(db2, nil, &llm.Echo{})
	defer s2.Close()
	d, err := s2.OpenChat(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Chat.Settings.SystemPrompt != "kept" || d.Chat.Settings.MaxTokens != 9 || d.Chat.Settings.Temperature != nil {
		t.Fatalf("after reopen: %+v", d.Chat.Settings)
	}
}

// With "Use my documents" on, the chat's system prompt comes first and the
// excerpts after it, as with a model's own system prompt.
func TestChatSystemPromptKeptWithDocuments(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := &requestEcho{}
	events := newRecorder()
	s := newService(db, events, rec)
	defer s.Close()
	ds, err := docs.New(ctx, db, docs.Lexical{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Add(ctx, "/notes/deploy.md", "deploy.md", []byte("# Deploy\n\nProduction deploys happen on Tuesdays.\n")); err != nil {
		t.Fatal(err)
	}
	s.EnableDocuments(ds)
	c, _ := s.CreateChat(ctx)
	s.SetChatDocuments(ctx, c.ID, true)
	if _, err := s.SetChatSettings(ctx, c.ID, ChatSettings{SystemPrompt: "Answer like a pirate."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendMessage(ctx, c.ID, "When do production deploys happen?"); err != nil {
		t.Fatal(err)
	}
	done := events.waitDone(t, c.ID)
	msgs := rec.last().Messages
	if len(msgs) != 3 || msgs[0].Content != "Answer like a pirate." || msgs[1].Role != llm.RoleSystem ||
		!strings.Contains(msgs[1].Content, "Tuesdays") || msgs[2].Role != llm.RoleUser {
		t.Fatalf("prompt = %+v", msgs)
	}
	if len(done.Message.Citations) == 0 {
		t.Fatal("no citations: grounding did not run")
	}
}

// A local model's own system prompt is used when the chat has none; the
// chat's replaces it.
func TestChatSystemPromptOverridesModels(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	events := newRecorder()
	s := newService(db, events, &llm.Echo{})
	defer s.Close()
	s.cat.EnableLocal(t.TempDir(), &modelstest.WordRuntime{})
	m, err := s.cat.ImportLocalModel(ctx, modelstest.WriteModel(t, t.TempDir(), "alpha.bin", "alpha says hi"))
	if err != nil {
		t.Fatal(err)
	}
	set := m.Settings
	set.SystemPrompt = "the model's own prompt"
	if _, err := s.cat.UpdateLocalModel(ctx, m.ID, m.Name, set); err != nil {
		t.Fatal(err)
	}
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "local/"+m.ID); err != nil {
		t.Fatal(err)
	}
	s.SendMessage(ctx, c.ID, "hello")
	if got := events.waitDone(t, c.ID).Message.Content; !strings.Contains(got, "[the model's own prompt]") {
		t.Fatalf("without a chat prompt the answer is %q", got)
	}
	if _, err := s.SetChatSettings(ctx, c.ID, ChatSettings{SystemPrompt: "the chat's prompt"}); err != nil {
		t.Fatal(err)
	}
	events = newRecorder()
	s.events = events
	s.SendMessage(ctx, c.ID, "hello again")
	if got := events.waitDone(t, c.ID).Message.Content; !strings.Contains(got, "[the chat's prompt]") {
		t.Fatalf("with a chat prompt the answer is %q", got)
	}
}

func TestPresetsApplyAsACopy(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	ps, err := s.ListPresets(ctx)
	if err != nil || len(ps) != 2 {
		t.Fatalf("starting presets = %+v, %v", ps, err)
	}
	p, err := s.CreatePreset(ctx, "Pirate", ChatSettings{SystemPrompt: "Talk like a pirate.", Temperature: fptr(1.1)})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.CreateChat(ctx)
	v, err := s.ApplyPreset(ctx, c.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Settings.SystemPrompt != "Talk like a pirate." || *v.Settings.Temperature != 1.1 {
		t.Fatalf("applied = %+v", v.Settings)
	}
	up, err := s.UpdatePreset(ctx, p.ID, "Parrot", ChatSettings{SystemPrompt: "Squawk."})
	if err != nil || up.Name != "Parrot" || up.Settings.Temperature != nil {
		t.Fatalf("update = %+v, %v", up, err)
	}
	if err := s.DeletePreset(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	d, _ := s.OpenChat(ctx, c.ID)
	if d.Chat.Settings.SystemPrompt != "Talk like a pirate." {
		t.Fatalf("the chat followed the preset: %+v", d.Chat.Settings)
	}
	if _, err := s.ApplyPreset(ctx, c.ID, p.ID); err == nil {
		t.Fatal("a deleted preset was applied")
	}
}
