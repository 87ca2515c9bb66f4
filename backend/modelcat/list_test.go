package modelcat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func goodEntry() Entry {
	return Entry{ID: "tiny-q4", Name: "Tiny", Family: "Tiny", Parameters: "1B", Quantization: "Q4_K_M",
		SizeBytes: 1000, SizeApprox: true, MemoryBytes: 2000, ContextLength: 4096, Licence: "MIT",
		URL: "https://example.org/tiny/resolve/main/tiny-Q4_K_M.gguf"}
}

func encode(t *testing.T, l any) []byte {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestShippedListIsValid(t *testing.T) {
	l := Shipped()
	if len(l.Models) < 17 {
		t.Fatalf("%d models shipped", len(l.Models))
	}
	for _, e := range l.Models {
		// Nothing here could be checked against the hub: every size is an
		// estimate and no checksum is claimed.
		if !e.SizeApprox || e.SHA256 != "" {
			t.Errorf("%s: size approximate %v, sha256 %q", e.ID, e.SizeApprox, e.SHA256)
		}
		if !strings.HasPrefix(e.URL, "https://huggingface.co/") || !strings.Contains(e.URL, "/resolve/main/") {
			t.Errorf("%s: URL %s", e.ID, e.URL)
		}
		if e.Quantization != "Q4_K_M" || !strings.Contains(strings.ToLower(e.FileName()), "q4_k_m") {
			t.Errorf("%s: quantization %s, file %s", e.ID, e.Quantization, e.FileName())
		}
	}
}

func TestParseRefusesBadLists(t *testing.T) {
	withEntry := func(f func(*Entry)) []byte {
		e := goodEntry()
		f(&e)
		return encode(t, List{Version: 1, Models: []Entry{e}})
	}
	many := List{Version: 1}
	for i := 0; i <= MaxEntries; i++ {
		e := goodEntry()
		e.ID = fmt.Sprintf("m%d", i)
		e.URL = fmt.Sprintf("https://example.org/%d/m.gguf", i)
		many.Models = append(many.Models, e)
	}
	cases := []struct {
		name, want string
		b          []byte
	}{
		{"not json", "not a model catalogue", []byte("<html>hello</html>")},
		{"unknown field", "unknown field", []byte(`{"version":1,"models":[],"extra":1}`)},
		{"trailing data", "more after", append(withEntry(func(*Entry) {}), []byte(` {"x":1}`)...)},
		{"version", "version 2", []byte(`{"version":2,"models":[]}`)},
		{"empty", "no models", []byte(`{"version":1,"models":[]}`)},
		{"too many", "more than the 200", encode(t, many)},
		{"oversized", "bytes, more than", []byte(`{"version":1,"models":[],"pad":"` + strings.Repeat("x", MaxListBytes) + `"}`)},
		{"not utf8", "UTF-8", []byte("{\"version\":1,\"models\":[],\"x\":\"\xff\"}")},
		{"plain http", "plain http", withEntry(func(e *Entry) { e.URL = "http://example.org/m.gguf" })},
		{"file scheme", "scheme", withEntry(func(e *Entry) { e.URL = "file:///etc/passwd.gguf" })},
		{"credentials", "password", withEntry(func(e *Entry) { e.URL = "https://u:p@example.org/m.gguf" })},
		{"not gguf", ".gguf file name", withEntry(func(e *Entry) { e.URL = "https://example.org/m.exe" })},
		{"dot dot", ".gguf file name", withEntry(func(e *Entry) { e.URL = "https://example.org/a/.." })},
		{"bad sha", "sha256", withEntry(func(e *Entry) { e.SHA256 = "abc" })},
		{"negative size", "sizeBytes", withEntry(func(e *Entry) { e.SizeBytes = -1 })},
		{"huge size", "sizeBytes", withEntry(func(e *Entry) { e.SizeBytes = 1 << 50 })},
		{"memory below size", "memoryBytes", withEntry(func(e *Entry) { e.MemoryBytes = 10 })},
		{"bad id", "id must", withEntry(func(e *Entry) { e.ID = "../../x" })},
		{"no name", "name is missing", withEntry(func(e *Entry) { e.Name = " " })},
		{"long text", "longer than", withEntry(func(e *Entry) { e.Description = strings.Repeat("é", 301) })},
		{"control char", "control", withEntry(func(e *Entry) { e.Name = "a\x1b[31mb" })},
		{"bidi override", "control", withEntry(func(e *Entry) { e.Name = "a\u202eb" })},
		{"duplicate id", "twice", encode(t, List{Version: 1, Models: []Entry{goodEntry(), goodEntry()}})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.b)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
	if _, err := Parse(withEntry(func(e *Entry) { e.URL = "http://127.0.0.1:8080/m.gguf" })); err != nil {
		t.Fatalf("loopback http refused: %v", err)
	}
	if _, err := Parse(withEntry(func(e *Entry) { e.URL = "http://[::1]:8080/m.gguf" })); err != nil {
		t.Fatalf("IPv6 loopback http refused: %v", err)
	}
}

func TestFetch(t *testing.T) {
	good := encode(t, List{Version: 1, Models: []Entry{goodEntry()}})
	mux := http.NewServeMux()
	mux.HandleFunc("/good.json", func(w http.ResponseWriter, r *http.Request) { w.Write(good) })
	mux.HandleFunc("/missing.json", http.NotFound)
	mux.HandleFunc("/endless.json", func(w http.ResponseWriter, r *http.Request) {
		// No Content-Length: the reader must stop by itself.
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for i := 0; i < 1024; i++ { // 64 MiB unless the client stops early
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/declared.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(MaxListBytes+1))
		w.Write(good)
	})
	mux.HandleFunc("/away.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.org/list.json", http.StatusFound)
	})
	release := make(chan struct{})
	mux.HandleFunc("/stall.json", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)
	ctx := context.Background()

	l, raw, err := Fetch(ctx, srv.Client(), srv.URL+"/good.json")
	if err != nil || len(l.Models) != 1 || string(raw) != string(good) {
		t.Fatalf("good list: %v, %d models", err, len(l.Models))
	}
	for path, want := range map[string]string{
		"/missing.json":  "404",
		"/endless.json":  "more than the",
		"/declared.json": "more than the",
		"/away.json":     "plain http",
	} {
		if _, _, err := Fetch(ctx, srv.Client(), srv.URL+path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", path, err, want)
		}
	}
	if _, _, err := Fetch(ctx, nil, "http://example.org/list.json"); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("remote http list URL: %v", err)
	}
	// A stalled server is given up on when the caller's context ends (the
	// same path FetchTimeout takes).
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, _, err := Fetch(cctx, srv.Client(), srv.URL+"/stall.json"); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("stalled server: %v", err)
	}
}

func TestFitsMemory(t *testing.T) {
	e := goodEntry()
	e.MemoryBytes = 6e9
	const gib = int64(1e9)
	if f := FitsMemory(e, 16*gib); !f.Fits || !f.Known || f.Reason != "needs about 6.0 GB of this computer's 16 GB" {
		t.Errorf("16 GB: %+v", f)
	}
	if f := FitsMemory(e, 8*gib); !f.Fits || !f.Known {
		t.Errorf("8 GB (6 GB budget): %+v", f)
	}
	if f := FitsMemory(e, 7*gib); f.Fits || !strings.Contains(f.Reason, "too little") {
		t.Errorf("7 GB: %+v", f)
	}
	if f := FitsMemory(e, 4*gib); f.Fits || f.Reason != "needs about 6.0 GB; this computer has only 4.0 GB" {
		t.Errorf("4 GB: %+v", f)
	}
	if got := GiB(808e6) + " " + GiB(1099511627776); got != "808 MB 1.1 TB" {
		t.Errorf("GiB: %s", got)
	}
	if f := FitsMemory(e, 0); f.Known || !strings.Contains(f.Reason, "could not read") {
		t.Errorf("unknown: %+v", f)
	}
}
