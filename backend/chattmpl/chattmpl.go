// Package chattmpl renders a model's chat template, the Jinja text a GGUF
// file carries as tokenizer.chat_template, into the prompt the model was
// trained on: messages (system, user, assistant with tool calls, tool
// results), the tool list, the generation prompt and the BOS/EOS strings,
// set up as Hugging Face's apply_chat_template sets up jinja2 so a
// template renders the same text here as there.
package chattmpl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ardanlabs/jinja"
)

// MaxSourceBytes bounds the template text accepted; real templates are
// under 20 KiB.
const MaxSourceBytes = 256 << 10

// ErrNoTemplate is returned by Parse for an empty template: the model file
// has none, and the caller decides on a fallback (Fallback).
var ErrNoTemplate = errors.New("chattmpl: the model has no chat template")

// Message is one turn of a conversation.
type Message struct {
	Role       string     `json:"role"` // system, user, assistant or tool
	Content    string     `json:"content"`
	Reasoning  string     `json:"reasoning_content,omitempty"` // an assistant's thinking
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"` // a tool result: the call it answers
	Name       string     `json:"name,omitempty"`         // a tool result: the tool's name
}

// ToolCall is a function call made by the assistant. Arguments is JSON
// text; an object is given to the template as a mapping, as Hugging Face
// does, anything else as the string itself.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string
}

// Input is everything a template is rendered with.
type Input struct {
	Messages []Message
	// Tools are function definitions in the OpenAI shape
	// {"type":"function","function":{"name":..,"description":..,"parameters":{..}}};
	// their key order is kept, as templates print them.
	Tools               []json.RawMessage
	AddGenerationPrompt bool
	BOS, EOS            string
	// EnableThinking, when set, is passed as enable_thinking (Qwen3 and
	// others switch their reasoning on it).
	EnableThinking *bool
	// Now is the time strftime_now prints; zero means time.Now().
	Now time.Time
}

// Template is a compiled chat template. It is safe for concurrent use.
type Template struct {
	src  string
	tmpl *jinja.Template
	caps Capabilities
}

// Capabilities says what a template knows how to show the model.
type Capabilities struct {
	Tools    bool // it renders the tool list it is given
	Thinking bool // it has a reasoning section (<think> or the like)
}

// Parse compiles a chat template.
func Parse(src string) (*Template, error) {
	if strings.TrimSpace(src) == "" {
		return nil, ErrNoTemplate
	}
	if len(src) > MaxSourceBytes {
		return nil, fmt.Errorf("chattmpl: template is %d bytes, more than the %d accepted", len(src), MaxSourceBytes)
	}
	if d := bracketDepth(src); d > maxBracketDepth {
		return nil, fmt.Errorf("chattmpl: brackets nested %d deep, more than the %d accepted", d, maxBracketDepth)
	}
	for _, p := range []string{reservedPrefix, filterPrefix} {
		if strings.Contains(src, p) {
			return nil, fmt.Errorf("chattmpl: names starting with %q are reserved", p)
		}
	}
	guarded, err := guardMacros(src)
	if err != nil {
		return nil, err
	}
	tmpl, err := compile(guarded)
	if err != nil {
		return nil, fmt.Errorf("chattmpl: compile: %w", err)
	}
	if err := patch(tmpl); err != nil {
		return nil, err
	}
	t := &Template{src: src, tmpl: tmpl}
	t.caps = t.detect()
	return t, nil
}

// compile runs the engine's parser, turning a panic on malformed text
// into an error.
func compile(src string) (t *jinja.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("template engine failed: %v", r)
		}
	}()
	return jinja.Compile(src)
}

// Source returns the template text as given to Parse.
func (t *Template) Source() string { return t.src }

// Capabilities reports whether the template renders tools and thinking.
func (t *Template) Capabilities() Capabilities { return t.caps }

// Render renders a conversation. A template that refuses the
// conversation (raise_exception) or fails gives an error saying why.
func (t *Template) Render(in Input) (string, error) {
	return t.RenderContext(context.Background(), in)
}

// RenderContext is Render stopped when ctx is done. A render that goes
// past one of its limits (size of values and output, list items, loop
// iterations and work, recursion; see budget.go) fails with an error
// wrapping ErrLimit.
func (t *Template) RenderContext(ctx context.Context, in Input) (string, error) {
	return t.render(newBudget(ctx, inputBytes(in), int64(len(in.Messages)+len(in.Tools))), in)
}

func (t *Template) render(b *budget, in Input) (out string, err error) {
	data, err := values(in, b)
	if err != nil {
		return "", err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("chattmpl: render: template engine failed: %v", r)
		}
	}()
	out, err = t.tmpl.RenderValues(data)
	if b.err != nil { // a limit, however the template went on after it
		return "", b.err
	}
	if err != nil {
		return "", fmt.Errorf("chattmpl: render: %w", err)
	}
	if int64(len(out)) > b.sizeLimit {
		return "", b.fail("output size", "the text is %d bytes (at most %d)", len(out), b.sizeLimit)
	}
	return out, nil
}
