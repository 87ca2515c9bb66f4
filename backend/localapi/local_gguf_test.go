package localapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sidecar/backend/assistant"
	"sidecar/backend/catalog"
	"sidecar/backend/ggufrt"
	"sidecar/backend/ggufrt/ggufrttest"
	"sidecar/backend/llm"
	"sidecar/backend/store/storetest"
)

// script is the answer the GGUF test models give (see ggufrt.Runtime's
// Script) and the prompts they were given.
type script struct {
	mu      sync.Mutex
	answer  string
	prompts []string
}

func (s *script) set(answer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer, s.prompts = answer, nil
}

func (s *script) run(prompt string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prompts = append(s.prompts, prompt)
	return s.answer
}

// last is the prompt of the last generation.
func (s *script) last(t *testing.T) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.prompts) == 0 {
		t.Fatal("the model was not run")
	}
	return s.prompts[len(s.prompts)-1]
}

// startLocal serves real GGUF models through the real assistant: qwen
// (the Qwen2.5 template: tools, and Qwen2.5-Coder's FIM tokens), think
// (the Qwen3 template) and plain (a model without template or FIM
// tokens). Their answers come from sc.
func startLocal(t *testing.T) (*env, *script) {
	t.Helper()
	dir := t.TempDir()
	for name, tmpl := range map[string]string{"qwen": "Qwen-Qwen2.5-7B-Instruct", "think": "Qwen-Qwen3-0.6B"} {
		if err := ggufrttest.Qwen(filepath.Join(dir, name+".gguf"), tmpl); err != nil {
			t.Fatal(err)
		}
	}
	if err := ggufrttest.Plain(filepath.Join(dir, "plain.gguf")); err != nil {
		t.Fatal(err)
	}
	sc := &script{}
	db := storetest.Open(t)
	cat := catalog.New(db, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), &llm.Echo{})
	t.Cleanup(cat.Close)
	svc := assistant.New(db, cat, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(svc.Close)
	cat.EnableLocal(t.TempDir(), ggufrt.Runtime{Script: sc.run})
	ctx := context.Background()
	for _, path := range []string{filepath.Join(dir, "qwen.gguf"), filepath.Join(dir, "think.gguf"), filepath.Join(dir, "plain.gguf")} {
		m, err := cat.ImportLocalModel(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		set := m.Settings
		set.WeightType, set.Threads, set.MaxTokens = "f32", 1, 400
		if _, err := cat.UpdateLocalModel(ctx, m.ID, m.Name, set); err != nil {
			t.Fatal(err)
		}
	}
	toks, err := LoadTokens(ctx, &memSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Port: -1}, Models{Catalog: cat, Service: svc}, nil, toks, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return &env{srv: s, url: s.URL(), token: toks.Current()}, sc
}

func decodeBody(t *testing.T, r *http.Response, v any) {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("status %d: %s", r.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

const (
	weatherTools = `[{"type":"function","function":{"name":"get_weather","description":"Current weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]`
	qwenCall     = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>"
)

// A tool call round trip with a local model in Chat Completions: the
// tools reach the template, the model's call comes back as tool_calls
// (and streamed as deltas, nothing of it as content), and the result
// goes back into the template.
func TestLocalToolCallsChatCompletions(t *testing.T) {
	e, sc := startLocal(t)
	sc.set(qwenCall)
	r := e.do(t, "POST", "/v1/chat/completions", `{"model":"local/qwen","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":`+weatherTools+`}`, nil)
	var out struct {
		Choices []struct {
			Message struct {
				Content   *string `json:"content"`
				ToolCalls []struct {
					ID       string `json:"id"`
					Function struct{ Name, Arguments string }
				} `json:"tool_calls"`
			}
			FinishReason string `json:"finish_reason"`
		}
	}
	decodeBody(t, r, &out)
	prompt := sc.last(t)
	for _, want := range []string{"<tools>\n", `"name": "get_weather"`, `"required": ["city"]`, "<|im_start|>user\nWeather in Paris?<|im_end|>"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, prompt)
		}
	}
	c := out.Choices[0]
	if c.FinishReason != "tool_calls" || len(c.Message.ToolCalls) != 1 || c.Message.ToolCalls[0].Function.Name != "get_weather" ||
		c.Message.ToolCalls[0].Function.Arguments != `{"city": "Paris"}` || c.Message.Content != nil {
		t.Fatalf("answer %+v", c)
	}
	id := c.Message.ToolCalls[0].ID

	// Streamed: the call as tool_calls deltas, no content.
	r = e.do(t, "POST", "/v1/chat/completions", `{"model":"local/qwen","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],"tools":`+weatherTools+`}`, nil)
	var args, content, finish string
	sc2 := bufio.NewScanner(r.Body)
	for sc2.Scan() {
		line, ok := strings.CutPrefix(sc2.Text(), "data: ")
		if !ok || line == "[DONE]" {
			continue
		}
		var ch struct {
			Choices []struct {
				Delta struct {
					Content   string `json:"content"`
					ToolCalls []struct {
						Function struct{ Name, Arguments string }
					} `json:"tool_calls"`
				}
				FinishReason *string `json:"finish_reason"`
			}
		}
		if err := json.Unmarshal([]byte(line), &ch); err != nil {
			t.Fatal(err)
		}
		for _, c := range ch.Choices {
			content += c.Delta.Content
			for _, tc := range c.Delta.ToolCalls {
				args += tc.Function.Arguments
			}
			if c.FinishReason != nil {
				finish = *c.FinishReason
			}
		}
	}
	if content != "" || args != `{"city": "Paris"}` || finish != "tool_calls" {
		t.Fatalf("stream: content %q arguments %q finish %q", content, args, finish)
	}

	// A named tool choice shows the model that tool only.
	twoTools := `[{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}},` + weatherTools[1:]
	r = e.do(t, "POST", "/v1/chat/completions", `{"model":"local/qwen","messages":[{"role":"user","content":"Weather in Paris?"}],"tool_choice":{"type":"function","function":{"name":"get_weather"}},"tools":`+twoTools+`}`, nil)
	decodeBody(t, r, &out)
	if p := sc.last(t); !strings.Contains(p, `"name": "get_weather"`) || strings.Contains(p, "get_time") || len(out.Choices[0].Message.ToolCalls) != 1 {
		t.Fatalf("named tool: %+v\n%s", out, p)
	}
	r = e.do(t, "POST", "/v1/chat/completions", `{"model":"local/qwen","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":`+twoTools+`}`, nil)
	decodeBody(t, r, &out)
	if p := sc.last(t); !strings.Contains(p, `"name": "get_weather"`) || !strings.Contains(p, `"name": "get_time"`) {
		t.Fatalf("both tools are not in the prompt:\n%s", p)
	}

	// The result goes back.
	sc.set("It is 18 C and sunny in Paris.<|im_end|>")
	body := `{"model":"local/qwen","tools":` + weatherTools + `,"messages":[{"role":"user","content":"Weather in Paris?"},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"` + id + `","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}]},` +
		`{"role":"tool","tool_call_id":"` + id + `","content":"18 C, sunny"}]}`
	r = e.do(t, "POST", "/v1/chat/completions", body, nil)
	decodeBody(t, r, &out)
	prompt = sc.last(t)
	for _, want := range []string{"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", "<tool_response>\n18 C, sunny\n</tool_response>"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, prompt)
		}
	}
	if c := out.Choices[0]; c.FinishReason != "stop" || c.Message.Content == nil || *c.Message.Content != "It is 18 C and sunny in Paris." {
		t.Fatalf("answer after the result: %+v", c)
	}
}

// The same round trip in Ollama's /api/chat, and thinking with think.
func TestLocalToolCallsOllama(t *testing.T) {
	e, sc := startLocal(t)
	sc.set(qwenCall)
	r := e.do(t, "POST", "/api/chat", `{"model":"local/qwen:latest","stream":false,"messages":[{"role":"user","content":"Weather in Paris?"}],"tools":`+weatherTools+`}`, nil)
	var out struct {
		Message struct {
			Content   string `json:"content"`
			Thinking  string `json:"thinking"`
			ToolCalls []struct {
				Function struct {
					Name      string         `json:"name"`
					Arguments map[string]any `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"message"`
		DoneReason string `json:"done_reason"`
	}
	decodeBody(t, r, &out)
	if !strings.Contains(sc.last(t), `"name": "get_weather"`) {
		t.Fatalf("the tools did not reach the template:\n%s", sc.last(t))
	}
	if out.Message.Content != "" || len(out.Message.ToolCalls) != 1 || out.Message.ToolCalls[0].Function.Name != "get_weather" || out.Message.ToolCalls[0].Function.Arguments["city"] != "Paris" {
		t.Fatalf("answer %+v", out)
	}
	sc.set("18 C and sunny.<|im_end|>")
	r = e.do(t, "POST", "/api/chat", `{"model":"local/qwen:latest","stream":false,"tools":`+weatherTools+`,"messages":[{"role":"user","content":"Weather in Paris?"},`+
		`{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},`+
		`{"role":"tool","tool_name":"get_weather","content":"18 C, sunny"}]}`, nil)
	decodeBody(t, r, &out)
	if !strings.Contains(sc.last(t), "<tool_response>\n18 C, sunny\n</tool_response>") || out.Message.Content != "18 C and sunny." {
		t.Fatalf("after the result: %+v\n%s", out, sc.last(t))
	}

	// Thinking: think switches the Qwen3 template's enable_thinking, and
	// the reasoning comes back in thinking, not in the content.
	sc.set("<think>\nA greeting.\n</think>\n\nHello!<|im_end|>")
	r = e.do(t, "POST", "/api/chat", `{"model":"local/think","stream":false,"think":true,"messages":[{"role":"user","content":"hi"}]}`, nil)
	out.Message.ToolCalls = nil
	decodeBody(t, r, &out)
	if strings.Contains(sc.last(t), "</think>") || out.Message.Thinking != "\nA greeting.\n" || strings.TrimSpace(out.Message.Content) != "Hello!" {
		t.Fatalf("think on: %+v\n%s", out.Message, sc.last(t))
	}
	sc.set("Hello!<|im_end|>")
	r = e.do(t, "POST", "/api/chat", `{"model":"local/think","stream":false,"think":false,"messages":[{"role":"user","content":"hi"}]}`, nil)
	decodeBody(t, r, &out)
	if !strings.HasSuffix(sc.last(t), "<think>\n\n</think>\n\n") || out.Message.Content != "Hello!" {
		t.Fatalf("think off: %+v\n%s", out.Message, sc.last(t))
	}
}

// Anthropic tool_use and thinking blocks, and Responses function_call
// items, from a local model.
func TestLocalToolCallsAnthropicAndResponses(t *testing.T) {
	e, sc := startLocal(t)
	sc.set("<think>\nNeed the weather.\n</think>\n\n" + qwenCall)
	r := e.do(t, "POST", "/v1/messages", `{"model":"local/think","max_tokens":400,"thinking":{"type":"enabled","budget_tokens":1024},`+
		`"messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[{"name":"get_weather","description":"Current weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]}`, nil)
	var msg struct {
		Content []struct {
			Type     string         `json:"type"`
			Thinking string         `json:"thinking"`
			Name     string         `json:"name"`
			Input    map[string]any `json:"input"`
			Text     string         `json:"text"`
		} `json:"content"`
		StopReason string `json:"stop_reason"`
	}
	decodeBody(t, r, &msg)
	var kinds []string
	for _, b := range msg.Content {
		if b.Type == "text" && strings.TrimSpace(b.Text) == "" {
			continue
		}
		kinds = append(kinds, b.Type)
	}
	if strings.Join(kinds, ",") != "thinking,tool_use" || msg.StopReason != "tool_use" || msg.Content[len(msg.Content)-1].Input["city"] != "Paris" || msg.Content[0].Thinking != "\nNeed the weather.\n" {
		t.Fatalf("message %+v", msg)
	}
	sc.set(qwenCall)
	r = e.do(t, "POST", "/v1/responses", `{"model":"local/qwen","input":"Weather in Paris?","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}`, nil)
	var resp struct {
		Output []struct {
			Type      string `json:"type"`
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"output"`
	}
	decodeBody(t, r, &resp)
	if len(resp.Output) != 1 || resp.Output[0].Type != "function_call" || resp.Output[0].Arguments != `{"city": "Paris"}` {
		t.Fatalf("responses output %+v", resp.Output)
	}
}

// A model that cannot call tools: tools are left out when optional, a
// required call is a clear 400.
func TestLocalModelWithoutTools(t *testing.T) {
	e, sc := startLocal(t)
	sc.set("Hello.")
	r := e.do(t, "POST", "/v1/chat/completions", `{"model":"local/plain","messages":[{"role":"user","content":"hi"}],"tools":`+weatherTools+`}`, nil)
	var out struct {
		Choices []struct {
			Message struct{ Content string }
		}
	}
	decodeBody(t, r, &out)
	if strings.Contains(sc.last(t), "get_weather") || out.Choices[0].Message.Content != "Hello." {
		t.Fatalf("optional tools: %+v\n%s", out, sc.last(t))
	}
	r = e.do(t, "POST", "/v1/chat/completions", `{"model":"local/plain","messages":[{"role":"user","content":"hi"}],"tool_choice":"required","tools":`+weatherTools+`}`, nil)
	if r.StatusCode != 400 || codeOf(t, r) != "tools_not_supported" {
		t.Fatalf("required tool: %d", r.StatusCode)
	}
	r = e.do(t, "POST", "/api/show", `{"model":"local/plain"}`, nil)
	var show struct {
		Template     string   `json:"template"`
		Capabilities []string `json:"capabilities"`
	}
	decodeBody(t, r, &show)
	if strings.Contains(show.Template, ".Suffix") || strings.Join(show.Capabilities, ",") != "completion" {
		t.Fatalf("show %+v", show)
	}
	r = e.do(t, "POST", "/api/show", `{"model":"local/qwen"}`, nil)
	decodeBody(t, r, &show)
	if !strings.Contains(show.Template, ".Suffix") || strings.Join(show.Capabilities, ",") != "completion,tools,insert" {
		t.Fatalf("show %+v", show)
	}
	r = e.do(t, "POST", "/api/show", `{"model":"local/think"}`, nil)
	decodeBody(t, r, &show)
	if strings.Join(show.Capabilities, ",") != "completion,tools,insert,thinking" {
		t.Fatalf("show %+v", show)
	}
}

// Fill in the middle with the model's FIM tokens on /v1/completions and
// /api/generate; suffix on a model without them is a 400; raw skips the
// template.
func TestLocalFIMAndRaw(t *testing.T) {
	e, sc := startLocal(t)
	sc.set("    c = a + b<|im_end|>")
	r := e.do(t, "POST", "/v1/completions", `{"model":"local/qwen","prompt":"def add(a, b):\n","suffix":"\n    return c\n","max_tokens":16}`, nil)
	var out struct {
		Choices []struct {
			Text         string `json:"text"`
			FinishReason string `json:"finish_reason"`
		}
	}
	decodeBody(t, r, &out)
	if want := "<|fim_prefix|>def add(a, b):\n<|fim_suffix|>\n    return c\n<|fim_middle|>"; sc.last(t) != want {
		t.Fatalf("prompt %q, want %q", sc.last(t), want)
	}
	if out.Choices[0].Text != "    c = a + b" || out.Choices[0].FinishReason != "stop" {
		t.Fatalf("completion %+v", out)
	}
	r = e.do(t, "POST", "/api/generate", `{"model":"local/qwen","prompt":"x = ","suffix":"\nprint(x)","stream":false}`, nil)
	var gen struct {
		Response string `json:"response"`
	}
	decodeBody(t, r, &gen)
	if sc.last(t) != "<|fim_prefix|>x = <|fim_suffix|>\nprint(x)<|fim_middle|>" || gen.Response != "    c = a + b" {
		t.Fatalf("generate: %q, prompt %q", gen.Response, sc.last(t))
	}
	r = e.do(t, "POST", "/v1/completions", `{"model":"local/plain","prompt":"a","suffix":"b"}`, nil)
	if r.StatusCode != 400 || codeOf(t, r) != "fim_not_supported" {
		t.Fatalf("suffix without FIM tokens: %d", r.StatusCode)
	}
	r = e.do(t, "POST", "/api/generate", `{"model":"local/plain","prompt":"a","suffix":"b","stream":false}`, nil)
	if b, _ := io.ReadAll(r.Body); r.StatusCode != 400 || !strings.Contains(string(b), "cannot fill in the middle") {
		t.Fatalf("ollama suffix without FIM tokens: %d %s", r.StatusCode, b)
	}
	// /v1/completions without suffix continues the prompt as it is.
	sc.set("(a, b):<|im_end|>")
	r = e.do(t, "POST", "/v1/completions", `{"model":"local/qwen","prompt":"def add","max_tokens":16}`, nil)
	decodeBody(t, r, &out)
	if sc.last(t) != "def add" || out.Choices[0].Text != "(a, b):" {
		t.Fatalf("completion without suffix: %+v, prompt %q", out, sc.last(t))
	}
	// raw: the prompt as it is, special-token text read as tokens.
	sc.set("Paris.")
	r = e.do(t, "POST", "/api/generate", `{"model":"local/qwen","prompt":"<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n","raw":true,"stream":false}`, nil)
	decodeBody(t, r, &gen)
	if sc.last(t) != "<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n" || gen.Response != "Paris." {
		t.Fatalf("raw: %q, prompt %q", gen.Response, sc.last(t))
	}
	// Not raw: the template wraps the prompt.
	r = e.do(t, "POST", "/api/generate", `{"model":"local/qwen","prompt":"Capital of France?","stream":false}`, nil)
	decodeBody(t, r, &gen)
	if !strings.Contains(sc.last(t), "<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n") {
		t.Fatalf("templated prompt %q", sc.last(t))
	}
}

func codeOf(t *testing.T, r *http.Response) string {
	t.Helper()
	if c := errBody(t, r).Error.Code; c != nil {
		return *c
	}
	return ""
}

// count_tokens counts a local model's prompt with its template and
// tokenizer: the same number a generation reports as its input.
func TestLocalCountTokens(t *testing.T) {
	e, sc := startLocal(t)
	sc.set("Sunny.<|im_end|>")
	req := `"model":"local/qwen","system":"Be brief.","messages":[{"role":"user","content":"Weather in Paris?"}],` +
		`"tools":[{"name":"get_weather","description":"Current weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]`
	r := e.do(t, "POST", "/v1/messages/count_tokens", "{"+req+"}", nil)
	var count struct {
		InputTokens int `json:"input_tokens"`
	}
	decodeBody(t, r, &count)
	r = e.do(t, "POST", "/v1/messages", `{"max_tokens":100,`+req+`}`, nil)
	var msg struct {
		Usage struct {
			InputTokens int `json:"input_tokens"`
		} `json:"usage"`
	}
	decodeBody(t, r, &msg)
	prompt := sc.last(t)
	if !strings.Contains(prompt, "get_weather") || !strings.HasPrefix(prompt, "<|im_start|>system\nBe brief.") {
		t.Fatalf("prompt %q", prompt)
	}
	// The test vocabulary spells most text a byte a token: far more than
	// the four-bytes-a-token estimate.
	if count.InputTokens != msg.Usage.InputTokens || count.InputTokens < len(prompt)/2 {
		t.Fatalf("count_tokens %d, the generation's input %d, the prompt %d bytes", count.InputTokens, msg.Usage.InputTokens, len(prompt))
	}
	// Without tools the count drops by the tool section.
	r = e.do(t, "POST", "/v1/messages/count_tokens", `{"model":"local/qwen","system":"Be brief.","messages":[{"role":"user","content":"Weather in Paris?"}]}`, nil)
	var plain struct {
		InputTokens int `json:"input_tokens"`
	}
	decodeBody(t, r, &plain)
	if plain.InputTokens <= 0 || plain.InputTokens+100 > count.InputTokens {
		t.Fatalf("without tools %d, with %d", plain.InputTokens, count.InputTokens)
	}
	r = e.do(t, "POST", "/v1/messages/count_tokens", `{"model":"local/nope","messages":[{"role":"user","content":"hi"}]}`, nil)
	if r.StatusCode != 404 {
		t.Fatalf("unknown model: %d", r.StatusCode)
	}
}

// Reasoning from a local model in Chat Completions (reasoning_content,
// streamed as deltas) and Responses (a reasoning item); with parallel
// calls off, one call of two is returned.
func TestLocalReasoningOpenAI(t *testing.T) {
	e, sc := startLocal(t)
	sc.set("<think>\nTwo and two.\n</think>\n\nFour.<|im_end|>")
	r := e.do(t, "POST", "/v1/chat/completions", `{"model":"local/think","reasoning_effort":"low","messages":[{"role":"user","content":"2+2?"}]}`, nil)
	var out struct {
		Choices []struct {
			Message struct {
				Content          string `json:"content"`
				ReasoningContent string `json:"reasoning_content"`
			}
		}
	}
	decodeBody(t, r, &out)
	if m := out.Choices[0].Message; m.ReasoningContent != "\nTwo and two.\n" || strings.TrimSpace(m.Content) != "Four." {
		t.Fatalf("message %+v", m)
	}
	r = e.do(t, "POST", "/v1/chat/completions", `{"model":"local/think","stream":true,"reasoning_effort":"low","messages":[{"role":"user","content":"2+2?"}]}`, nil)
	var reasoning, content string
	lines := bufio.NewScanner(r.Body)
	for lines.Scan() {
		line, ok := strings.CutPrefix(lines.Text(), "data: ")
		if !ok || line == "[DONE]" {
			continue
		}
		var ch struct {
			Choices []struct {
				Delta struct {
					Content          string `json:"content"`
					ReasoningContent string `json:"reasoning_content"`
				}
			}
		}
		if err := json.Unmarshal([]byte(line), &ch); err != nil {
			t.Fatal(err)
		}
		for _, c := range ch.Choices {
			reasoning += c.Delta.ReasoningContent
			content += c.Delta.Content
		}
	}
	if reasoning != "\nTwo and two.\n" || strings.TrimSpace(content) != "Four." {
		t.Fatalf("stream: reasoning %q content %q", reasoning, content)
	}
	r = e.do(t, "POST", "/v1/responses", `{"model":"local/think","input":"2+2?","reasoning":{"effort":"low"}}`, nil)
	var resp struct {
		Output []struct {
			Type    string `json:"type"`
			Summary []struct {
				Text string `json:"text"`
			} `json:"summary"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"output"`
	}
	decodeBody(t, r, &resp)
	if len(resp.Output) != 2 || resp.Output[0].Type != "reasoning" || len(resp.Output[0].Summary) != 1 || resp.Output[0].Summary[0].Text != "\nTwo and two.\n" ||
		resp.Output[1].Type != "message" || strings.TrimSpace(resp.Output[1].Content[0].Text) != "Four." {
		t.Fatalf("responses output %+v", resp.Output)
	}

	two := "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call><|im_end|>"
	sc.set(two)
	for _, parallel := range []string{"true", "false"} {
		r = e.do(t, "POST", "/v1/chat/completions", `{"model":"local/qwen","parallel_tool_calls":`+parallel+`,"messages":[{"role":"user","content":"Paris and Oslo?"}],"tools":`+weatherTools+`}`, nil)
		var calls struct {
			Choices []struct {
				Message struct {
					ToolCalls []struct {
						Function struct{ Arguments string }
					} `json:"tool_calls"`
				}
			}
		}
		decodeBody(t, r, &calls)
		n := len(calls.Choices[0].Message.ToolCalls)
		if (parallel == "true" && n != 2) || (parallel == "false" && (n != 1 || calls.Choices[0].Message.ToolCalls[0].Function.Arguments != `{"city": "Paris"}`)) {
			t.Fatalf("parallel %s: %+v", parallel, calls)
		}
	}
}

// Streamed Ollama and Anthropic answers of a local model: text before a
// call streams, the call never appears as text, and it comes as the
// dialect's call.
func TestLocalToolCallsStreamedOllamaAnthropic(t *testing.T) {
	e, sc := startLocal(t)
	sc.set("Checking.\n" + qwenCall)
	r := e.do(t, "POST", "/api/chat", `{"model":"local/qwen","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":`+weatherTools+`}`, nil)
	var content string
	var calls int
	lines := bufio.NewScanner(r.Body)
	for lines.Scan() {
		var ch struct {
			Message struct {
				Content   string `json:"content"`
				ToolCalls []struct {
					Function struct {
						Arguments map[string]any `json:"arguments"`
					} `json:"function"`
				} `json:"tool_calls"`
			} `json:"message"`
		}
		if err := json.Unmarshal(lines.Bytes(), &ch); err != nil {
			t.Fatal(err)
		}
		content += ch.Message.Content
		for _, c := range ch.Message.ToolCalls {
			if c.Function.Arguments["city"] == "Paris" {
				calls++
			}
		}
	}
	if content != "Checking.\n" || calls != 1 {
		t.Fatalf("ollama stream: content %q, calls %d", content, calls)
	}
	r = e.do(t, "POST", "/v1/messages", `{"model":"local/qwen","max_tokens":400,"stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],`+
		`"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]}`, nil)
	var text, input, stop string
	lines = bufio.NewScanner(r.Body)
	for lines.Scan() {
		data, ok := strings.CutPrefix(lines.Text(), "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Type  string `json:"type"`
			Delta struct {
				Type        string `json:"type"`
				Text        string `json:"text"`
				PartialJSON string `json:"partial_json"`
				StopReason  string `json:"stop_reason"`
			} `json:"delta"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatal(err)
		}
		text += ev.Delta.Text
		input += ev.Delta.PartialJSON
		if ev.Delta.StopReason != "" {
			stop = ev.Delta.StopReason
		}
	}
	if text != "Checking.\n" || input != `{"city": "Paris"}` || stop != "tool_use" {
		t.Fatalf("anthropic stream: text %q input %q stop %q", text, input, stop)
	}
}
