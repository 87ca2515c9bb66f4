package anthropic

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

// toolEvents is a recorded-shape Messages stream: a thinking block, a
// text block and a tool_use block whose input arrives as partial JSON.
var toolEvents = [][2]string{
	{"message_start", `{"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":400,"output_tokens":1}}}`},
	{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`},
	{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants weather."}}`},
	{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}`},
	{"content_block_stop", `{"type":"content_block_stop","index":0}`},
	{"content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`},
	{"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Checking."}}`},
	{"content_block_stop", `{"type":"content_block_stop","index":1}`},
	{"content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{}}}`},
	{"content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}`},
	{"content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}`},
	{"content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"is\"}"}}`},
	{"content_block_stop", `{"type":"content_block_stop","index":2}`},
	{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}`},
	{"message_stop", `{"type":"message_stop"}`},
}

func TestToolUseAndThinking(t *testing.T) {
	var sent map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &sent)
		w.Header().Set("Content-Type", "text/event-stream")
		for _, e := range toolEvents {
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e[0], e[1])
		}
	}))
	defer srv.Close()
	p, err := New(Config{APIKey: key, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	req := llm.Request{Model: "claude-sonnet-4-5", MaxTokens: 500, Think: true,
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: "be brief"},
			{Role: llm.RoleUser, Content: "weather in Oslo and Rome?"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "toolu_1", Name: "get_weather", Arguments: `{"city":"Oslo"}`}, {ID: "toolu_2", Name: "get_weather", Arguments: `{"city":"Rome"}`}}},
			{Role: llm.RoleTool, ToolCallID: "toolu_1", Content: "rain"},
			{Role: llm.RoleTool, ToolCallID: "toolu_2", Content: "sun"},
		},
		Tools:      []llm.Tool{{Name: "get_weather", Description: "Weather now", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`)}},
		ToolChoice: llm.ToolChoice{Mode: llm.ToolRequired},
	}
	text, thinking := "", ""
	var calls []llm.ToolCall
	u, err := p.StreamEvents(context.Background(), req, func(ev llm.Event) error {
		switch ev.Kind {
		case llm.EventText:
			text += ev.Text
		case llm.EventThinking:
			thinking += ev.Text
		case llm.EventToolCall:
			if ev.Call.ID != "" {
				calls = append(calls, ev.Call)
			} else {
				calls[ev.Index].Arguments += ev.Call.Arguments
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if text != "Checking." || thinking != "The user wants weather." || u.PromptTokens != 400 || u.CompletionTokens != 89 {
		t.Fatalf("text %q thinking %q usage %+v", text, thinking, u)
	}
	if len(calls) != 1 || calls[0].ID != "toolu_01A" || calls[0].Name != "get_weather" || calls[0].Arguments != `{"city": "Paris"}` {
		t.Fatalf("calls %+v", calls)
	}
	tools := sent["tools"].([]any)
	schema := tools[0].(map[string]any)["input_schema"].(map[string]any)
	if schema["type"] != "object" || schema["additionalProperties"] != false || fmt.Sprint(schema["required"]) != "[city]" || schema["properties"] == nil {
		t.Errorf("input_schema sent: %v", schema)
	}
	if tc := sent["tool_choice"].(map[string]any); tc["type"] != "any" {
		t.Errorf("tool_choice sent: %v", tc)
	}
	if th := sent["thinking"].(map[string]any); th["type"] != "enabled" || th["budget_tokens"] != float64(thinkingBudget) || sent["max_tokens"] != float64(500+thinkingBudget) {
		t.Errorf("thinking %v max_tokens %v", th, sent["max_tokens"])
	}
	msgs := sent["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("messages sent: %v", msgs)
	}
	use := msgs[1].(map[string]any)["content"].([]any)
	if len(use) != 2 || use[0].(map[string]any)["type"] != "tool_use" || use[1].(map[string]any)["input"].(map[string]any)["city"] != "Rome" {
		t.Errorf("tool_use blocks sent: %v", use)
	}
	results := msgs[2].(map[string]any)
	rb := results["content"].([]any)
	if results["role"] != "user" || len(rb) != 2 || rb[0].(map[string]any)["type"] != "tool_result" || rb[1].(map[string]any)["tool_use_id"] != "toolu_2" {
		t.Errorf("tool results sent: %v", results)
	}
}
