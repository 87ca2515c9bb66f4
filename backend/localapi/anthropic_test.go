package localapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	anth "github.com/anthropics/anthropic-sdk-go"
	anthopt "github.com/anthropics/anthropic-sdk-go/option"
)

// The official Anthropic Go SDK against the real server: a streamed tool
// round trip with a system prompt, as Claude Code does it.
func TestAnthropicClientToolRoundTrip(t *testing.T) {
	e := start(t, Config{})
	c := anth.NewClient(anthopt.WithBaseURL(e.url), anthopt.WithAPIKey(e.token), anthopt.WithMaxRetries(0),
		anthopt.WithHeader("anthropic-beta", "interleaved-thinking-2025-05-14"))
	ctx := context.Background()
	tool := anth.ToolParam{Name: "get_weather", Description: anth.String("Weather now"),
		InputSchema: anth.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}}}
	params := anth.MessageNewParams{
		Model: "echo/echo", MaxTokens: 32000,
		System:   []anth.TextBlockParam{{Text: "You are terse."}},
		Messages: []anth.MessageParam{anth.NewUserMessage(anth.NewTextBlock("call get_weather {\"city\":\"Paris\"}"))},
		Tools:    []anth.ToolUnionParam{{OfTool: &tool}},
		Thinking: anth.ThinkingConfigParamOfEnabled(1024),
		Metadata: anth.MetadataParam{UserID: anth.String("u1")},
	}
	stream := c.Messages.NewStreaming(ctx, params)
	msg := anth.Message{}
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if msg.StopReason != anth.StopReasonToolUse || len(msg.Content) != 2 {
		t.Fatalf("message %+v", msg)
	}
	if th := msg.Content[0].AsThinking(); th.Thinking != "The user wrote 3 words." {
		t.Fatalf("thinking block %+v", msg.Content[0])
	}
	use := msg.Content[1].AsToolUse()
	if use.Name != "get_weather" || use.ID != "call_echo_1" || string(use.Input) != `{"city":"Paris"}` {
		t.Fatalf("tool_use %+v input %s", use, use.Input)
	}
	// The result goes back; the answer is text, not streamed.
	params.Messages = append(params.Messages, msg.ToParam(),
		anth.NewUserMessage(anth.NewToolResultBlock(use.ID, "sunny", false)))
	params.Thinking = anth.ThinkingConfigParamUnion{}
	params.MaxTokens = 1000 // the SDK streams anything larger
	res, err := c.Messages.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if res.StopReason != anth.StopReasonEndTurn || res.Content[0].Text != "Echo: get_weather returned: sunny" || res.Usage.OutputTokens != 4 {
		t.Fatalf("answer %+v", res)
	}
	n, err := c.Messages.CountTokens(ctx, anth.MessageCountTokensParams{Model: "echo/echo",
		Messages: []anth.MessageParam{anth.NewUserMessage(anth.NewTextBlock("twelve bytes"))}})
	if err != nil || n.InputTokens != 3 {
		t.Fatalf("count tokens %+v %v", n, err)
	}
	// Errors come in Anthropic's shape, which the SDK reads.
	_, err = c.Messages.New(ctx, anth.MessageNewParams{Model: "nope/x", MaxTokens: 10, Messages: params.Messages[:1]})
	var apiErr *anth.Error
	if !asErr(err, &apiErr) || apiErr.StatusCode != 404 || !strings.Contains(apiErr.RawJSON(), `"type":"not_found_error"`) {
		t.Fatalf("unknown model: %v", err)
	}
}

// What Claude Code sends that a strict reading would refuse.
func TestAnthropicLenientForClaudeCode(t *testing.T) {
	e := start(t, Config{})
	body := `{"model":"echo/echo","max_tokens":32000,"stream":false,
		"system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],
		"messages":[{"role":"system","content":"extra system"},{"role":"user","content":[{"type":"text","text":"hi there","cache_control":{"type":"ephemeral"}}]}],
		"tools":[{"name":"Bash","description":"run","input_schema":{"type":"object","properties":{"command":{"type":"string"}},"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"},"cache_control":{"type":"ephemeral"}},
			{"type":"web_search_20250305","name":"web_search","max_uses":5}],
		"thinking":{"type":"enabled","budget_tokens":31999},"context_management":{"edits":[]},"output_config":{"effort":"high"},"metadata":{"user_id":"x"},"temperature":1}`
	r := e.do(t, "POST", "/v1/messages", body, map[string]string{"Authorization": "", "X-API-Key": e.token, "anthropic-version": "2023-06-01", "anthropic-beta": "claude-code-20250219"})
	var m struct {
		Content []struct{ Type, Text string } `json:"content"`
	}
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || r.StatusCode != 200 {
		t.Fatalf("%d %v", r.StatusCode, err)
	}
	if len(m.Content) != 2 || m.Content[1].Text != "Echo: hi there" {
		t.Fatalf("content %+v", m.Content)
	}
	for _, bad := range []string{
		`{"model":"echo/echo","max_tokens":10,"messages":[{"role":"user","content":5}]}`,
		`{"model":"echo/echo","max_tokens":"ten","messages":[]}`,
		`{"model":"echo/echo","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{}}]}]}`,
		`{"model":"echo/echo","max_tokens":10,"temperature":1.5,"messages":[{"role":"user","content":"x"}]}`,
	} {
		r := e.do(t, "POST", "/v1/messages", bad, nil)
		var eb struct {
			Type  string `json:"type"`
			Error struct{ Type, Message string }
		}
		json.NewDecoder(r.Body).Decode(&eb)
		if r.StatusCode != 400 || eb.Type != "error" || eb.Error.Type != "invalid_request_error" || eb.Error.Message == "" {
			t.Errorf("%s: %d %+v", bad, r.StatusCode, eb)
		}
	}
}
