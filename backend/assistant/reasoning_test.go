package assistant

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sidecar/backend/chatexport"
	"sidecar/backend/ggufrt"
	"sidecar/backend/ggufrt/ggufrttest"
	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// A local thinking model (the Qwen3 template, answers scripted) that
// reasons before its answer: the reasoning streams as EventReasoning and
// is stored apart, and the answer's text, its stream, the next prompt and
// the export hold none of it, also after reopening the encrypted store.
func TestLocalReasoningKeptOutOfAnswer(t *testing.T) {
	ctx := context.Background()
	db, path, key := openDB(t)
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{})
	var mu sync.Mutex
	var prompts []string
	s.cat.EnableLocal(t.TempDir(), ggufrt.Runtime{Script: func(p string) string {
		mu.Lock()
		defer mu.Unlock()
		prompts = append(prompts, p)
		if len(prompts) == 1 {
			return "<think>\nThe user greets me; greet back.\n</think>\n\nHello there!<|im_end|>"
		}
		return "Still here.<|im_end|>"
	}})
	file := filepath.Join(t.TempDir(), "think.gguf")
	if err := ggufrttest.Qwen(file, "Qwen-Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	m, err := s.cat.ImportLocalModel(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	set := m.Settings
	set.Threads, set.MaxTokens = 1, 400
	if _, err := s.cat.UpdateLocalModel(ctx, m.ID, m.Name, set); err != nil {
		t.Fatal(err)
	}
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "local/"+m.ID); err != nil {
		t.Fatal(err)
	}
	res, err := s.SendMessage(ctx, c.ID, "hi")
	if err != nil {
		t.Fatal(err)
	}
	d := rec.waitDone(t, c.ID)
	const thought = "\nThe user greets me; greet back.\n"
	if d.Message.Status != store.StatusDone || strings.TrimSpace(d.Message.Content) != "Hello there!" || d.Message.Reasoning != thought {
		t.Fatalf("answer %+v", d.Message)
	}
	if got := rec.pieces(EventReasoning, res.Assistant.ID); got != thought {
		t.Errorf("streamed reasoning = %q, want %q", got, thought)
	}
	if got := rec.tokens(res.Assistant.ID); strings.TrimSpace(got) != "Hello there!" {
		t.Errorf("streamed answer = %q", got)
	}

	// The next turn's prompt has the answer, not the reasoning.
	res2, err := s.SendMessage(ctx, c.ID, "still there?")
	if err != nil {
		t.Fatal(err)
	}
	rec.waitAnswer(t, res2.Assistant.ID)
	mu.Lock()
	second := prompts[len(prompts)-1]
	mu.Unlock()
	if !strings.Contains(second, "Hello there!") || strings.Contains(second, "greet back") {
		t.Errorf("second prompt:\n%s", second)
	}
	s.Close()
	db.Close()

	db, err = store.Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = newService(db, nil, &llm.Echo{})
	defer s.Close()
	detail, err := s.OpenChat(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := detail.Messages[1]
	if got.ID != res.Assistant.ID || strings.TrimSpace(got.Content) != "Hello there!" || got.Reasoning != thought {
		t.Fatalf("stored answer %+v", got)
	}
	var out bytes.Buffer
	if err := s.ExportChat(ctx, c.ID, chatexport.FormatMarkdown, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Hello there!") || strings.Contains(out.String(), "greet back") || strings.Contains(out.String(), "think>") {
		t.Errorf("export:\n%s", out.String())
	}
}
