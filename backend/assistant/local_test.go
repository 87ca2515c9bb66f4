package assistant

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/catalog"
	"sidecar/backend/gptjrt"
	"sidecar/backend/llm"
	"sidecar/backend/models/modelstest"
)

func TestLocalModelsLifecycle(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{})
	defer s.Close()
	rt := &modelstest.WordRuntime{}
	modelsDir := t.TempDir()
	s.cat.EnableLocal(modelsDir, rt)
	src := t.TempDir()

	if _, err := s.cat.ImportLocalModel(ctx, filepath.Join(src, "missing.bin")); err == nil {
		t.Fatal("missing file imported")
	}
	os.WriteFile(filepath.Join(src, "junk.bin"), []byte("PK zip"), 0o600)
	if _, err := s.cat.ImportLocalModel(ctx, filepath.Join(src, "junk.bin")); err == nil || !strings.Contains(err.Error(), "not a model") {
		t.Fatalf("junk imported: %v", err)
	}
	a, err := s.cat.ImportLocalModel(ctx, modelstest.WriteModel(t, src, "Alpha J.bin", "alpha says hi"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.cat.ImportLocalModel(ctx, modelstest.WriteModel(t, src, "beta.bin", "beta says hi"))
	if a.ID != "alpha-j" || a.Settings.WeightType != "f16" || a.Settings.ContextSize != 512 || a.Managed {
		t.Fatalf("imported = %+v", a)
	}
	if again, _ := s.cat.ImportLocalModel(ctx, a.Path); again.ID != a.ID {
		t.Fatal("re-import made a duplicate")
	}
	models, _ := s.cat.Models(ctx)
	if len(models) != 3 {
		t.Fatalf("models = %+v", models)
	}
	// What the local API's /api/show reports: the context from the
	// settings; no tools, reasoning or fill-in-the-middle for this model.
	if c, err := s.cat.Capabilities(catalog.LocalProviderID + "/" + a.ID); err != nil || c.ContextLength != 512 || c.Tools || c.Thinking || c.FIM {
		t.Fatalf("capabilities %+v %v", c, err)
	}

	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "local/"+a.ID); err != nil {
		t.Fatal(err)
	}
	send := func(text string) DoneEvent {
		t.Helper()
		r := newRecorder()
		s.events = r
		if _, err := s.SendMessage(ctx, c.ID, text); err != nil {
			t.Fatal(err)
		}
		return r.waitDone(t, c.ID)
	}
	if d := send("hello"); d.Message.Content != "alpha says hi" || d.Message.Model != "local/alpha-j" {
		t.Fatalf("answer = %+v", d.Message)
	}
	send("again") // stays loaded
	if len(rt.Loads()) != 1 {
		t.Fatalf("loads = %v, want one (kept in memory)", rt.Loads())
	}
	// Settings: validated; the system prompt reaches the model; a weight
	// type change reloads.
	bad := a.Settings
	bad.TopP = 0
	if _, err := s.cat.UpdateLocalModel(ctx, a.ID, "Alpha", bad); err == nil {
		t.Fatal("top-p 0 accepted")
	}
	set := a.Settings
	set.SystemPrompt, set.WeightType = "be terse", "q4_0"
	if _, err := s.cat.UpdateLocalModel(ctx, a.ID, "Alpha", set); err != nil {
		t.Fatal(err)
	}
	if d := send("third"); d.Message.Content != "alpha says hi [be terse]" {
		t.Fatalf("system prompt not applied: %q", d.Message.Content)
	}
	// Switching model releases the previous one.
	s.SetChatModel(ctx, c.ID, "local/"+b.ID)
	if d := send("to beta"); d.Message.Content != "beta says hi" {
		t.Fatalf("beta answer = %q", d.Message.Content)
	}
	if strings.Join(rt.Loads(), ",") != "Alpha J.bin:f16,Alpha J.bin:q4_0,beta.bin:f16" || rt.Closes() != 2 {
		t.Fatalf("loads %v closes %d", rt.Loads(), rt.Closes())
	}
	// Removing an imported model keeps the user's file.
	if err := s.cat.RemoveLocalModel(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(b.Path); err != nil {
		t.Fatal("an imported model's file was deleted")
	}
	if rt.Closes() != 3 {
		t.Fatalf("removing the loaded model did not release it: closes %d", rt.Closes())
	}
}

// TestRealGPTJModelInChat runs the tiny reference model through the whole
// chat path: import, load, stream, keep loaded.
func TestRealGPTJModelInChat(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "testdata", "gptj", "gptj-tinyA-f16.bin")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("reference model not found: %v", err)
	}
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	s.cat.EnableLocal(t.TempDir(), gptjrt.Runtime{})
	m, err := s.cat.ImportLocalModel(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Info.WeightType != "f16" || m.Info.ContextMax != 128 || m.Settings.ContextSize != 128 {
		t.Fatalf("imported = %+v", m)
	}
	set := m.Settings
	set.MaxTokens = 12
	if _, err := s.cat.UpdateLocalModel(ctx, m.ID, m.Name, set); err != nil {
		t.Fatal(err)
	}
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "local/"+m.ID); err != nil {
		t.Fatal(err)
	}
	for turn := 0; turn < 2; turn++ {
		r := newRecorder()
		s.events = r
		res, err := s.SendMessage(ctx, c.ID, "hi")
		if err != nil {
			t.Fatal(err)
		}
		d := r.waitDone(t, c.ID)
		if d.Message.Status != "done" || d.Message.CompletionTokens == 0 || d.Message.CompletionTokens > 12 {
			t.Fatalf("turn %d: %+v", turn, d.Message)
		}
		if got := r.tokens(res.Assistant.ID); got != d.Message.Content {
			t.Fatalf("streamed %q, stored %q", got, d.Message.Content)
		}
	}
	ms, _ := s.cat.LocalModels(ctx)
	if !ms[0].Loaded {
		t.Error("the model was not kept loaded")
	}
}
