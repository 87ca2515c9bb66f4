package gemini

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"sidecar/backend/llm"
)

func TestFunctionCallsAndThoughts(t *testing.T) {
	var sent map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &sent)
		w.Header().Set("Content-Type", "text/event-stream")
		for _, d := range []string{
			`{"candidates":[{"content":{"parts":[{"text":"**Weather** lookup","thought":true}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash"}`,
			`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"CiIB"},{"functionCall":{"name":"get_time"}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":12,"totalTokenCount":72},"modelVersion":"gemini-2.5-flash"}`,
		} {
			fmt.Fprintf(w, "data: %s\r\n\r\n", d)
		}
	}))
	defer srv.Close()
	p, err := New(Config{APIKey: key, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	req := llm.Request{Model: "gemini-2.5-flash", Think: true,
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: "weather?"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c1", Name: "get_weather", Arguments: `{"city":"Oslo"}`}}},
			{Role: llm.RoleTool, ToolCallID: "c1", Content: "rain"},
		},
		Tools:      []llm.Tool{{Name: "get_weather", Description: "Weather now", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}, {Name: "get_time"}},
		ToolChoice: llm.ToolChoice{Mode: llm.ToolNamed, Name: "get_weather"},
	}
	thinking := ""
	var calls []llm.ToolCall
	u, err := p.StreamEvents(context.Background(), req, func(ev llm.Event) error {
		switch ev.Kind {
		case llm.EventThinking:
			thinking += ev.Text
		case llm.EventToolCall:
			if ev.Index != len(calls) || ev.Call.ID == "" {
				t.Fatalf("call event %+v after %d calls", ev, len(calls))
			}
			calls = append(calls, ev.Call)
		case llm.EventText:
			t.Fatalf("unexpected text %q", ev.Text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if thinking != "**Weather** lookup" || u.PromptTokens != 60 || len(calls) != 2 {
		t.Fatalf("thinking %q usage %+v calls %+v", thinking, u, calls)
	}
	if calls[0].Name != "get_weather" || calls[0].Arguments != `{"city":"Paris"}` || calls[1].Arguments != "{}" || calls[0].ID == calls[1].ID {
		t.Fatalf("calls %+v", calls)
	}
	decl := sent["tools"].([]any)[0].(map[string]any)["functionDeclarations"].([]any)[0].(map[string]any)
	if decl["name"] != "get_weather" || decl["parametersJsonSchema"].(map[string]any)["properties"] == nil {
		t.Errorf("declaration sent: %v", decl)
	}
	fc := sent["toolConfig"].(map[string]any)["functionCallingConfig"].(map[string]any)
	if fc["mode"] != "ANY" || fmt.Sprint(fc["allowedFunctionNames"]) != "[get_weather]" {
		t.Errorf("function calling config sent: %v", fc)
	}
	gc, _ := sent["generationConfig"].(map[string]any)
	if th, _ := gc["thinkingConfig"].(map[string]any); th["includeThoughts"] != true {
		t.Errorf("generation config sent: %v", gc)
	}
	contents := sent["contents"].([]any)
	call := contents[1].(map[string]any)["parts"].([]any)[0].(map[string]any)["functionCall"].(map[string]any)
	resp := contents[2].(map[string]any)["parts"].([]any)[0].(map[string]any)["functionResponse"].(map[string]any)
	if call["name"] != "get_weather" || call["args"].(map[string]any)["city"] != "Oslo" {
		t.Errorf("function call sent: %v", call)
	}
	if resp["name"] != "get_weather" || resp["response"].(map[string]any)["output"] != "rain" {
		t.Errorf("function response sent: %v", resp)
	}
}
