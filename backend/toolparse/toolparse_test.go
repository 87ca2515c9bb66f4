package toolparse

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidecar/backend/llm"
)

// Outputs in the shape each model family writes them (from their chat
// templates' tool-call sections and transcripts of real runs).
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		f     Format
		out   string
		text  string
		calls []llm.ToolCall
	}{
		{"qwen one call", Hermes, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", "",
			[]llm.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city": "Paris"}`}}},
		{"qwen text and two calls", Hermes, "Let me check both.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>", "Let me check both.",
			[]llm.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city": "Paris"}`}, {ID: "call_2", Name: "get_time", Arguments: `{}`}}},
		{"hermes unclosed at the end token", Hermes, "<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a.go\"}}", "",
			[]llm.ToolCall{{ID: "call_1", Name: "read_file", Arguments: `{"path": "a.go"}`}}},
		{"hermes arguments as a string", Hermes, "<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"x\\\": 1}\"}</tool_call>", "",
			[]llm.ToolCall{{ID: "call_1", Name: "f", Arguments: `{"x": 1}`}}},
		{"hermes plain answer", Hermes, "Paris is sunny today.", "Paris is sunny today.", nil},
		{"llama 3.1 json", Llama3, "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}", "",
			[]llm.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city": "Paris"}`}}},
		{"llama 3.1 python tag, two calls", Llama3, "<|python_tag|>{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"n\": 2}}", "",
			[]llm.ToolCall{{ID: "call_1", Name: "a", Arguments: `{}`}, {ID: "call_2", Name: "b", Arguments: `{"n": 2}`}}},
		{"llama plain answer", Llama3, "The answer is 42.", "The answer is 42.", nil},
		{"llama answer that is JSON data", Llama3, `{"answer": 42}`, `{"answer": 42}`, nil},
		{"mistral list", Mistral, "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"a1b2c3d4e\"}]", "",
			[]llm.ToolCall{{ID: "a1b2c3d4e", Name: "get_weather", Arguments: `{"city": "Paris"}`}}},
		{"mistral args form", Mistral, "Checking.[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}[TOOL_CALLS]get_time[ARGS]{}", "Checking.",
			[]llm.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city": "Paris"}`}, {ID: "call_2", Name: "get_time", Arguments: `{}`}}},
		{"mistral plain answer", Mistral, "Bonjour.", "Bonjour.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, calls, err := Parse(tc.f, tc.out)
			if err != nil {
				t.Fatal(err)
			}
			if text != tc.text || fmt.Sprint(calls) != fmt.Sprint(tc.calls) {
				t.Fatalf("text %q calls %+v, want %q %+v", text, calls, tc.text, tc.calls)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	for _, tc := range []struct {
		f   Format
		out string
	}{
		{Hermes, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \n</tool_call>"},
		{Hermes, "<tool_call>{\"arguments\": {}}</tool_call>"},
		{Hermes, "<tool_call>{\"name\": \"f\", \"arguments\": [1, 2]}</tool_call>"},
		{Hermes, "<tool_call>"},
		{Llama3, "<|python_tag|>{\"name\": \"f\", \"parameters\": {"},
		{Llama3, "<|python_tag|>print('hi')"},
		{Llama3, "{\"name\": \"f\", \"parameters\": {\"a\": 1}}; {\"name\": "},
		{Mistral, "[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {]"},
		{Mistral, "[TOOL_CALLS]get_weather{\"city\": \"Paris\"}"},
		{Mistral, "[TOOL_CALLS]f[ARGS]not json"},
		{Hermes, strings.Repeat("<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>", maxCalls+1)},
	} {
		text, calls, err := Parse(tc.f, tc.out)
		if !errors.Is(err, ErrMalformed) || calls != nil || text != tc.out {
			t.Errorf("%q: text %q calls %v err %v", tc.out, text, calls, err)
		}
	}
}

func TestThinkSplitterAcrossPieces(t *testing.T) {
	out := "<think>\nThe user greets me.\n</think>\n\nHello! How can I help?"
	// Every way of cutting the output in two, and byte by byte.
	for cut := 0; cut <= len(out); cut++ {
		s := NewThinkSplitter(false)
		th1, tx1 := s.Feed(out[:cut])
		th2, tx2 := s.Feed(out[cut:])
		th3, tx3 := s.Flush()
		if th := th1 + th2 + th3; th != "\nThe user greets me.\n" {
			t.Fatalf("cut %d: thinking %q", cut, th)
		}
		if tx := tx1 + tx2 + tx3; tx != "\n\nHello! How can I help?" {
			t.Fatalf("cut %d: text %q", cut, tx)
		}
	}
	s := NewThinkSplitter(false)
	var th, tx string
	for _, r := range out {
		a, b := s.Feed(string(r))
		th, tx = th+a, tx+b
	}
	if th != "\nThe user greets me.\n" || tx != "\n\nHello! How can I help?" {
		t.Fatalf("byte by byte: %q %q", th, tx)
	}
}

func TestSplitThink(t *testing.T) {
	for _, tc := range []struct {
		out         string
		inside      bool
		think, text string
	}{
		{"Okay, the user wants a joke.\n</think>\n\nWhy did the gopher cross the road?", true, "Okay, the user wants a joke.", "Why did the gopher cross the road?"},
		{"No reasoning here.", false, "", "No reasoning here."},
		{"<think>unfinished reasoning", false, "unfinished reasoning", ""},
		{"a < b and c <thin", false, "", "a < b and c <thin"},
	} {
		th, tx := SplitThink(tc.out, tc.inside)
		if th != tc.think || tx != tc.text {
			t.Errorf("%q: %q %q", tc.out, th, tx)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"<tool_call>{\"name\":\"f\",\"arguments\":{}}</tool_call>", "<|python_tag|>{\"name\":\"f\"}", "[TOOL_CALLS]f[ARGS]{}", "[TOOL_CALLS][{", "<think>x</think>y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fm := range []Format{Hermes, Llama3, Mistral} {
			text, calls, err := Parse(fm, s)
			if err != nil && (text != s || calls != nil) {
				t.Fatalf("an error must keep the text: %q", s)
			}
		}
		th, tx := SplitThink(s, false)
		_ = th + tx
	})
}
