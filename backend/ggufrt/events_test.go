package ggufrt

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/gguf"
	"sidecar/backend/ggufrt/ggufrttest"
	"sidecar/backend/llm"
	"sidecar/backend/models"
	"sidecar/backend/tokenizer"
	"sidecar/backend/toolparse"
)

// collected is what StreamEvents reported.
type collected struct {
	text, thinking string
	calls          []llm.ToolCall
	order          []llm.EventKind
}

func (c *collected) on(ev llm.Event) error {
	c.order = append(c.order, ev.Kind)
	switch ev.Kind {
	case llm.EventText:
		c.text += ev.Text
	case llm.EventThinking:
		c.thinking += ev.Text
	case llm.EventToolCall:
		if ev.Index == len(c.calls) {
			c.calls = append(c.calls, ev.Call)
		} else {
			c.calls[ev.Index].Arguments += ev.Call.Arguments
		}
	}
	return nil
}

var weatherTool = models.Tool{Name: "get_weather", Description: "Current weather in a city",
	Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string","description":"City name"}},"required":["city"]}`)}

// Tools reach a Qwen2.5 template (the prompt lists the schema), the
// model's <tool_call> answer comes back as a call, and the call and its
// result go back into the next prompt in the template's own shape.
func TestToolCallsThroughTheTemplate(t *testing.T) {
	var prompt string
	answer := "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>"
	m := qwenModel(t, "Qwen-Qwen2.5-7B-Instruct", func(p string) string { prompt = p; return answer })
	caps := m.Info().Capabilities
	if !caps.ToolCalls || caps.Thinking || !caps.FillInMiddle {
		t.Fatalf("capabilities %+v", caps)
	}
	es := m.(models.EventStreamer)
	p := models.Prompt{Messages: []llm.Message{{Role: llm.RoleUser, Content: "Weather in Paris?"}}, Tools: []models.Tool{weatherTool}}
	var c collected
	if _, err := es.StreamEvents(context.Background(), p, models.Sampling{MaxTokens: 100}, c.on); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Tools", "<tools>\n", `"name": "get_weather"`, `"description": "City name"`, "<|im_start|>assistant\n"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, prompt)
		}
	}
	if c.text != "" || len(c.calls) != 1 || c.calls[0].Name != "get_weather" || c.calls[0].Arguments != `{"city": "Paris"}` || c.calls[0].ID == "" {
		t.Fatalf("text %q calls %+v", c.text, c.calls)
	}
	// The round trip: the call and its result in the next prompt.
	p.Messages = append(p.Messages,
		llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: c.calls[0].ID, Name: "get_weather", Arguments: c.calls[0].Arguments}}},
		llm.Message{Role: llm.RoleTool, ToolCallID: c.calls[0].ID, ToolName: "get_weather", Content: "18 C, sunny"})
	answer = "It is 18 C and sunny in Paris.<|im_end|>"
	c = collected{}
	if _, err := es.StreamEvents(context.Background(), p, models.Sampling{MaxTokens: 100}, c.on); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", "<tool_response>\n18 C, sunny\n</tool_response>"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, prompt)
		}
	}
	if c.text != "It is 18 C and sunny in Paris." || c.calls != nil {
		t.Fatalf("text %q calls %+v", c.text, c.calls)
	}
	// Output that starts a call and breaks off is plain text, not a crash.
	answer = "<tool_call>\n{\"name\": \"get_weather\", \"argu<|im_end|>"
	c = collected{}
	if _, err := es.StreamEvents(context.Background(), p, models.Sampling{MaxTokens: 100}, c.on); err != nil {
		t.Fatal(err)
	}
	if c.text != "<tool_call>\n{\"name\": \"get_weather\", \"argu" || c.calls != nil {
		t.Fatalf("malformed call: text %q calls %+v", c.text, c.calls)
	}
	// Without tools, <tool_call> text is not read as a call.
	answer = "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>"
	c = collected{}
	if _, err := es.StreamEvents(context.Background(), models.Prompt{Messages: p.Messages[:1]}, models.Sampling{MaxTokens: 100}, c.on); err != nil {
		t.Fatal(err)
	}
	if c.text != answer || c.calls != nil || strings.Contains(prompt, "get_weather") {
		t.Fatalf("no tools: text %q calls %+v", c.text, c.calls)
	}
}

// A Qwen3 template: thinking is switched by enable_thinking, and the
// reasoning is reported apart from the answer.
func TestThinking(t *testing.T) {
	var prompt string
	answer := "<think>\nThe user wants the weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"
	m := qwenModel(t, "Qwen-Qwen3-0.6B", func(p string) string { prompt = p; return answer })
	if caps := m.Info().Capabilities; !caps.Thinking || !caps.ToolCalls {
		t.Fatalf("capabilities %+v", caps)
	}
	es := m.(models.EventStreamer)
	p := models.Prompt{Messages: []llm.Message{{Role: llm.RoleUser, Content: "Weather in Oslo?"}}, Tools: []models.Tool{weatherTool}, Think: true}
	var c collected
	if _, err := es.StreamEvents(context.Background(), p, models.Sampling{MaxTokens: 200}, c.on); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(prompt, "<think>") {
		t.Fatalf("thinking asked for, but the prompt closes it:\n%s", prompt)
	}
	if c.thinking != "\nThe user wants the weather.\n" || strings.TrimSpace(c.text) != "" || len(c.calls) != 1 || c.calls[0].Arguments != `{"city": "Oslo"}` {
		t.Fatalf("thinking %q text %q calls %+v", c.thinking, c.text, c.calls)
	}
	if c.order[0] != llm.EventThinking || c.order[len(c.order)-1] != llm.EventToolCall {
		t.Fatalf("event order %v", c.order)
	}
	p.Think = false
	answer = "Hello."
	c = collected{}
	if _, err := es.StreamEvents(context.Background(), p, models.Sampling{MaxTokens: 200}, c.on); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(prompt, "<|im_start|>assistant\n<think>\n\n</think>\n\n") || c.text != "Hello." || c.thinking != "" {
		t.Fatalf("thinking off: prompt ends %q, text %q thinking %q", prompt[max(0, len(prompt)-60):], c.text, c.thinking)
	}
}

// The DeepSeek-R1 template opens <think> in the prompt: the answer
// starts inside the reasoning.
func TestOpensThinking(t *testing.T) {
	if !opensThinking("<｜Assistant｜><think>\n") || opensThinking("<think>\n\n</think>\n\n") || opensThinking("hi") {
		t.Fatal("opensThinking")
	}
}

// gzTokenizer loads one of llama.cpp's test vocabularies, with tokens
// renamed (id -> text).
func gzTokenizer(t *testing.T, name string, rename map[int]string) *tokenizer.Tokenizer {
	t.Helper()
	f, err := os.Open("../tokenizer/testdata/ggml-vocab-" + name + ".gguf.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gguf.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tokenizer.VocabFromGGUF(g)
	if err != nil {
		t.Fatal(err)
	}
	for id, text := range rename {
		v.Tokens[id] = text
	}
	tok, err := tokenizer.New(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Outputs in the shape each family writes, as tokens of its vocabulary,
// through the runtime's decoding (piece), stop texts and event sink, one
// token at a time as a generation delivers them. Llama 3's
// <|python_tag|> is a control token the decoder drops: the runtime
// passes it on as text so the call is read.
func TestRecordedOutputsAsTokens(t *testing.T) {
	// llama.cpp's Llama 3 vocabulary, with 128010 named as Llama 3.1
	// names it (a control token in both).
	llama3 := gzTokenizer(t, "llama-bpe", map[int]string{128010: "<|python_tag|>"})
	cases := []struct {
		name   string
		tok    *tokenizer.Tokenizer
		format toolparse.Format
		out    string
		text   string
		calls  string
	}{
		{"llama 3.1 json", llama3, toolparse.Llama3, `{"name": "get_weather", "parameters": {"city": "Paris"}}`, "", `[{call_1 get_weather {"city": "Paris"}}]`},
		{"llama 3.1 python tag", llama3, toolparse.Llama3, `<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}`, "", `[{call_1 get_weather {"city": "Paris"}}]`},
		{"llama 3.1 answer", llama3, toolparse.Llama3, "It is sunny in Paris today.", "It is sunny in Paris today.", "[]"},
		{"qwen 2.5 in the llama vocabulary", llama3, toolparse.Hermes, "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", "Checking.\n", `[{call_1 get_weather {"city": "Paris"}}]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := &model{tok: tc.tok, markers: markerTokens(tc.tok)}
			ids, err := tc.tok.Encode(tc.out, false, true)
			if err != nil {
				t.Fatal(err)
			}
			var c collected
			sink := newEventSink(tc.format, false, false, c.on)
			out := newStopper(nil, sink.write)
			dec := tc.tok.NewDecoder()
			for _, id := range ids {
				if err := out.write(g.piece(dec, int(id), true)); err != nil {
					t.Fatal(err)
				}
			}
			if err := out.write(dec.Flush()); err != nil {
				t.Fatal(err)
			}
			if err := out.flush(); err != nil {
				t.Fatal(err)
			}
			if err := sink.finish(); err != nil {
				t.Fatal(err)
			}
			if calls := fmt.Sprint(c.calls); c.text != tc.text || (calls != tc.calls && !(calls == "[]" && tc.calls == "[]")) {
				t.Fatalf("text %q calls %s, want %q %s", c.text, calls, tc.text, tc.calls)
			}
		})
	}
	if _, ok := markerTokens(llama3)[128010]; !ok {
		t.Fatalf("<|python_tag|> (128010) is not a marker: %v", markerTokens(llama3))
	}
}

// The DeepSeek-R1 distill template (llama.cpp's version) opens <think>
// at the end of the prompt when thinking is on: the answer starts inside
// the reasoning. With thinking off it closes it, and all is answer.
func TestThinkingOpenedByTheTemplate(t *testing.T) {
	var prompt, answer string
	m := qwenModel(t, "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", func(p string) string { prompt = p; return answer })
	if caps := m.Info().Capabilities; !caps.Thinking || caps.ToolCalls {
		t.Fatalf("capabilities %+v", caps)
	}
	for _, think := range []bool{true, false} {
		answer = "Two and two make four.\n</think>\n\nFour."
		wantEnd, wantThinking, wantText := "<｜Assistant｜><think>\n", "Two and two make four.\n", "\n\nFour."
		if !think {
			answer = "Four."
			wantEnd, wantThinking, wantText = "<｜Assistant｜><think>\n</think>", "", "Four."
		}
		var c collected
		p := models.Prompt{Messages: []llm.Message{{Role: llm.RoleUser, Content: "2+2?"}}, Think: think}
		if _, err := m.(models.EventStreamer).StreamEvents(context.Background(), p, models.Sampling{MaxTokens: 100}, c.on); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(prompt, wantEnd) || c.thinking != wantThinking || c.text != wantText {
			t.Fatalf("think %v: prompt ends %q; thinking %q text %q", think, prompt[max(0, len(prompt)-30):], c.thinking, c.text)
		}
	}
}

// Mistral's [TOOL_CALLS] is a control token, which the decoder drops
// from text: loaded with the Mistral Nemo template, the model's call
// still comes back as a call, because the runtime passes the marker on.
func TestMistralControlTokenCall(t *testing.T) {
	tmpl, err := ggufrttest.Template("mistralai-Mistral-Nemo-Instruct-2407")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mistral.gguf")
	const toolCalls = 282
	if err := ggufrttest.Write(path, "../llama/testdata/qwen2-w64-f32.gguf", ggufrttest.Options{
		Template: tmpl, Context: 4096,
		Tokens: map[int]string{toolCalls: "[TOOL_CALLS]", ggufrttest.Space: "\u2581"},
		Types:  map[int]int32{toolCalls: 3, ggufrttest.Space: 1},
		Flags:  map[string]bool{"tokenizer.ggml.add_space_prefix": false},
	}); err != nil {
		t.Fatal(err)
	}
	var prompt string
	answer := `[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "a1b2c3d4e"}]</s>`
	m, err := Runtime{Script: func(p string) string { prompt = p; return answer }}.Load(context.Background(), path, models.LoadOptions{ContextSize: 2048, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !m.Info().Capabilities.ToolCalls {
		t.Fatalf("capabilities %+v", m.Info().Capabilities)
	}
	p := models.Prompt{Messages: []llm.Message{{Role: llm.RoleUser, Content: "Weather in Paris?"}}, Tools: []models.Tool{weatherTool}}
	var c collected
	if _, err := m.(models.EventStreamer).StreamEvents(context.Background(), p, models.Sampling{MaxTokens: 200}, c.on); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prompt, `[AVAILABLE_TOOLS][{"type": "function", "function": {`) || !strings.Contains(prompt, `"name": "get_weather"`) {
		t.Fatalf("the tools are not in the prompt:\n%s", prompt)
	}
	if c.text != "" || fmt.Sprint(c.calls) != `[{a1b2c3d4e get_weather {"city": "Paris"}}]` {
		t.Fatalf("text %q calls %+v", c.text, c.calls)
	}
	// Plain Stream (chats) keeps dropping control tokens from the text.
	var text strings.Builder
	if _, err := m.Stream(context.Background(), models.Prompt{Messages: p.Messages}, models.Sampling{MaxTokens: 200}, func(s string) error { text.WriteString(s); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "[TOOL_CALLS]") || !strings.HasPrefix(text.String(), `[{"name"`) {
		t.Fatalf("Stream gave %q", text.String())
	}
}
