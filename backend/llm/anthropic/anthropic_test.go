package anthropic

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

const key = "sk-ant-api03-0123456789abcdefWXYZ"

// fake speaks the Messages API's wire format, SSE events included.
type fake struct {
	mu   sync.Mutex
	mode string
	last map[string]any
	hdr  http.Header
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hdr = r.Header.Clone()
	body, _ := io.ReadAll(r.Body)
	f.last = nil
	json.Unmarshal(body, &f.last)
	mode := f.mode
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch mode {
	case "401":
		w.WriteHeader(401)
		io.WriteString(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
		return
	case "429":
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(429)
		io.WriteString(w, `{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`)
		return
	case "500":
		w.WriteHeader(500)
		io.WriteString(w, `{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`)
		return
	case "529":
		w.WriteHeader(529)
		io.WriteString(w, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
		return
	case "context":
		w.WriteHeader(400)
		io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}`)
		return
	}
	switch r.URL.Path {
	case "/v1/models":
		io.WriteString(w, `{"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},{"type":"model","id":"claude-haiku-4-5","display_name":"Claude Haiku 4.5","created_at":"2025-10-01T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5","last_id":"claude-haiku-4-5"}`)
	case "/v1/messages":
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		ev := func(name, data string) { fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); fl.Flush() }
		ev("message_start", `{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}`)
		ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
		ev("ping", `{"type": "ping"}`)
		ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`)
		switch mode {
		case "garbage":
			ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`)
			return
		case "drop":
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		case "overloaded-mid-stream":
			ev("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
			return
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		}
		ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}`)
		ev("content_block_stop", `{"type":"content_block_stop","index":0}`)
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`)
		ev("message_stop", `{"type":"message_stop"}`)
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
	temp := 1.7
	var pieces []string
	u, err := p.Stream(context.Background(), llm.Request{
		Model:       "claude-sonnet-4-5",
		Messages:    []llm.Message{{Role: llm.RoleSystem, Content: "be brief"}, {Role: llm.RoleUser, Content: "hi"}, {Role: llm.RoleAssistant, Content: "yo"}, {Role: llm.RoleUser, Content: "again"}},
		Temperature: &temp,
		Stop:        []string{"END"},
	}, func(s string) error { pieces = append(pieces, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pieces, "|") != "Hello| there" || u.PromptTokens != 25 || u.CompletionTokens != 15 {
		t.Fatalf("pieces %q usage %+v", pieces, u)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hdr.Get("X-Api-Key") != key || f.hdr.Get("Anthropic-Version") == "" {
		t.Errorf("headers %v", f.hdr)
	}
	sys := f.last["system"].([]any)
	msgs := f.last["messages"].([]any)
	if len(sys) != 1 || sys[0].(map[string]any)["text"] != "be brief" || len(msgs) != 3 || msgs[0].(map[string]any)["role"] != "user" {
		t.Errorf("system %v messages %v: the system prompt must go apart", sys, msgs)
	}
	if f.last["max_tokens"] != float64(DefaultMaxTokens) || f.last["stream"] != true || f.last["temperature"] != 1.0 {
		t.Errorf("request = %v", f.last)
	}
}

// Claude models refuse temperature with top_p: a request with both (a
// chat's settings can have both) sends temperature only; top_p alone goes.
func TestTemperatureOrTopP(t *testing.T) {
	p, f := setup(t)
	temp, topP := 0.3, 0.8
	send := func(req llm.Request) map[string]any {
		t.Helper()
		req.Model, req.Messages = "claude-sonnet-4-5", []llm.Message{{Role: llm.RoleUser, Content: "hi"}}
		if _, err := p.Stream(context.Background(), req, func(string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.last
	}
	if got := send(llm.Request{Temperature: &temp, TopP: &topP}); got["temperature"] != 0.3 || got["top_p"] != nil {
		t.Errorf("both set: temperature %v top_p %v", got["temperature"], got["top_p"])
	}
	if got := send(llm.Request{TopP: &topP}); got["top_p"] != 0.8 || got["temperature"] != nil {
		t.Errorf("top-p alone: temperature %v top_p %v", got["temperature"], got["top_p"])
	}
}

func TestModels(t *testing.T) {
	p, _ := setup(t)
	ms, err := p.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].ID != "claude-sonnet-4-5" || ms[0].Name != "Claude Sonnet 4.5" {
		t.Fatalf("models = %+v", ms)
	}
	if err := p.CheckKey(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestConformance runs the suite every provider passes, with Anthropic's
// own failures: a bad key, rate limits, server errors and overload (also
// announced mid-stream), a too-long prompt, a garbled stream and a
// dropped connection.
func TestConformance(t *testing.T) {
	llmtest.Run(t, target, llmtest.Options{
		Want: "Hello there", Pieces: 2, Usage: llm.Usage{PromptTokens: 25, CompletionTokens: 15}, Secret: key,
		Errors: []llmtest.ErrorCase{
			{Mode: "401", Kind: llm.KindInvalidKey, Says: "Anthropic rejected the API key (401)"},
			{Mode: "429", Kind: llm.KindRateLimited, Says: "retry in 7s", RetryAfter: 7 * time.Second},
			{Mode: "500", Kind: llm.KindOutage, Says: "having problems"},
			{Mode: "529", Kind: llm.KindOutage, Says: "having problems"},
			{Mode: "context", Kind: llm.KindContextTooLong, Says: "too long"},
			{Mode: "garbage", Kind: llm.KindMalformed, Says: "could not read"},
			{Mode: "drop", Kind: llm.KindNetwork, Says: "cannot reach Anthropic"},
			{Mode: "overloaded-mid-stream", Kind: llm.KindOutage, Says: "having problems"},
		},
	})
}

func target(t *testing.T) llmtest.Target {
	p, f := setup(t)
	return llmtest.Target{Provider: p, Model: "claude-sonnet-4-5", Mode: func(m string) { f.mu.Lock(); f.mode = m; f.mu.Unlock() }}
}
