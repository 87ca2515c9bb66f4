package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"sidecar/backend/llm"
	"sidecar/backend/llm/openai"
)

// A chat's system prompt and sampling reach a cloud provider's wire: an
// OpenAI-format server on loopback records the request.
func TestChatSettingsReachACloudProvider(t *testing.T) {
	var mu sync.Mutex
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		json.Unmarshal(b, &got)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		for _, chunk := range []string{
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Aye"},"finish_reason":null}]}`,
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
			`[DONE]`,
		} {
			fmt.Fprintf(w, "data: %s\n\n", chunk)
		}
	}))
	defer srv.Close()
	p, err := openai.New(openai.Config{APIKey: "sk-test", BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	events := newRecorder()
	s := newService(db, events, &llm.Echo{}, p)
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "openai/gpt-4o"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetChatSettings(ctx, c.ID, ChatSettings{SystemPrompt: "Talk like a pirate.", Temperature: fptr(0.4), TopP: fptr(0.9), MaxTokens: 120}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendMessage(ctx, c.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	if done := events.waitDone(t, c.ID); done.Message.Content != "Aye" || done.Message.Status != "done" {
		t.Fatalf("answer = %+v", done.Message)
	}
	mu.Lock()
	defer mu.Unlock()
	msgs, _ := got["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages = %v", got["messages"])
	}
	first, _ := msgs[0].(map[string]any)
	if first["role"] != "system" || first["content"] != "Talk like a pirate." {
		t.Errorf("first message = %v", first)
	}
	if got["temperature"] != 0.4 || got["top_p"] != 0.9 || (got["max_tokens"] != 120.0 && got["max_completion_tokens"] != 120.0) {
		t.Errorf("sampling = temperature %v top_p %v max_tokens %v max_completion_tokens %v", got["temperature"], got["top_p"], got["max_tokens"], got["max_completion_tokens"])
	}
}
