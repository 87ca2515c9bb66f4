package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"sidecar/backend/llm"
)

const key = "AIzaSy0123456789abcdefghijWXYZ"

// fake speaks the Gemini API's REST and SSE formats.
type fake struct {
	mu   sync.Mutex
	mode string
	path string
	last map[string]any
	hdr  http.Header
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hdr, f.path = r.Header.Clone(), r.URL.Path+"?"+r.URL.RawQuery
	body, _ := io.ReadAll(r.Body)
	f.last = nil
	json.Unmarshal(body, &f.last)
	mode := f.mode
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch mode {
	case "badkey":
		w.WriteHeader(400)
		io.WriteString(w, `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`)
		return
	case "429":
		w.WriteHeader(429)
		io.WriteString(w, `{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"31s"}]}}`)
		return
	case "503":
		w.WriteHeader(503)
		io.WriteString(w, `{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}`)
		return
	}
	switch {
	case r.URL.Path == "/v1beta/models":
		io.WriteString(w, `{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens"]},{"name":"models/text-embedding-004","displayName":"Text Embedding 004","supportedGenerationMethods":["embedContent"]}]}`)
	case strings.HasSuffix(r.URL.Path, ":batchEmbedContents"), strings.HasSuffix(r.URL.Path, ":embedContent"):
		io.WriteString(w, `{"embeddings":[{"values":[0.5,-0.25]},{"values":[1,2]}]}`)
	case strings.HasSuffix(r.URL.Path, ":streamGenerateContent"):
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		data := func(s string) { fmt.Fprintf(w, "data: %s\r\n\r\n", s); fl.Flush() }
		data(`{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":1,"totalTokenCount":9},"modelVersion":"gemini-2.5-flash"}`)
		switch mode {
		case "garbage":
			data(`{"candidates":[{"content":`)
			return
		case "drop":
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		}
		data(`{"candidates":[{"content":{"parts":[{"text":" there"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":3,"totalTokenCount":11},"modelVersion":"gemini-2.5-flash"}`)
	default:
		http.NotFound(w, r)
	}
}

func setup(t *testing.T) (*Provider, *fake) {
	t.Helper()
	f := &fake{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	p, err := New(Config{APIKey: key, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p, f
}

func TestStreamAndRequestShape(t *testing.T) {
	p, f := setup(t)
	var pieces []string
	u, err := p.Stream(context.Background(), llm.Request{
		Model:     "gemini-2.5-flash",
		Messages:  []llm.Message{{Role: llm.RoleSystem, Content: "be brief"}, {Role: llm.RoleUser, Content: "hi"}, {Role: llm.RoleAssistant, Content: "yo"}, {Role: llm.RoleUser, Content: "again"}},
		MaxTokens: 64,
	}, func(s string) error { pieces = append(pieces, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pieces, "|") != "Hello| there" || u.PromptTokens != 8 || u.CompletionTokens != 3 {
		t.Fatalf("pieces %q usage %+v", pieces, u)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hdr.Get("X-Goog-Api-Key") != key {
		t.Errorf("key header missing: %v", f.hdr)
	}
	if !strings.Contains(f.path, "gemini-2.5-flash:streamGenerateContent") || !strings.Contains(f.path, "alt=sse") {
		t.Errorf("path = %s", f.path)
	}
	contents := f.last["contents"].([]any)
	si := f.last["systemInstruction"].(map[string]any)
	if len(contents) != 3 || contents[1].(map[string]any)["role"] != "model" || si["parts"].([]any)[0].(map[string]any)["text"] != "be brief" {
		t.Errorf("contents %v system %v", contents, si)
	}
	if gc, _ := f.last["generationConfig"].(map[string]any); gc["maxOutputTokens"] != float64(64) {
		t.Errorf("generationConfig = %v", f.last["generationConfig"])
	}
}

func TestModelsAndEmbeddings(t *testing.T) {
	p, _ := setup(t)
	ms, err := p.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != "gemini-2.5-flash" || ms[0].Name != "Gemini 2.5 Flash" {
		t.Fatalf("models = %+v", ms)
	}
	vecs, err := p.Embed(context.Background(), "text-embedding-004", []string{"a", "b"})
	if err != nil || len(vecs) != 2 || vecs[0][1] != -0.25 || vecs[1][1] != 2 {
		t.Fatalf("embed = %v %v", vecs, err)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		mode string
		kind llm.ErrorKind
		want string
	}{
		{"badkey", llm.KindInvalidKey, "Gemini rejected the API key"},
		{"429", llm.KindRateLimited, "retry in 31s"},
		{"503", llm.KindOutage, "having problems"},
		{"garbage", llm.KindMalformed, "could not read"},
		{"drop", llm.KindNetwork, "cannot reach Gemini"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			p, f := setup(t)
			f.mode = tc.mode
			_, err := p.Stream(context.Background(), llm.Request{Model: "gemini-2.5-flash", Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}},
				func(string) error { return nil })
			var pe *llm.ProviderError
			if !errors.As(err, &pe) || pe.Kind != tc.kind || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (%#v), want kind %s with %q", err, pe, tc.kind, tc.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatalf("the key leaks: %v", err)
			}
			if tc.mode == "429" && pe.RetryAfter != 31*time.Second {
				t.Errorf("retry after = %v", pe.RetryAfter)
			}
		})
	}
}

func TestCancelMidStream(t *testing.T) {
	p, f := setup(t)
	f.mode = "slow"
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	_, err := p.Stream(ctx, llm.Request{Model: "gemini-2.5-flash", Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}},
		func(string) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}
