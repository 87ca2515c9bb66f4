package localapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/packages/param"
	"github.com/openai/openai-go/shared"
)

var weatherTool = openai.ChatCompletionToolParam{Function: shared.FunctionDefinitionParam{
	Name: "get_weather", Description: param.NewOpt("Weather now"),
	Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
}}

// A tool round trip through the official client, streamed and not.
func TestOpenAIClientToolCalls(t *testing.T) {
	e := start(t, Config{})
	c := client(e)
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{
		Model:    "echo/echo",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("call get_weather {\"city\":\"Paris\"}")},
		Tools:    []openai.ChatCompletionToolParam{weatherTool},
	}
	res, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	ch := res.Choices[0]
	if ch.FinishReason != "tool_calls" || len(ch.Message.ToolCalls) != 1 || ch.Message.Content != "" {
		t.Fatalf("choice %+v", ch)
	}
	call := ch.Message.ToolCalls[0]
	if call.ID != "call_echo_1" || call.Function.Name != "get_weather" || call.Function.Arguments != `{"city":"Paris"}` {
		t.Fatalf("call %+v", call)
	}

	stream := c.Chat.Completions.NewStreaming(ctx, params)
	acc := openai.ChatCompletionAccumulator{}
	var finished []openai.FinishedChatCompletionToolCall
	for stream.Next() {
		acc.AddChunk(stream.Current())
		if tc, ok := acc.JustFinishedToolCall(); ok {
			finished = append(finished, tc)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(finished) != 1 || finished[0].Name != "get_weather" || finished[0].Arguments != `{"city":"Paris"}` || acc.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("streamed calls %+v finish %q", finished, acc.Choices[0].FinishReason)
	}

	// The result goes back; the model answers in text.
	params.Messages = append(params.Messages, res.Choices[0].Message.ToParam(), openai.ToolMessage("sunny, 21 C", call.ID))
	res, err = c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Choices[0].Message.Content; got != "Echo: get_weather returned: sunny, 21 C" || res.Choices[0].FinishReason != "stop" {
		t.Fatalf("after the result: %q %q", got, res.Choices[0].FinishReason)
	}

	// tool_choice naming a tool that is not declared is refused.
	params.ToolChoice = openai.ChatCompletionToolChoiceOptionParamOfChatCompletionNamedToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "nope"})
	var apiErr *openai.Error
	if _, err := c.Chat.Completions.New(ctx, params); !asErr(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "nope") {
		t.Fatalf("unknown tool choice: %v", err)
	}
}

func TestChatReasoningContent(t *testing.T) {
	e := start(t, Config{})
	r := e.do(t, "POST", "/v1/chat/completions", `{"model":"echo/echo","reasoning_effort":"low","messages":[{"role":"user","content":"a b"}]}`, nil)
	var body struct {
		Choices []struct {
			Message struct {
				Content          string `json:"content"`
				ReasoningContent string `json:"reasoning_content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.StatusCode != 200 {
		t.Fatalf("%d %v", r.StatusCode, err)
	}
	if m := body.Choices[0].Message; m.ReasoningContent != "The user wrote 2 words." || m.Content != "Echo: a b" {
		t.Fatalf("message %+v", m)
	}
}
