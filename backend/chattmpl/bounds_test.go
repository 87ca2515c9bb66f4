package chattmpl

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ardanlabs/jinja"
)

func render(t *testing.T, src string, in Input) (string, error) {
	t.Helper()
	tmpl, err := Parse(src)
	if err != nil {
		return "", err
	}
	return tmpl.Render(in)
}

func TestHostileTemplatesFailClearly(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"endless recursion", `{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}`, "nested more than 64 deep"},
		{"mutual recursion", `{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}`, "nested more than 64 deep"},
		{"huge range", `{% for i in range(1000000000000) %}x{% endfor %}`, "range: more than"},
		{"range budget spent across loops", `{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}`, "range: more than"},
		{"raise_exception", `{{ raise_exception('Conversation roles must alternate') }}`, "Conversation roles must alternate"},
		{"unclosed tag", `{% if messages %}`, "compile"},
		{"unclosed expression", `{{ messages`, "never closed"},
		{"deep brackets", "{{ " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300) + " }}", "brackets nested"},
		{"too long", strings.Repeat("x", MaxSourceBytes+1), "more than the"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(t, c.src, Input{Messages: []Message{{Role: "user", Content: "hi"}}})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := Parse("  \n"); !errors.Is(err, ErrNoTemplate) {
		t.Fatalf("empty template: got %v, want ErrNoTemplate", err)
	}
}

// Recursion a real template needs (nested schemas) still works under the guard.
func TestBoundedRecursionStillWorks(t *testing.T) {
	src := `{% macro depth(n) %}{% if n > 0 %}({{ depth(n - 1) }}){% endif %}{% endmacro %}{{ depth(40) }}`
	got, err := render(t, src, Input{})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("(", 40) + strings.Repeat(")", 40); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// The guard blocks keep whitespace control: the same text with and
// without them.
func TestMacroGuardKeepsWhitespace(t *testing.T) {
	src := "{%- macro m(x) -%}\n  [{{ x }}]\n{%- endmacro %}\n{% macro n(x) %}\n  <{{ x }}>\n  {% endmacro %}\nA{{ m(1) }}B{{ n(2) }}C"
	guarded, err := guardMacros(src)
	if err != nil {
		t.Fatal(err)
	}
	if guarded == src {
		t.Fatal("nothing was guarded")
	}
	plain, err := jinja.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	want, err := plain.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := render(t, src, Input{})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("guarded %q, plain %q", got, want)
	}
}

func TestToJSONMatchesPython(t *testing.T) {
	v, err := jsonValue([]byte(`{"b":[1,2.5,1e16,1e-5,0.0001,1234567.0,-0.0,true,null],"a":"é😀\u2028<>&\"\\\n\u0001","c":{},"d":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	// The wanted texts are what Python 3.11's json.dumps printed.
	cases := []struct {
		kw   map[string]jinja.Value
		want string
	}{
		{nil, "{\"b\": [1, 2.5, 1e+16, 1e-05, 0.0001, 1234567.0, -0.0, true, null], \"a\": \"é😀\u2028<>&\\\"\\\\\\n\\u0001\", \"c\": {}, \"d\": []}"},
		{map[string]jinja.Value{"ensure_ascii": jinja.NewBool(true)}, `{"b": [1, 2.5, 1e+16, 1e-05, 0.0001, 1234567.0, -0.0, true, null], "a": "\u00e9\ud83d\ude00\u2028<>&\"\\\n\u0001", "c": {}, "d": []}`},
		{map[string]jinja.Value{"ensure_ascii": jinja.NewBool(true), "indent": jinja.NewInt(2), "sort_keys": jinja.NewBool(true)},
			"{\n  \"a\": \"\\u00e9\\ud83d\\ude00\\u2028<>&\\\"\\\\\\n\\u0001\",\n  \"b\": [\n    1,\n    2.5,\n    1e+16,\n    1e-05,\n    0.0001,\n    1234567.0,\n    -0.0,\n    true,\n    null\n  ],\n  \"c\": {},\n  \"d\": []\n}"},
	}
	for i, c := range cases {
		got, err := toJSON([]jinja.Value{v}, c.kw, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if got.AsString() != c.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, got.AsString(), c.want)
		}
	}
}

func TestRewriteToJSON(t *testing.T) {
	cases := map[string]string{
		`{{- t | tojson(indent=4) }}`:                                `{{- sidecar_tojson(t, indent=4) }}`,
		`{{ tools | map(attribute='function') | tojson(indent=2) }}`: `{{ sidecar_tojson(tools | map(attribute='function'), indent=2) }}`,
		`{% set x = a ~ (tool | tojson(ensure_ascii=True)) %}`:       `{% set x = a ~ (sidecar_tojson(tool, ensure_ascii=True)) %}`,
		`{{ '<f>' + c['function']['arguments'] | tojson + '</f>' }}`: `{{ '<f>' + sidecar_tojson(c['function']['arguments']) + '</f>' }}`,
		`{{ "a | tojson" }}`:                                         `{{ "a | tojson" }}`,
		`{{ x|tojson|safe }}`:                                        `{{ sidecar_tojson(x)|safe }}`,
	}
	for in, want := range cases {
		if got := rewriteToJSON(in); got != want {
			t.Errorf("rewriteToJSON(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestCapabilities(t *testing.T) {
	cases := []struct {
		file            string
		tools, thinking bool
	}{
		{"Qwen-Qwen2.5-7B-Instruct", true, false},
		{"Qwen-Qwen3-0.6B", true, true},
		{"meta-llama-Llama-3.1-8B-Instruct", true, false},
		{"google-gemma-2-2b-it", false, false},
		{"microsoft-Phi-3.5-mini-instruct", false, false},
		{"deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", false, true}, // writes tool calls, never the tool list
	}
	for _, c := range cases {
		src, err := os.ReadFile("testdata/" + c.file + ".jinja")
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := Parse(string(src))
		if err != nil {
			t.Fatal(err)
		}
		if got := tmpl.Capabilities(); got.Tools != c.tools || got.Thinking != c.thinking {
			t.Errorf("%s: got %+v, want tools=%v thinking=%v", c.file, got, c.tools, c.thinking)
		}
	}
}

func TestFallbackAndArguments(t *testing.T) {
	got, err := Fallback().Render(Input{Messages: []Message{{Role: "user", Content: "hi"}}, AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"; got != want {
		t.Fatalf("fallback: got %q, want %q", got, want)
	}
	// Arguments that are not a JSON object reach the template as text.
	src := `{% for m in messages %}{% for c in m.tool_calls %}{{ c.function.arguments is string }}:{{ c.function.arguments | tojson }};{% endfor %}{% endfor %}`
	msgs := []Message{{Role: "assistant", ToolCalls: []ToolCall{{Name: "f", Arguments: `{"b": 1, "a": [2]}`}, {Name: "g", Arguments: `not json`}}}}
	got, err = render(t, src, Input{Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if want := `False:{"b": 1, "a": [2]};True:"not json";`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := Fallback().Render(Input{Tools: []json.RawMessage{json.RawMessage(`{"a":`)}}); err == nil {
		t.Fatal("a malformed tool definition was accepted")
	}
}
