package session

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"sidecar/backend/catalog"
	"sidecar/backend/modelcat"
)

type downloadEvents chan catalog.DownloadEvent

func (d downloadEvents) Emit(_ string, data any) {
	if e, ok := data.(catalog.DownloadEvent); ok {
		select {
		case d <- e:
		default:
		}
	}
}

// TestModelCatalogue: the shipped list is offered; a list served on
// 127.0.0.1 replaces it and is kept in the settings; a bad list is an
// error that keeps it; a catalogue download is checked before it is
// added (a good GGUF file becomes a model, a truncated one does not).
func TestModelCatalogue(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	model, err := os.ReadFile("../llama/testdata/qwen2-w64-f32.gguf")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	entry := func(id, file string) modelcat.Entry {
		return modelcat.Entry{ID: id, Name: id, Family: "Qwen2", Parameters: "tiny", Quantization: "F32", SizeBytes: int64(len(model)),
			MemoryBytes: 64 << 20, ContextLength: 256, Licence: "Apache-2.0", URL: srv.URL + "/" + file}
	}
	cut := entry("cut", "cut.gguf")
	cut.SizeApprox = true // so the GGUF reading, not the size, finds it short
	list, _ := json.Marshal(modelcat.List{Version: 1, Models: []modelcat.Entry{entry("good", "good.gguf"), cut}})
	mux.HandleFunc("/list.json", func(w http.ResponseWriter, r *http.Request) { w.Write(list) })
	mux.HandleFunc("/bad.json", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"version":1,"models":[{"id":"x"}]}`)) })
	mux.HandleFunc("/good.gguf", func(w http.ResponseWriter, r *http.Request) { w.Write(model) })
	mux.HandleFunc("/cut.gguf", func(w http.ResponseWriter, r *http.Request) { w.Write(model[:len(model)/2]) })

	ev := make(downloadEvents, 4096)
	s := New(Options{Keychain: kc, Dir: t.TempDir(), Background: true, Events: ev})
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v, err := s.ModelCatalogue(ctx)
	if err != nil || v.Source != "shipped" || len(v.Entries) != len(modelcat.Shipped().Models) {
		t.Fatalf("shipped catalogue %+v, %v", v.Source, err)
	}
	v, err = s.RefreshModelCatalogue(ctx, srv.URL+"/list.json")
	if err != nil || v.Source != "url" || len(v.Entries) != 2 || v.URL != srv.URL+"/list.json" || v.Entries[0].FileName != "good.gguf" {
		t.Fatalf("refreshed %+v, %v", v, err)
	}
	if _, err := s.RefreshModelCatalogue(ctx, srv.URL+"/bad.json"); err == nil || !strings.Contains(err.Error(), "kept") {
		t.Fatalf("bad list: %v", err)
	}
	if v, _ := s.ModelCatalogue(ctx); len(v.Entries) != 2 {
		t.Fatalf("a bad list replaced the good one: %d entries", len(v.Entries))
	}
	wait := func(id string) catalog.DownloadEvent {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case e := <-ev:
				if e.ID == id && e.State != "running" {
					return e
				}
			case <-deadline:
				t.Fatal("download did not finish")
			}
		}
	}
	id, err := s.DownloadCatalogueModel(ctx, "cut")
	if err != nil {
		t.Fatal(err)
	}
	if e := wait(id); e.State != "failed" || !strings.Contains(e.Error, "damaged or incomplete") {
		t.Fatalf("truncated download: %+v", e)
	}
	id, err = s.DownloadCatalogueModel(ctx, "good")
	if err != nil {
		t.Fatal(err)
	}
	if e := wait(id); e.State != "done" {
		t.Fatalf("good download: %+v", e)
	}
	v, _ = s.ModelCatalogue(ctx)
	if v.Entries[0].InstalledID == "" || v.Entries[1].InstalledID != "" {
		t.Fatalf("installed: %+v", v.Entries)
	}
	if ms, _ := s.LocalModels(ctx); len(ms) != 1 {
		t.Fatalf("local models %+v", ms)
	}
	if _, err := s.DownloadCatalogueModel(ctx, "nope"); err == nil {
		t.Fatal("unknown entry downloaded")
	}
	// Back to the shipped list.
	if v, err := s.RefreshModelCatalogue(ctx, ""); err != nil || v.Source != "shipped" || v.URL != "" {
		t.Fatalf("reset: %+v %v", v.Source, err)
	}
}
