package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sidecar/backend/llm"
	"sidecar/backend/models/modelstest"
	"sidecar/backend/store/storetest"
)

// downloads passes the download events on to the test.
type downloads chan DownloadEvent

func (d downloads) Emit(_ string, data any) {
	if e, ok := data.(DownloadEvent); ok {
		d <- e
	}
}

// A registry written before the stored record and the view were apart
// (each entry with "loaded") still reads, and what is saved again holds
// no run-time state.
func TestRegistryKeepsItsFormat(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	src := t.TempDir()
	path := modelstest.WriteModel(t, src, "old.bin", "old says hi")
	old := `[{"id":"old","name":"Old","path":` + strconvQuote(path) + `,"engine":"word","info":{"format":"test","architecture":"","weightType":"f16","params":0,"contextMax":512,"sizeBytes":18,"capabilities":{"fillInMiddle":false,"toolCalls":false,"embeddings":false,"thinking":false,"vision":false}},"settings":{"weightType":"f16","threads":2,"contextSize":512,"temperature":0.7,"topP":0.95,"topK":40,"repeatPenalty":1.1,"maxTokens":256,"promptTemplate":"","systemPrompt":"be kind"},"addedAt":1700000000000,"loaded":true,"managed":false}]`
	if err := db.SetSetting(ctx, settingLocalModels, old); err != nil {
		t.Fatal(err)
	}
	c := New(db, nil, nil)
	defer c.Close()
	rt := &modelstest.WordRuntime{}
	c.EnableLocal(t.TempDir(), rt)
	ms, err := c.LocalModels(ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("models %+v %v", ms, err)
	}
	m := ms[0]
	if m.ID != "old" || m.Name != "Old" || m.Path != path || m.Engine != "word" || m.Settings.SystemPrompt != "be kind" ||
		m.Settings.MaxTokens != 256 || m.AddedAt != 1700000000000 || m.Info.ContextMax != 512 {
		t.Fatalf("read %+v", m)
	}
	if m.Loaded {
		t.Fatal("a stored \"loaded\" was taken for the model being in memory")
	}
	// Generating loads it; the view says so, the stored list does not.
	p, id, err := c.Provider("local/old")
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if _, err := p.Stream(ctx, llm.Request{Model: id, Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}, func(s string) error {
		got.WriteString(s)
		return nil
	}); err != nil || got.String() != "old says hi [be kind]" {
		t.Fatalf("stream %q %v", got.String(), err)
	}
	if ms, _ := c.LocalModels(ctx); !ms[0].Loaded {
		t.Fatal("the loaded model is not reported loaded")
	}
	set := m.Settings
	set.Temperature = 0.2
	if _, err := c.UpdateLocalModel(ctx, "old", "Old", set); err != nil {
		t.Fatal(err)
	}
	raw, err := db.Setting(ctx, settingLocalModels, "")
	if err != nil {
		t.Fatal(err)
	}
	var saved []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &saved); err != nil || len(saved) != 1 {
		t.Fatalf("saved %s: %v", raw, err)
	}
	for _, k := range []string{"loaded", "weightTypes"} {
		if _, ok := saved[0][k]; ok {
			t.Fatalf("run-time state (%s) was saved: %s", k, raw)
		}
	}
	for _, k := range []string{"id", "name", "path", "engine", "info", "settings", "addedAt", "managed"} {
		if _, ok := saved[0][k]; !ok {
			t.Fatalf("saved list lacks %q: %s", k, raw)
		}
	}
	c.Close()
	if rt.Closes() != 1 {
		t.Fatalf("closing the catalogue released %d models, want 1", rt.Closes())
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestLocalModelDownload(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	s := New(db, nil, nil, &llm.Echo{})
	defer s.Close()
	modelsDir := t.TempDir()
	s.EnableLocal(modelsDir, &modelstest.WordRuntime{})
	body := []byte("MODEL\ndownloaded model\n" + strings.Repeat("w", 1<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/notmodel.bin" {
			w.Write([]byte("nope"))
			return
		}
		http.ServeContent(w, r, "m.bin", time.Unix(0, 0), bytes.NewReader(body))
	}))
	defer srv.Close()

	wait := func(r downloads, id string) DownloadEvent {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case d := <-r:
				if d.ID == id && d.State != "running" {
					return d
				}
			case <-deadline:
				t.Fatal("download did not finish")
			}
		}
	}
	if _, err := s.DownloadLocalModel(ctx, srv.URL+"/", ""); err == nil {
		t.Fatal("URL without a file name accepted")
	}
	r := make(downloads, 4096)
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
	r = make(downloads, 4096)
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
