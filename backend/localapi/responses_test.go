package localapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/responses"
)

// The official client's Responses API against the real server: a
// streamed function call, then its output sent back, statelessly.
func TestResponsesFunctionCallRoundTrip(t *testing.T) {
	e := start(t, Config{})
	c := client(e)
	ctx := context.Background()
	input := responses.ResponseInputParam{
		responses.ResponseInputItemParamOfMessage("call shell {\"command\":[\"ls\"]}", responses.EasyInputMessageRoleUser),
	}
	params := responses.ResponseNewParams{
		Model:        "echo/echo",
		Instructions: openai.String("You are a coding agent."),
		Input:        responses.ResponseNewParamsInputUnion{OfInputItemList: input},
		Tools:        []responses.ToolUnionParam{responses.ToolParamOfFunction("shell", map[string]any{"type": "object", "properties": map[string]any{"command": map[string]any{"type": "array"}}}, false)},
		Store:        openai.Bool(false),
	}
	stream := c.Responses.NewStreaming(ctx, params)
	var types []string
	var args string
	var done responses.Response
	for stream.Next() {
		ev := stream.Current()
		types = append(types, ev.Type)
		switch ev.Type {
		case "response.function_call_arguments.delta":
			args += ev.Delta.OfString
		case "response.completed":
			done = ev.Response
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	want := "response.created response.in_progress response.output_item.added response.function_call_arguments.delta response.function_call_arguments.delta response.function_call_arguments.done response.output_item.done response.completed"
	if strings.Join(types, " ") != want {
		t.Fatalf("events %v", types)
	}
	if args != `{"command":["ls"]}` || len(done.Output) != 1 || done.Status != "completed" {
		t.Fatalf("args %q response %+v", args, done)
	}
	call := done.Output[0].AsFunctionCall()
	if call.Name != "shell" || call.CallID != "call_echo_1" || call.Arguments != args {
		t.Fatalf("call %+v", call)
	}
	// The whole conversation goes back with the call's output.
	params.Input.OfInputItemList = append(input,
		responses.ResponseInputItemParamOfFunctionCall(call.Arguments, call.CallID, call.Name),
		responses.ResponseInputItemParamOfFunctionCallOutput(call.CallID, "main.go"))
	res, err := c.Responses.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if res.OutputText() != "Echo: shell returned: main.go" || res.Usage.OutputTokens != 4 {
		t.Fatalf("answer %q usage %+v", res.OutputText(), res.Usage)
	}
}

// What Codex sends that a strict reading would refuse.
func TestResponsesLenientForCodex(t *testing.T) {
	e := start(t, Config{})
	body := `{"model":"echo/echo","instructions":"You are Codex.","stream":false,"store":false,
		"input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions>...</permissions>"}]},
			{"type":"message","role":"user","content":[{"type":"input_text","text":"hello codex"}]},
			{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"x"}],
		"tools":[{"type":"function","name":"shell","description":"run","strict":false,"parameters":{"type":"object","properties":{}}},{"type":"local_shell"},{"type":"web_search"},{"type":"custom","name":"apply_patch","format":{"type":"grammar"}}],
		"tool_choice":"auto","parallel_tool_calls":false,"reasoning":{"effort":"medium","summary":"auto"},
		"include":["reasoning.encrypted_content"],"prompt_cache_key":"abc","client_metadata":{"x":"y"},"text":{"verbosity":"medium"}}`
	r := e.do(t, "POST", "/v1/responses", body, nil)
	var res struct {
		Status string
		Output []struct {
			Type    string
			Summary []struct{ Text string }
			Content []struct{ Type, Text string }
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil || r.StatusCode != 200 {
		t.Fatalf("%d %v", r.StatusCode, err)
	}
	if len(res.Output) != 2 || res.Output[0].Type != "reasoning" || res.Output[1].Content[0].Text != "Echo: hello codex" {
		t.Fatalf("response %+v", res)
	}
	for _, bad := range []string{
		`{"model":"echo/echo","input":"x","previous_response_id":"resp_1"}`,
		`{"model":"echo/echo","input":[{"type":"message","role":"user","content":[{"type":"input_image","image_url":"x"}]}]}`,
		`{"model":"echo/echo","input":[{"type":"frobnicate"}]}`,
		`{"model":"echo/echo","input":5}`,
		`{"model":"echo/echo","input":"x","temperature":"hot"}`,
	} {
		r := e.do(t, "POST", "/v1/responses", bad, nil)
		if r.StatusCode != 400 {
			t.Errorf("%s: %d", bad, r.StatusCode)
		}
		errBody(t, r)
	}
}
