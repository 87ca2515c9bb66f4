package chattmpl

import (
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// conversation is one entry of testdata/conversations.json, the input
// testdata/gen.py rendered with Python's jinja2.
type conversation struct {
	Name                string            `json:"name"`
	BOS                 string            `json:"bos_token"`
	EOS                 string            `json:"eos_token"`
	AddGenerationPrompt bool              `json:"add_generation_prompt"`
	Tools               []json.RawMessage `json:"tools"`
	Messages            []struct {
		Message
		ToolCalls []struct {
			ID       string `json:"id"`
			Function struct {
				Name      string          `json:"name"`
				Arguments json.RawMessage `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"messages"`
}

// knownDifferences are renders where jinja2's output depends on its
// Markup type: "'text'|safe + value|tojson" escapes the JSON as HTML in
// Python (a Markup plus a str escapes the str); the engine here has no
// Markup and prints the JSON as is, which is what the model was trained
// to read.
var knownDifferences = map[string]string{
	"meetkai-functionary-medium-v3.1.tools": "HTML escaping of Markup concatenation",
}

// fixedNow is the clock gen.py gives strftime_now.
var fixedNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func (c conversation) input() Input {
	in := Input{Tools: c.Tools, AddGenerationPrompt: c.AddGenerationPrompt, BOS: c.BOS, EOS: c.EOS, Now: fixedNow}
	for _, m := range c.Messages {
		msg := m.Message
		for _, tc := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: string(tc.Function.Arguments)})
		}
		in.Messages = append(in.Messages, msg)
	}
	return in
}

func loadConversations(t testing.TB) []conversation {
	t.Helper()
	raw, err := os.ReadFile("testdata/conversations.json")
	if err != nil {
		t.Fatal(err)
	}
	var convs []conversation
	if err := json.Unmarshal(raw, &convs); err != nil {
		t.Fatal(err)
	}
	return convs
}

// TestMatchesJinja2 renders every template gen.py rendered and compares
// byte for byte with jinja2's output.
func TestMatchesJinja2(t *testing.T) {
	convs := loadConversations(t)
	files, err := filepath.Glob("testdata/*.jinja")
	if err != nil || len(files) < 50 {
		t.Fatalf("want the committed templates, found %d (%v)", len(files), err)
	}
	compared := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(file, ".jinja")
		tmpl, err := Parse(string(src))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		for _, c := range convs {
			want, err := os.ReadFile(base + "." + c.Name + ".out")
			if os.IsNotExist(err) {
				continue // jinja2 refused this conversation: see the .err file
			}
			if err != nil {
				t.Fatal(err)
			}
			compared++
			got, err := tmpl.Render(c.input())
			if err != nil {
				t.Errorf("%s %s: %v", filepath.Base(base), c.Name, err)
				continue
			}
			if reason, ok := knownDifferences[filepath.Base(base)+"."+c.Name]; ok {
				// Only jinja2's escaping may differ, nothing else.
				if got == string(want) || got != html.UnescapeString(string(want)) {
					t.Errorf("%s %s: expected to differ only by %s", filepath.Base(base), c.Name, reason)
				}
				continue
			}
			if got != string(want) {
				t.Errorf("%s %s: differs from jinja2 at byte %d\n got: %q\nwant: %q", filepath.Base(base), c.Name,
					firstDiff(got, string(want)), around(got, firstDiff(got, string(want))), around(string(want), firstDiff(got, string(want))))
			}
		}
	}
	t.Logf("%d templates, %d renders compared", len(files), compared)
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(s string, i int) string {
	return s[max(0, i-60):min(len(s), i+60)]
}
