package assistant

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sidecar/backend/gptjrt"
	"sidecar/backend/llm"
	"sidecar/backend/models"
)

// wordRuntime "loads" files that start with MODEL and answers with the
// file's second line; it records loads and closes.
type wordRuntime struct {
	mu     sync.Mutex
	loads  []string
	closes int
}

type wordModel struct {
	rt    *wordRuntime
	reply string
}

func (r *wordRuntime) Engine() string { return "word" }

// WeightTypes makes it a models.Converter, as GPT-J's runtime is.
func (r *wordRuntime) WeightTypes() []string { return []string{"f16", "q8_0", "q4_0"} }

func (r *wordRuntime) Inspect(_ context.Context, path string) (LocalModelInfo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return LocalModelInfo{}, err
	}
	if !bytes.HasPrefix(b, []byte("MODEL\n")) {
		return LocalModelInfo{}, errors.New("not a model file")
	}
	return LocalModelInfo{Format: "test", WeightType: "f16", ContextMax: 512, SizeBytes: int64(len(b))}, nil
}

func (r *wordRuntime) Load(_ context.Context, path string, o models.LoadOptions) (models.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	o.Progress(0.5)
	r.mu.Lock()
	r.loads = append(r.loads, filepath.Base(path)+":"+o.WeightType)
	r.mu.Unlock()
	return &wordModel{rt: r, reply: strings.SplitN(string(b), "\n", 3)[1]}, nil
}

func (m *wordModel) Info() models.Info    { return models.Info{Format: "test"} }
func (m *wordModel) StopTokens() []string { return nil }
func (m *wordModel) Render(p models.Prompt) (string, error) {
	var b strings.Builder
	for _, x := range p.Messages {
		b.WriteString(x.Content + "\n")
	}
	return b.String(), nil
}

func (m *wordModel) Stream(ctx context.Context, p models.Prompt, _ models.Sampling, on llm.TokenFunc) (llm.Usage, error) {
	msgs := p.Messages
	reply := m.reply
	if msgs[0].Role == llm.RoleSystem {
		reply += " [" + msgs[0].Content + "]"
	}
	for _, w := range llm.SplitWords(reply) {
		if err := on(w); err != nil {
			return llm.Usage{}, err
		}
	}
	return llm.Usage{CompletionTokens: len(llm.SplitWords(reply))}, nil
}

func (m *wordModel) CountTokens(p models.Prompt) (int, error) {
	n := 0
	for _, x := range p.Messages {
		n += len(strings.Fields(x.Content))
	}
	return n, nil
}

func (m *wordModel) Close() error {
	m.rt.mu.Lock()
	m.rt.closes++
	m.rt.mu.Unlock()
	return nil
}

func writeModel(t *testing.T, dir, name, reply string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("MODEL\n"+reply+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLocalModelsLifecycle(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	s := New(db, rec, nil, &llm.Echo{})
	defer s.Close()
	rt := &wordRuntime{}
	modelsDir := t.TempDir()
	s.EnableLocal(modelsDir, rt)
	src := t.TempDir()

	if _, err := s.ImportLocalModel(ctx, filepath.Join(src, "missing.bin")); err == nil {
		t.Fatal("missing file imported")
	}
	os.WriteFile(filepath.Join(src, "junk.bin"), []byte("PK zip"), 0o600)
	if _, err := s.ImportLocalModel(ctx, filepath.Join(src, "junk.bin")); err == nil || !strings.Contains(err.Error(), "not a model") {
		t.Fatalf("junk imported: %v", err)
	}
	a, err := s.ImportLocalModel(ctx, writeModel(t, src, "Alpha J.bin", "alpha says hi"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.ImportLocalModel(ctx, writeModel(t, src, "beta.bin", "beta says hi"))
	if a.ID != "alpha-j" || a.Settings.WeightType != "f16" || a.Settings.ContextSize != 512 || a.Managed {
		t.Fatalf("imported = %+v", a)
	}
	if again, _ := s.ImportLocalModel(ctx, a.Path); again.ID != a.ID {
		t.Fatal("re-import made a duplicate")
	}
	models, _ := s.Models(ctx)
	if len(models) != 3 {
		t.Fatalf("models = %+v", models)
	}
	// What the local API's /api/show reports: the context from the
	// settings; no tools, reasoning or fill-in-the-middle for this model.
	if c, err := s.Capabilities(LocalProviderID + "/" + a.ID); err != nil || c.ContextLength != 512 || c.Tools || c.Thinking || c.FIM {
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
	if len(rt.loads) != 1 {
		t.Fatalf("loads = %v, want one (kept in memory)", rt.loads)
	}
	// Settings: validated; the system prompt reaches the model; a weight
	// type change reloads.
	bad := a.Settings
	bad.TopP = 0
	if _, err := s.UpdateLocalModel(ctx, a.ID, "Alpha", bad); err == nil {
		t.Fatal("top-p 0 accepted")
	}
	set := a.Settings
	set.SystemPrompt, set.WeightType = "be terse", "q4_0"
	if _, err := s.UpdateLocalModel(ctx, a.ID, "Alpha", set); err != nil {
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
	if strings.Join(rt.loads, ",") != "Alpha J.bin:f16,Alpha J.bin:q4_0,beta.bin:f16" || rt.closes != 2 {
		t.Fatalf("loads %v closes %d", rt.loads, rt.closes)
	}
	// Removing an imported model keeps the user's file.
	if err := s.RemoveLocalModel(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(b.Path); err != nil {
		t.Fatal("an imported model's file was deleted")
	}
	if rt.closes != 3 {
		t.Fatalf("removing the loaded model did not release it: closes %d", rt.closes)
	}
}

func TestLocalModelDownload(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := New(db, nil, nil, &llm.Echo{})
	defer s.Close()
	modelsDir := t.TempDir()
	s.EnableLocal(modelsDir, &wordRuntime{})
	body := []byte("MODEL\ndownloaded model\n" + strings.Repeat("w", 1<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/notmodel.bin" {
			w.Write([]byte("nope"))
			return
		}
		http.ServeContent(w, r, "m.bin", time.Unix(0, 0), bytes.NewReader(body))
	}))
	defer srv.Close()

	wait := func(r *recorder, id string) DownloadEvent {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			r.mu.Lock()
			for _, e := range r.events {
				if d, ok := e.data.(DownloadEvent); ok && d.ID == id && d.State != "running" {
					r.mu.Unlock()
					return d
				}
			}
			r.mu.Unlock()
			select {
			case <-r.cond:
			case <-deadline:
				t.Fatal("download did not finish")
			}
		}
	}
	if _, err := s.DownloadLocalModel(ctx, srv.URL+"/", ""); err == nil {
		t.Fatal("URL without a file name accepted")
	}
	r := newRecorder()
	s.events = r
	id, err := s.DownloadLocalModel(ctx, srv.URL+"/files/good-model.bin", "")
	if err != nil {
		t.Fatal(err)
	}
	if d := wait(r, id); d.State != "done" {
		t.Fatalf("download = %+v", d)
	}
	ms, _ := s.LocalModels(ctx)
	if len(ms) != 1 || !ms[0].Managed || ms[0].Path != filepath.Join(modelsDir, "good-model.bin") {
		t.Fatalf("models = %+v", ms)
	}
	// Not a model: reported, file removed.
	r = newRecorder()
	s.events = r
	id, _ = s.DownloadLocalModel(ctx, srv.URL+"/notmodel.bin", "")
	if d := wait(r, id); d.State != "failed" || !strings.Contains(d.Error, "not a model") {
		t.Fatalf("bad download = %+v", d)
	}
	if _, err := os.Stat(filepath.Join(modelsDir, "notmodel.bin")); !os.IsNotExist(err) {
		t.Fatal("bad download left its file")
	}
	// Removing a downloaded model deletes its file.
	if err := s.RemoveLocalModel(ctx, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ms[0].Path); !os.IsNotExist(err) {
		t.Fatal("downloaded file kept after removal")
	}
	if p, _ := s.PendingDownloads(ctx); len(p) != 0 {
		t.Fatalf("pending = %+v", p)
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
	s := New(db, nil, nil, &llm.Echo{})
	defer s.Close()
	s.EnableLocal(t.TempDir(), gptjrt.Runtime{})
	m, err := s.ImportLocalModel(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Info.WeightType != "f16" || m.Info.ContextMax != 128 || m.Settings.ContextSize != 128 {
		t.Fatalf("imported = %+v", m)
	}
	set := m.Settings
	set.MaxTokens = 12
	if _, err := s.UpdateLocalModel(ctx, m.ID, m.Name, set); err != nil {
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
	ms, _ := s.LocalModels(ctx)
	if !ms[0].Loaded {
		t.Error("the model was not kept loaded")
	}
}
