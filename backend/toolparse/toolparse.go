// Package toolparse reads tool calls out of the text a local model
// generates, in the formats chat templates teach: Qwen/Hermes
// (<tool_call>{json}</tool_call>), Llama 3.1 (a bare JSON object with
// "name" and "parameters", optionally after <|python_tag|>) and Mistral
// ([TOOL_CALLS] followed by a JSON list, or name[ARGS]{json}); and it
// splits <think> reasoning from the answer (think.go). Malformed output is
// never a crash: the text is kept as plain text and the error says why.
package toolparse

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"sidecar/backend/llm"
)

// Format is a family of tool-call syntax.
type Format uint8

// The formats understood.
const (
	Hermes  Format = iota + 1 // Qwen 2.5/3, Hermes, many fine-tunes
	Llama3                    // Llama 3.1, 3.2, 3.3
	Mistral                   // Mistral, Mixtral, Devstral, Magistral
)

// ErrMalformed means the text looked like a tool call but could not be
// read as one; the text is returned unchanged with it.
var ErrMalformed = errors.New("toolparse: malformed tool call")

// maxCalls bounds the calls read from one answer.
const maxCalls = 64

// Parse splits a finished answer into its plain text and its tool calls.
// IDs are call_1, call_2... unless the output names them. When the text
// holds no call, calls is nil and err nil; when a call is malformed, text
// is the whole input, calls nil and err wraps ErrMalformed.
func Parse(f Format, out string) (text string, calls []llm.ToolCall, err error) {
	switch f {
	case Hermes:
		text, calls, err = parseHermes(out)
	case Llama3:
		text, calls, err = parseLlama3(out)
	case Mistral:
		text, calls, err = parseMistral(out)
	default:
		return out, nil, fmt.Errorf("toolparse: unknown format %d", f)
	}
	if err != nil {
		return out, nil, err
	}
	if len(calls) > maxCalls {
		return out, nil, fmt.Errorf("%w: %d calls, at most %d", ErrMalformed, len(calls), maxCalls)
	}
	for i := range calls {
		if calls[i].ID == "" {
			calls[i].ID = fmt.Sprintf("call_%d", i+1)
		}
	}
	return text, calls, nil
}

// call is a call as the models write it: arguments or parameters.
type call struct {
	Name       string          `json:"name"`
	Arguments  json.RawMessage `json:"arguments"`
	Parameters json.RawMessage `json:"parameters"`
	ID         string          `json:"id"`
}

func (c call) toolCall() (llm.ToolCall, error) {
	if c.Name == "" {
		return llm.ToolCall{}, fmt.Errorf("%w: a call without a name", ErrMalformed)
	}
	args := c.Arguments
	if len(args) == 0 {
		args = c.Parameters
	}
	if len(args) == 0 || string(args) == "null" {
		args = json.RawMessage("{}")
	}
	// Some models write the arguments as a JSON string holding JSON.
	var s string
	if json.Unmarshal(args, &s) == nil {
		args = json.RawMessage(s)
	}
	var obj map[string]any
	if json.Unmarshal(args, &obj) != nil {
		return llm.ToolCall{}, fmt.Errorf("%w: the arguments of %s are not a JSON object", ErrMalformed, c.Name)
	}
	return llm.ToolCall{ID: c.ID, Name: c.Name, Arguments: string(args)}, nil
}

func decodeCall(s string) (llm.ToolCall, error) {
	var c call
	if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &c); err != nil {
		return llm.ToolCall{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return c.toolCall()
}

func parseHermes(out string) (string, []llm.ToolCall, error) {
	const open, close = "<tool_call>", "</tool_call>"
	var text strings.Builder
	var calls []llm.ToolCall
	rest := out
	for {
		i := strings.Index(rest, open)
		if i < 0 {
			text.WriteString(rest)
			break
		}
		text.WriteString(rest[:i])
		body := rest[i+len(open):]
		j := strings.Index(body, close)
		if j < 0 {
			// A model stopped at its end token before closing the tag.
			j = len(body)
		}
		c, err := decodeCall(body[:j])
		if err != nil {
			return "", nil, err
		}
		calls = append(calls, c)
		rest = body[min(j+len(close), len(body)):]
	}
	return strings.TrimSpace(text.String()), calls, nil
}

func parseLlama3(out string) (string, []llm.ToolCall, error) {
	s := strings.TrimSpace(out)
	tagged := strings.HasPrefix(s, "<|python_tag|>")
	s = strings.TrimSpace(strings.TrimPrefix(s, "<|python_tag|>"))
	if !strings.HasPrefix(s, "{") {
		if tagged {
			return "", nil, fmt.Errorf("%w: <|python_tag|> without a JSON call", ErrMalformed)
		}
		return out, nil, nil
	}
	// One call, or several separated by ";".
	var calls []llm.ToolCall
	dec := json.NewDecoder(strings.NewReader(s))
	for {
		var c call
		if err := dec.Decode(&c); err != nil {
			if calls == nil && !tagged && !strings.Contains(s, `"name"`) {
				return out, nil, nil // JSON that is no call: an answer
			}
			return "", nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		tc, err := c.toolCall()
		if err != nil {
			if calls == nil && !tagged {
				return out, nil, nil
			}
			return "", nil, err
		}
		calls = append(calls, tc)
		rest := strings.TrimLeft(s[dec.InputOffset():], " \t\r\n;")
		if rest == "" {
			return "", calls, nil
		}
		s = rest
		dec = json.NewDecoder(strings.NewReader(s))
	}
}

func parseMistral(out string) (string, []llm.ToolCall, error) {
	const tag = "[TOOL_CALLS]"
	i := strings.Index(out, tag)
	if i < 0 {
		return out, nil, nil
	}
	text := strings.TrimSpace(out[:i])
	body := strings.TrimSpace(out[i+len(tag):])
	if strings.HasPrefix(body, "[") {
		var list []call
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			return "", nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		var calls []llm.ToolCall
		for _, c := range list {
			tc, err := c.toolCall()
			if err != nil {
				return "", nil, err
			}
			calls = append(calls, tc)
		}
		return text, calls, nil
	}
	// The newer form: name[ARGS]{json}, repeated after further tags.
	var calls []llm.ToolCall
	for _, part := range strings.Split(body, tag) {
		name, args, ok := strings.Cut(strings.TrimSpace(part), "[ARGS]")
		if !ok {
			return "", nil, fmt.Errorf("%w: [TOOL_CALLS] without [ARGS]", ErrMalformed)
		}
		tc, err := call{Name: strings.TrimSpace(name), Arguments: json.RawMessage(strings.TrimSpace(args))}.toolCall()
		if err != nil {
			return "", nil, err
		}
		calls = append(calls, tc)
	}
	return text, calls, nil
}
