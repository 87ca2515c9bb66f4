package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// RoleTool is a message carrying a tool's result back to the model.
const RoleTool Role = "tool"

// Tool is a function the model may call. Parameters is its JSON Schema
// (an object schema); nil means it takes no arguments.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage
}

// ToolChoiceMode says whether and which tool the model must call.
type ToolChoiceMode string

// The tool-choice modes; the zero value means auto.
const (
	ToolAuto     ToolChoiceMode = ""
	ToolNone     ToolChoiceMode = "none"
	ToolRequired ToolChoiceMode = "required" // some tool
	ToolNamed    ToolChoiceMode = "named"    // the tool named in ToolChoice.Name
)

// ToolChoice is a request's tool_choice.
type ToolChoice struct {
	Mode ToolChoiceMode
	Name string // for ToolNamed
}

// ToolCall is a call the model made: Arguments is a JSON object as text.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string
}

// EventKind says what an Event carries.
type EventKind uint8

// The kinds of streamed event.
const (
	EventText     EventKind = iota + 1 // Text is a piece of the answer
	EventThinking                      // Text is a piece of the model's reasoning
	EventToolCall                      // Call is (part of) the tool call number Index
)

// Event is one piece of a streamed reply. For EventToolCall, the first
// event of a call carries its ID and Name and any later ones only more of
// Arguments (a delta); the events of one call are contiguous, and calls
// are numbered from 0 in order.
type Event struct {
	Kind  EventKind
	Text  string
	Index int
	Call  ToolCall
}

// EventFunc receives each event as soon as it exists. Returning an error
// stops the generation with that error.
type EventFunc func(Event) error

// EventStreamer is implemented by providers that answer with more than
// text: tool calls and reasoning. It is found by type assertion; a
// provider that only implements Provider answers in text (see
// StreamEvents).
type EventStreamer interface {
	StreamEvents(ctx context.Context, req Request, on EventFunc) (Usage, error)
}

// ErrToolsUnsupported means a request requires a tool call from a model
// that cannot call tools.
var ErrToolsUnsupported = errors.New("this model cannot call tools")

// StreamEvents runs req on p and reports its events. A provider that is
// not an EventStreamer gets the request without tools (refused with
// ErrToolsUnsupported when a tool call is required) and with earlier tool
// calls and results written out as text; its text comes back as
// EventText.
func StreamEvents(ctx context.Context, p Provider, req Request, on EventFunc) (Usage, error) {
	if es, ok := p.(EventStreamer); ok {
		return es.StreamEvents(ctx, req, on)
	}
	if len(req.Tools) > 0 && (req.ToolChoice.Mode == ToolRequired || req.ToolChoice.Mode == ToolNamed) {
		return Usage{}, fmt.Errorf("llm: %s: %w", p.ID(), ErrToolsUnsupported)
	}
	req.Tools, req.ToolChoice = nil, ToolChoice{}
	req.Messages = FlattenTools(req.Messages)
	return p.Stream(ctx, req, func(t string) error { return on(Event{Kind: EventText, Text: t}) })
}

// FlattenTools writes tool calls and tool results as plain text, for a
// model that does not know tools: an assistant's calls are appended to its
// text and each result becomes a user message.
func FlattenTools(msgs []Message) []Message {
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		switch {
		case m.Role == RoleTool:
			name := m.ToolName
			if name == "" {
				name = m.ToolCallID
			}
			out = append(out, Message{Role: RoleUser, Content: fmt.Sprintf("Result of the tool call %s:\n%s", name, m.Content)})
		case len(m.ToolCalls) > 0:
			var sb strings.Builder
			sb.WriteString(m.Content)
			for _, c := range m.ToolCalls {
				if sb.Len() > 0 {
					sb.WriteString("\n")
				}
				fmt.Fprintf(&sb, "(called the tool %s with %s)", c.Name, c.Arguments)
			}
			out = append(out, Message{Role: m.Role, Content: sb.String()})
		default:
			out = append(out, m)
		}
	}
	return out
}

// ToolNames lists the names of tools, for messages.
func ToolNames(tools []Tool) []string {
	out := make([]string, len(tools))
	for i, t := range tools {
		out[i] = t.Name
	}
	return out
}

// ParametersOrEmpty returns a tool's parameter schema, or the schema of
// an object without properties when it has none (what the cloud APIs
// require).
func (t Tool) ParametersOrEmpty() json.RawMessage {
	if len(t.Parameters) == 0 || string(t.Parameters) == "null" {
		return json.RawMessage(`{"type":"object","properties":{}}`)
	}
	return t.Parameters
}
