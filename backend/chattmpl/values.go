package chattmpl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ardanlabs/jinja"
)

// Bounds on what one render may do, so a hostile template cannot exhaust
// memory or the stack.
const (
	maxRangeItems   = 1 << 20 // items produced by range() in one render
	maxMacroDepth   = 64      // nested macro calls
	maxJSONDepth    = 64      // nesting of tool schemas and arguments
	maxBracketDepth = 256     // ( [ { nesting in the template text
)

// inputBytes is the size of what a conversation gives a template.
func inputBytes(in Input) int64 {
	n := int64(len(in.BOS) + len(in.EOS))
	for _, m := range in.Messages {
		n += int64(len(m.Role) + len(m.Content) + len(m.Reasoning) + len(m.ToolCallID) + len(m.Name))
		for _, c := range m.ToolCalls {
			n += int64(len(c.ID) + len(c.Name) + len(c.Arguments))
		}
	}
	for _, t := range in.Tools {
		n += int64(len(t))
	}
	return n
}

// values builds the template's variables, in the shapes Hugging Face's
// apply_chat_template passes them, and the checks of a render under b.
func values(in Input, b *budget) (map[string]jinja.Value, error) {
	msgs := make([]jinja.Value, 0, len(in.Messages))
	for i, m := range in.Messages {
		v, err := messageValue(m)
		if err != nil {
			return nil, fmt.Errorf("chattmpl: message %d: %w", i, err)
		}
		msgs = append(msgs, v)
	}
	tools := jinja.None()
	if len(in.Tools) > 0 {
		list := make([]jinja.Value, 0, len(in.Tools))
		for i, raw := range in.Tools {
			v, err := jsonValue(raw)
			if err != nil {
				return nil, fmt.Errorf("chattmpl: tool %d: %w", i, err)
			}
			list = append(list, v)
		}
		tools = jinja.NewList(list)
	}
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	data := map[string]jinja.Value{
		"messages":              jinja.NewList(msgs),
		"tools":                 tools,
		"add_generation_prompt": jinja.NewBool(in.AddGenerationPrompt),
		"bos_token":             jinja.NewString(in.BOS),
		"eos_token":             jinja.NewString(in.EOS),
		"strftime_now": jinja.NewCallable("strftime_now", func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
			if len(args) != 1 || !args[0].IsString() {
				return jinja.Undefined(), errors.New("strftime_now: expected one format string")
			}
			f := args[0].AsString()
			if err := b.bound(5*int64(len(f)), "strftime_now"); err != nil { // %A, the longest, is 9 bytes for 2
				return jinja.Undefined(), err
			}
			out := strftime(now, f)
			return jinja.NewString(out), b.made(int64(len(out)))
		}),
	}
	for name, fn := range b.hooks() {
		data[name] = fn
	}
	if in.EnableThinking != nil {
		data["enable_thinking"] = jinja.NewBool(*in.EnableThinking)
	}
	return data, nil
}

// messageValue gives a message its keys in a fixed order: templates that
// print a message or iterate over it see the order Hugging Face users
// write.
func messageValue(m Message) (jinja.Value, error) {
	v := jinja.NewDict()
	d := v.AsDict()
	d.Set("role", jinja.NewString(m.Role))
	d.Set("content", jinja.NewString(m.Content))
	if m.Reasoning != "" {
		d.Set("reasoning_content", jinja.NewString(m.Reasoning))
	}
	if len(m.ToolCalls) > 0 {
		calls := make([]jinja.Value, 0, len(m.ToolCalls))
		for _, c := range m.ToolCalls {
			cv, err := toolCallValue(c)
			if err != nil {
				return jinja.Undefined(), err
			}
			calls = append(calls, cv)
		}
		d.Set("tool_calls", jinja.NewList(calls))
	}
	if m.ToolCallID != "" {
		d.Set("tool_call_id", jinja.NewString(m.ToolCallID))
	}
	if m.Name != "" {
		d.Set("name", jinja.NewString(m.Name))
	}
	return v, nil
}

func toolCallValue(c ToolCall) (jinja.Value, error) {
	args := jinja.NewString(c.Arguments)
	if a, err := jsonValue([]byte(c.Arguments)); err == nil && a.IsDict() {
		args = a
	}
	fn := jinja.NewDict()
	fn.AsDict().Set("name", jinja.NewString(c.Name))
	fn.AsDict().Set("arguments", args)
	v := jinja.NewDict()
	if c.ID != "" {
		v.AsDict().Set("id", jinja.NewString(c.ID))
	}
	v.AsDict().Set("type", jinja.NewString("function"))
	v.AsDict().Set("function", fn)
	return v, nil
}

// jsonValue decodes JSON keeping object key order (Go maps would lose
// it, and templates print tool schemas with tojson). Integers stay
// integers, as in Python.
func jsonValue(raw []byte) (jinja.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jinja.Undefined(), fmt.Errorf("json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return jinja.Undefined(), errors.New("json: data after the value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (jinja.Value, error) {
	if depth > maxJSONDepth {
		return jinja.Undefined(), fmt.Errorf("nested more than %d deep", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return jinja.Undefined(), err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			var items []jinja.Value
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return jinja.Undefined(), err
				}
				items = append(items, v)
			}
			_, err := dec.Token()
			return jinja.NewList(items), err
		}
		obj := jinja.NewDict()
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return jinja.Undefined(), err
			}
			v, err := decodeValue(dec, depth+1)
			if err != nil {
				return jinja.Undefined(), err
			}
			obj.AsDict().Set(k.(string), v)
		}
		_, err := dec.Token()
		return obj, err
	case json.Number:
		return jinja.FromGoValue(t), nil
	default:
		return jinja.FromGoValue(t), nil // string, bool or nil
	}
}
