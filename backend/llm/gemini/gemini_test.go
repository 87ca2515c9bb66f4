package gemini

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"sidecar/backend/llm"
	"sidecar/backend/llm/llmtest"
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
	case "401":
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}`)
		return
	case "500":
		w.WriteHeader(500)
		io.WriteString(w, `{"error":{"code":500,"message":"An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting","status":"INTERNAL"}}`)
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

// TestConformance runs the suite every provider passes, with Gemini's own
// failures: an invalid key (400 API_KEY_INVALID) or credentials (401),
// quota (429 with its retry delay), server errors and overload, a
// garbled stream and a dropped connection.
func TestConformance(t *testing.T) {
	llmtest.Run(t, target, llmtest.Options{
		Want: "Hello there", Pieces: 2, Usage: llm.Usage{PromptTokens: 8, CompletionTokens: 3}, Secret: key,
		Errors: []llmtest.ErrorCase{
			{Mode: "badkey", Kind: llm.KindInvalidKey, Says: "Gemini rejected the API key"},
			{Mode: "401", Kind: llm.KindInvalidKey, Says: "Gemini rejected the API key (401)"},
			{Mode: "429", Kind: llm.KindRateLimited, Says: "retry in 31s", RetryAfter: 31 * time.Second},
			{Mode: "500", Kind: llm.KindOutage, Says: "having problems"},
			{Mode: "503", Kind: llm.KindOutage, Says: "having problems"},
			{Mode: "garbage", Kind: llm.KindMalformed, Says: "could not read"},
			{Mode: "drop", Kind: llm.KindNetwork, Says: "cannot reach Gemini"},
		},
	})
}

func target(t *testing.T) llmtest.Target {
	p, f := setup(t)
	return llmtest.Target{Provider: p, Model: "gemini-2.5-flash", Mode: func(m string) { f.mu.Lock(); f.mode = m; f.mu.Unlock() }}
}
