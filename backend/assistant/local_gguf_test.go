package assistant

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/ggufrt"
	"sidecar/backend/ggufrt/ggufrttest"
	"sidecar/backend/llm"
	"sidecar/backend/models/modelstest"
)

// A GGUF model keeps its weights as stored: it is offered no weight type,
// its settings carry none, and one imported with a stale GPT-J default
// still loads and answers through its own chat template.
func TestGGUFModelWeightsAsStored(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, newRecorder(), &llm.Echo{})
	defer s.Close()
	s.cat.EnableLocal(t.TempDir(), ggufrt.Runtime{}, &modelstest.WordRuntime{})

	path := filepath.Join(t.TempDir(), "qwen.gguf")
	if err := ggufrttest.Qwen(path, "Qwen-Qwen2.5-7B-Instruct"); err != nil {
		t.Fatal(err)
	}
	m, err := s.cat.ImportLocalModel(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Engine != "gguf" || len(m.WeightTypes) != 0 || m.Settings.WeightType != "" || !m.Info.OwnTemplate ||
		m.Info.Architecture != "qwen2" || !m.Info.Capabilities.ToolCalls || !m.Info.Capabilities.FillInMiddle {
		t.Fatalf("imported %+v", m)
	}
	// A file without a template is chatted with through a generic one, and says so.
	q, err := s.cat.ImportLocalModel(ctx, "../llama/testdata/qwen2-w256-Q4_K_M.gguf")
	if err != nil || q.Info.OwnTemplate || q.Info.WeightType != "q4_k_m" || q.Settings.WeightType != "" {
		t.Fatalf("a file without a template: %+v %v", q, err)
	}
	set := m.Settings
	set.WeightType, set.MaxTokens, set.Threads = "q8_0", 4, 1 // what the window sent for every model before
	saved, err := s.cat.UpdateLocalModel(ctx, m.ID, m.Name, set)
	if err != nil || saved.Settings.WeightType != "" {
		t.Fatalf("update: %+v %v", saved.Settings, err)
	}
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "local/"+m.ID); err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	s.events = r
	if _, err := s.SendMessage(ctx, c.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	d := r.waitDone(t, c.ID)
	if d.Message.Status != "done" || d.Message.Content == "" || d.Message.Model != "local/"+m.ID {
		t.Fatalf("answer %+v", d)
	}

	// A GPT-J-style runtime still gets the type asked for, and only its own.
	w, err := s.cat.ImportLocalModel(ctx, modelstest.WriteModel(t, t.TempDir(), "word.bin", "hi"))
	if err != nil || strings.Join(w.WeightTypes, ",") != "f16,q8_0,q4_0" || w.Settings.WeightType != "f16" {
		t.Fatalf("converter model %+v %v", w, err)
	}
	bad := w.Settings
	bad.WeightType = "q4_k_m"
	if _, err := s.cat.UpdateLocalModel(ctx, w.ID, w.Name, bad); err == nil {
		t.Fatal("a weight type the runtime does not offer was accepted")
	}
}
