package toolparse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// feed runs out through a Stream in pieces of n bytes (0: whole) and
// returns what it reported; streamed is the text passed on before Finish.
func feed(f Format, think, inside bool, out string, n int) (thinking, text, streamed, calls string, err error) {
	s := NewStream(f, think, inside)
	var th, tx strings.Builder
	for len(out) > 0 {
		k := len(out)
		if n > 0 {
			k = min(n, len(out))
		}
		a, b := s.Feed(out[:k])
		th.WriteString(a)
		tx.WriteString(b)
		out = out[k:]
	}
	streamed = tx.String()
	a, b, cs, err := s.Finish()
	th.WriteString(a)
	tx.WriteString(b)
	return th.String(), tx.String(), streamed, fmt.Sprint(cs), err
}

// Answers in the shapes Qwen2.5, Qwen3, Llama 3.1 and Mistral write them
// (their templates' call sections and model cards), fed whole and in
// every piece size from one byte: the result never depends on how the
// text was cut, and no part of a call is ever passed on as text.
func TestStreamFamilies(t *testing.T) {
	for _, tc := range []struct {
		name          string
		f             Format
		think, inside bool
		out           string
		thinking      string
		text          string
		calls         string
	}{
		{"qwen2.5 call", Hermes, false, false,
			"<tool_call>\n{\"name\": \"get_current_weather\", \"arguments\": {\"location\": \"Paris, France\", \"unit\": \"celsius\"}}\n</tool_call>",
			"", "", `[{call_1 get_current_weather {"location": "Paris, France", "unit": "celsius"}}]`},
		{"qwen2.5 text then two calls", Hermes, false, false,
			"I'll look both up.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {\"n\": 1}}\n</tool_call>",
			"", "I'll look both up.\n", `[{call_1 a {}} {call_2 b {"n": 1}}]`},
		{"qwen2.5 answer with angle brackets", Hermes, false, false, "Use <b>bold</b> and a < b <tool", "", "Use <b>bold</b> and a < b <tool", "[]"},
		{"qwen3 thinking then call", Hermes, true, false,
			"<think>\nThe user wants the weather in Paris. I should call get_current_weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_current_weather\", \"arguments\": {\"location\": \"Paris\"}}\n</tool_call>",
			"\nThe user wants the weather in Paris. I should call get_current_weather.\n", "\n\n", `[{call_1 get_current_weather {"location": "Paris"}}]`},
		{"deepseek-r1 opened in the prompt", 0, true, true,
			"Okay, 2+2 is 4.\n</think>\n\nThe answer is 4.", "Okay, 2+2 is 4.\n", "\n\nThe answer is 4.", "[]"},
		{"llama 3.1 call", Llama3, false, false,
			"{\"name\": \"get_current_weather\", \"parameters\": {\"location\": \"Paris\"}}", "", "", `[{call_1 get_current_weather {"location": "Paris"}}]`},
		{"llama 3.1 python tag", Llama3, false, false,
			"<|python_tag|>{\"name\": \"brave_search\", \"parameters\": {\"query\": \"weather\"}}", "", "", `[{call_1 brave_search {"query": "weather"}}]`},
		{"llama 3.1 answer", Llama3, false, false, " The capital of France is Paris.", "", " The capital of France is Paris.", "[]"},
		{"llama 3.1 json answer", Llama3, false, false, `{"capital": "Paris"}`, "", `{"capital": "Paris"}`, "[]"},
		{"mistral v3 call", Mistral, false, false,
			"[TOOL_CALLS] [{\"name\": \"get_current_weather\", \"arguments\": {\"location\": \"Paris, France\", \"format\": \"celsius\"}}]",
			"", "", `[{call_1 get_current_weather {"location": "Paris, France", "format": "celsius"}}]`},
		{"mistral small 3.2 call", Mistral, false, false, "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}", "", "", `[{call_1 get_weather {"city": "Paris"}}]`},
		{"mistral answer", Mistral, false, false, "Il fait beau [TOOL", "", "Il fait beau [TOOL", "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for n := 0; n <= len(tc.out); n++ {
				th, tx, streamed, calls, err := feed(tc.f, tc.think, tc.inside, tc.out, n)
				if err != nil || th != tc.thinking || tx != tc.text || calls != tc.calls {
					t.Fatalf("pieces of %d: thinking %q text %q calls %s err %v; want %q %q %s", n, th, tx, calls, err, tc.thinking, tc.text, tc.calls)
				}
				if tc.calls != "[]" && (strings.Contains(streamed, "{") || strings.Contains(streamed, "<tool") || strings.Contains(streamed, "[TOOL")) {
					t.Fatalf("pieces of %d: part of a call streamed as text: %q", n, streamed)
				}
			}
		})
	}
}

// Text before a call streams as it comes: only what may begin the
// call's tag is held.
func TestStreamHoldsOnlyATagStart(t *testing.T) {
	s := NewStream(Hermes, false, false)
	if _, tx := s.Feed("Let me check that for you <tool_"); tx != "Let me check that for you " {
		t.Fatalf("passed on %q", tx)
	}
	if _, tx := s.Feed("call>\n{\"name\""); tx != "" {
		t.Fatalf("passed on %q inside a call", tx)
	}
}

// A call that cannot be read comes back as text with ErrMalformed; a
// held call longer than maxHeld is let out as text, so the memory a
// stream keeps is bounded.
func TestStreamMalformedAndBound(t *testing.T) {
	out := "Sure.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
	_, tx, _, calls, err := feed(Hermes, false, false, out, 7)
	if !errors.Is(err, ErrMalformed) || tx != out || calls != "[]" {
		t.Fatalf("text %q calls %s err %v", tx, calls, err)
	}
	s := NewStream(Hermes, false, false)
	s.Feed("<tool_call>")
	chunk := strings.Repeat("x", 1<<16)
	var let string
	for i := 0; i < 20 && let == ""; i++ {
		_, let = s.Feed(chunk)
		if s.calls != nil && s.calls.Len() > maxHeld {
			t.Fatalf("holds %d bytes", s.calls.Len())
		}
	}
	if !strings.HasPrefix(let, "<tool_call>xxx") || len(let) <= maxHeld {
		t.Fatalf("a runaway call was not let out (%d bytes)", len(let))
	}
	if _, tx := s.Feed("more"); tx != "more" {
		t.Fatalf("after the bound: %q", tx)
	}
}

// Detect on llama.cpp's templates: the families whose calls Parse reads.
func TestDetect(t *testing.T) {
	want := map[string]Format{
		"Qwen-Qwen2.5-7B-Instruct": Hermes, "Qwen-Qwen3-0.6B": Hermes, "Qwen-QwQ-32B": Hermes,
		"NousResearch-Hermes-3-Llama-3.1-8B-tool_use": Hermes,
		"meta-llama-Llama-3.1-8B-Instruct":            Llama3, "meta-llama-Llama-3.2-3B-Instruct": Llama3, "meta-llama-Llama-3.3-70B-Instruct": Llama3,
		"mistralai-Mistral-Nemo-Instruct-2407": Mistral, "Mistral-Small-3.2-24B-Instruct-2506": Mistral, "unsloth-mistral-Devstral-Small-2507": Mistral,
		// XML-style calls, and templates without tools.
		"Qwen3-Coder": 0, "GLM-4.6": 0, "google-gemma-2-2b-it": 0, "microsoft-Phi-3.5-mini-instruct": 0,
		"deepseek-ai-DeepSeek-R1-Distill-Qwen-32B": 0,
	}
	for name, f := range want {
		b, err := os.ReadFile(filepath.Join("..", "chattmpl", "testdata", name+".jinja"))
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(string(b)); got != f {
			t.Errorf("%s: %d, want %d", name, got, f)
		}
	}
}
