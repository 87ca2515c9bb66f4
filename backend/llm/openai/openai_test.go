package openai

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
	"sidecar/backend/llm/llmtest"
)

const key = "sk-test-0123456789abcdefWXYZ"

// fake speaks OpenAI's wire format; mode picks a failure to show.
type fake struct {
	mu   sync.Mutex
	mode string
	last map[string]any
	auth string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.auth = r.Header.Get("Authorization")
	body, _ := io.ReadAll(r.Body)
	f.last = nil
	json.Unmarshal(body, &f.last)
	mode := f.mode
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch mode {
	case "401":
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s. You can find your API key at https://platform.openai.com.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, key)
		return
	case "429":
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(429)
		io.WriteString(w, `{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
		return
	case "500":
		w.WriteHeader(500)
		io.WriteString(w, `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`)
		return
	case "context":
		w.WriteHeader(400)
		io.WriteString(w, `{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`)
		return
	}
	switch r.URL.Path {
	case "/v1/models":
		io.WriteString(w, `{"object":"list","data":[{"id":"gpt-4o","object":"model","created":1715367049,"owned_by":"system"},{"id":"text-embedding-3-small","object":"model","created":1705948997,"owned_by":"system"},{"id":"whisper-1","object":"model","created":1677532384,"owned_by":"openai-internal"},{"id":"o3-mini","object":"model","created":1737146383,"owned_by":"system"}]}`)
	case "/v1/embeddings":
		io.WriteString(w, `{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,-0.25]},{"object":"embedding","index":0,"embedding":[0.125,1]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}`)
	case "/v1/chat/completions":
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		chunk := func(s string) { fmt.Fprintf(w, "data: %s\n\n", s); fl.Flush() }
		chunk(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`)
		chunk(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}`)
		switch mode {
		case "garbage":
			chunk(`{"id":"chatcmpl-1","choices":[{"delta":{"content":`)
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
		chunk(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}],"usage":null}`)
		chunk(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`)
		chunk(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}`)
		io.WriteString(w, "data: [DONE]\n\n")
	default:
		http.NotFound(w, r)
	}
}

func setup(t *testing.T) (*Provider, *fake) {
	t.Helper()
	f := &fake{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	p, err := New(Config{APIKey: key, BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	p.cfg.BaseURL = "" // behave as the official endpoint (model filter, max_completion_tokens)
	return p, f
}

func TestStreamAndRequestShape(t *testing.T) {
	p, f := setup(t)
	temp := 0.3
	var pieces []string
	u, err := p.Stream(context.Background(), llm.Request{
		Model:       "gpt-4o",
		Messages:    []llm.Message{{Role: llm.RoleSystem, Content: "be brief"}, {Role: llm.RoleUser, Content: "hi"}, {Role: llm.RoleAssistant, Content: "yo"}, {Role: llm.RoleUser, Content: "again"}},
		MaxTokens:   50,
		Temperature: &temp,
		Stop:        []string{"\n\n"},
	}, func(s string) error { pieces = append(pieces, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pieces, "|") != "Hello| there" || u.PromptTokens != 12 || u.CompletionTokens != 2 {
		t.Fatalf("pieces %q usage %+v", pieces, u)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.auth != "Bearer "+key {
		t.Errorf("auth header %q", f.auth)
	}
	msgs := f.last["messages"].([]any)
	if len(msgs) != 4 || msgs[0].(map[string]any)["role"] != "system" || msgs[2].(map[string]any)["role"] != "assistant" {
		t.Errorf("messages = %v", msgs)
	}
	if f.last["model"] != "gpt-4o" || f.last["stream"] != true || f.last["max_completion_tokens"] != float64(50) || f.last["temperature"] != 0.3 {
		t.Errorf("request = %v", f.last)
	}
	if so, _ := f.last["stream_options"].(map[string]any); so["include_usage"] != true {
		t.Errorf("stream_options = %v", f.last["stream_options"])
	}
}

func TestModelsAndEmbeddings(t *testing.T) {
	p, _ := setup(t)
	ms, err := p.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "gpt-4o,o3-mini" {
		t.Fatalf("chat models = %v", ids)
	}
	if err := p.CheckKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	vecs, err := p.Embed(context.Background(), "text-embedding-3-small", []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || vecs[0][0] != 0.125 || vecs[1][1] != -0.25 {
		t.Fatalf("vectors (reordered by index) = %v", vecs)
	}
}

// TestConformance runs the suite every provider passes, with OpenAI's
// own failures: a bad key (whose body quotes the key), rate limits,
// outages, a too-long conversation, a garbled stream and a dropped
// connection.
func TestConformance(t *testing.T) {
	llmtest.Run(t, target, llmtest.Options{
		Want: "Hello there", Pieces: 2, Usage: llm.Usage{PromptTokens: 12, CompletionTokens: 2}, Secret: key,
		Errors: []llmtest.ErrorCase{
			{Mode: "401", Kind: llm.KindInvalidKey, Says: "OpenAI rejected the API key (401)"},
			{Mode: "429", Kind: llm.KindRateLimited, Says: "retry in 20s", RetryAfter: 20 * time.Second},
			{Mode: "500", Kind: llm.KindOutage, Says: "OpenAI is having problems"},
			{Mode: "context", Kind: llm.KindContextTooLong, Says: "too long", Is: llm.ErrContextTooLong},
			{Mode: "garbage", Kind: llm.KindMalformed, Says: "could not read"},
			{Mode: "drop", Kind: llm.KindNetwork, Says: "cannot reach OpenAI", Before: "Hello"},
		},
	})
	p, f := setup(t)
	f.mode = "401"
	if err := p.CheckKey(context.Background()); err == nil || strings.Contains(err.Error(), key) {
		t.Fatalf("check key: %v", err)
	}
}

func target(t *testing.T) llmtest.Target {
	p, f := setup(t)
	return llmtest.Target{Provider: p, Model: "gpt-4o", Mode: func(m string) { f.mu.Lock(); f.mode = m; f.mu.Unlock() }}
}

func TestNetworkDown(t *testing.T) {
	p, err := New(Config{APIKey: key, BaseURL: "http://127.0.0.1:1/v1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Models(context.Background())
	var pe *llm.ProviderError
	if !errors.As(err, &pe) || pe.Kind != llm.KindNetwork {
		t.Fatalf("err = %v", err)
	}
}
