package llm

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// collect runs req and gathers the text, thinking and assembled calls.
func collect(t *testing.T, p Provider, req Request) (text, thinking string, calls []ToolCall) {
	t.Helper()
	_, err := StreamEvents(context.Background(), p, req, func(ev Event) error {
		switch ev.Kind {
		case EventText:
			text += ev.Text
		case EventThinking:
			thinking += ev.Text
		case EventToolCall:
			if ev.Call.ID != "" {
				if ev.Index != len(calls) {
					t.Fatalf("call index %d, want %d", ev.Index, len(calls))
				}
				calls = append(calls, ToolCall{ID: ev.Call.ID, Name: ev.Call.Name})
			}
			calls[ev.Index].Arguments += ev.Call.Arguments
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

var weather = []Tool{{Name: "get_weather", Parameters: []byte(`{"type":"object","properties":{"city":{"type":"string"}}}`)}, {Name: "read_file"}}

func TestEchoToolCallDirective(t *testing.T) {
	msgs := []Message{{Role: RoleUser, Content: "please\ncall get_weather {\"city\":\"Paris\"}\ncall read_file {\"path\":\"a.go\"}\ncall nope {}"}}
	text, _, calls := collect(t, &Echo{}, Request{Messages: msgs, Tools: weather})
	if text != "" || len(calls) != 2 {
		t.Fatalf("text %q calls %+v", text, calls)
	}
	if calls[0] != (ToolCall{ID: "call_echo_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}) || calls[1].Name != "read_file" || calls[1].Arguments != `{"path":"a.go"}` {
		t.Fatalf("calls %+v", calls)
	}
	// One call only when parallel calls are off; none with tool_choice none.
	if _, _, c := collect(t, &Echo{}, Request{Messages: msgs, Tools: weather, NoParallel: true}); len(c) != 1 {
		t.Fatalf("no-parallel calls %+v", c)
	}
	if text, _, c := collect(t, &Echo{}, Request{Messages: msgs, Tools: weather, ToolChoice: ToolChoice{Mode: ToolNone}}); len(c) != 0 || !strings.HasPrefix(text, "Echo: please") {
		t.Fatalf("tool_choice none: %q %+v", text, c)
	}
	// Without tools the directive is plain text.
	if text, _, c := collect(t, &Echo{}, Request{Messages: msgs}); len(c) != 0 || !strings.Contains(text, "call get_weather") {
		t.Fatalf("no tools: %q %+v", text, c)
	}
	// Malformed JSON is not a call.
	bad := []Message{{Role: RoleUser, Content: `call get_weather {"city":`}}
	if text, _, c := collect(t, &Echo{}, Request{Messages: bad, Tools: weather}); len(c) != 0 || text == "" {
		t.Fatalf("malformed: %q %+v", text, c)
	}
}

func TestEchoRequiredToolAndResults(t *testing.T) {
	hi := []Message{{Role: RoleUser, Content: "hi"}}
	_, _, c := collect(t, &Echo{}, Request{Messages: hi, Tools: weather, ToolChoice: ToolChoice{Mode: ToolRequired}})
	if len(c) != 1 || c[0].Name != "get_weather" || c[0].Arguments != "{}" {
		t.Fatalf("required: %+v", c)
	}
	_, _, c = collect(t, &Echo{}, Request{Messages: hi, Tools: weather, ToolChoice: ToolChoice{Mode: ToolNamed, Name: "read_file"}})
	if len(c) != 1 || c[0].Name != "read_file" {
		t.Fatalf("named: %+v", c)
	}
	round := append(hi, Message{Role: RoleAssistant, ToolCalls: []ToolCall{{ID: "call_echo_1", Name: "get_weather", Arguments: "{}"}}},
		Message{Role: RoleTool, ToolCallID: "call_echo_1", ToolName: "get_weather", Content: "sunny"})
	text, _, c := collect(t, &Echo{}, Request{Messages: round, Tools: weather})
	if text != "Echo: get_weather returned: sunny" || len(c) != 0 {
		t.Fatalf("after results: %q %+v", text, c)
	}
}

func TestEchoThinking(t *testing.T) {
	text, thinking, _ := collect(t, &Echo{}, Request{Messages: []Message{{Role: RoleUser, Content: "one two three"}}, Think: true})
	if thinking != "The user wrote 3 words." || text != "Echo: one two three" {
		t.Fatalf("thinking %q text %q", thinking, text)
	}
}

// textOnly is a provider without EventStreamer.
type textOnly struct{ got Request }

func (p *textOnly) ID() string                              { return "text" }
func (p *textOnly) Models(context.Context) ([]Model, error) { return nil, nil }
func (p *textOnly) Stream(_ context.Context, req Request, on TokenFunc) (Usage, error) {
	p.got = req
	return Usage{}, on("ok")
}

func TestStreamEventsForTextOnlyProviders(t *testing.T) {
	p := &textOnly{}
	msgs := []Message{{Role: RoleUser, Content: "q"}, {Role: RoleAssistant, ToolCalls: []ToolCall{{Name: "f", Arguments: `{"a":1}`}}}, {Role: RoleTool, ToolName: "f", Content: "42"}}
	text, _, _ := collect(t, p, Request{Messages: msgs, Tools: weather})
	if text != "ok" || len(p.got.Tools) != 0 || len(p.got.Messages) != 3 {
		t.Fatalf("text %q req %+v", text, p.got)
	}
	if m := p.got.Messages[1]; m.Role != RoleAssistant || !strings.Contains(m.Content, `f with {"a":1}`) {
		t.Fatalf("flattened call %+v", m)
	}
	if m := p.got.Messages[2]; m.Role != RoleUser || !strings.Contains(m.Content, "42") {
		t.Fatalf("flattened result %+v", m)
	}
	_, err := StreamEvents(context.Background(), p, Request{Messages: msgs, Tools: weather, ToolChoice: ToolChoice{Mode: ToolRequired}}, func(Event) error { return nil })
	if !errors.Is(err, ErrToolsUnsupported) {
		t.Fatalf("required tool on a text-only model: %v", err)
	}
}
