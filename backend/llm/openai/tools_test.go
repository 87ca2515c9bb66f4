package openai

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

// toolStream is what OpenAI streams for two parallel tool calls (recorded
// shape: the first chunk of each call has id, type and name; arguments
// follow in pieces), preceded by reasoning_content as compatible servers
// send it.
var toolStream = []string{
	`{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"Need weather."},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_def","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}`,
	`{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":80,"completion_tokens":30,"total_tokens":110}}`,
}

func TestToolCallsBothWays(t *testing.T) {
	var sent map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &sent)
		w.Header().Set("Content-Type", "text/event-stream")
		for _, c := range toolStream {
			fmt.Fprintf(w, "data: %s\n\n", c)
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()
	p, err := New(Config{APIKey: key, BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	req := llm.Request{Model: "gpt-4o",
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: "weather?"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Oslo"}`}}},
			{Role: llm.RoleTool, ToolCallID: "call_1", ToolName: "get_weather", Content: "rain"},
		},
		Tools:      []llm.Tool{{Name: "get_weather", Description: "Weather now", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}, {Name: "get_time"}},
		ToolChoice: llm.ToolChoice{Mode: llm.ToolNamed, Name: "get_weather"},
		NoParallel: true,
	}
	var calls []llm.ToolCall
	thinking := ""
	u, err := p.StreamEvents(context.Background(), req, func(ev llm.Event) error {
		switch ev.Kind {
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
	want := []llm.ToolCall{{ID: "call_abc", Name: "get_weather", Arguments: `{"city":"Paris"}`}, {ID: "call_def", Name: "get_time", Arguments: "{}"}}
	if fmt.Sprint(calls) != fmt.Sprint(want) || thinking != "Need weather." || u.PromptTokens != 80 {
		t.Fatalf("calls %+v thinking %q usage %+v", calls, thinking, u)
	}
	// What went out: tools with their schema, the named choice, the
	// earlier call and its result.
	tools := sent["tools"].([]any)
	fn := tools[0].(map[string]any)["function"].(map[string]any)
	if len(tools) != 2 || fn["name"] != "get_weather" || fn["description"] != "Weather now" || fn["parameters"].(map[string]any)["required"] == nil {
		t.Errorf("tools sent: %v", tools)
	}
	if empty := tools[1].(map[string]any)["function"].(map[string]any)["parameters"].(map[string]any); empty["type"] != "object" {
		t.Errorf("a tool without parameters is sent as %v", empty)
	}
	if tc := sent["tool_choice"].(map[string]any); tc["type"] != "function" || tc["function"].(map[string]any)["name"] != "get_weather" {
		t.Errorf("tool_choice sent: %v", sent["tool_choice"])
	}
	if sent["parallel_tool_calls"] != false {
		t.Errorf("parallel_tool_calls sent: %v", sent["parallel_tool_calls"])
	}
	msgs := sent["messages"].([]any)
	a, tm := msgs[1].(map[string]any), msgs[2].(map[string]any)
	call := a["tool_calls"].([]any)[0].(map[string]any)
	if call["id"] != "call_1" || call["function"].(map[string]any)["arguments"] != `{"city":"Oslo"}` {
		t.Errorf("assistant call sent: %v", a)
	}
	if tm["role"] != "tool" || tm["tool_call_id"] != "call_1" || tm["content"] != "rain" {
		t.Errorf("tool result sent: %v", tm)
	}
}
