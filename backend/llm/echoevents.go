package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var _ EventStreamer = (*Echo)(nil)

// StreamEvents implements EventStreamer. The echo model answers as Stream
// does, with three deterministic additions for trying tools and
// reasoning:
//
//   - When the request has tools and the last user message has lines of
//     the form "call NAME {JSON object}" naming one of them, it answers
//     with those tool calls (IDs call_echo_1, call_echo_2, ...) and no
//     text. With tool_choice required (or a named tool) and no such line,
//     it calls the first (or the named) tool with {}. Tool choice "none"
//     switches this off.
//   - When the conversation ends with tool results, it answers
//     "Echo: NAME returned: RESULT" for each of them.
//   - When the request asks for reasoning (Think), it first reasons
//     "The user wrote N words." as thinking.
//
// Two commands show what reached the model, for checking prompts end to
// end: a last user message "/system" is answered with every system
// message of the request, in order ("System: TEXT", one paragraph each,
// or "System: (none)"), and "/sampling" with the sampling settings
// ("Sampling: temperature 0.2, top-p default, max tokens 700"). Like every
// answer, these stop after MaxTokens words when it is set.
func (e *Echo) StreamEvents(ctx context.Context, req Request, on EventFunc) (Usage, error) {
	if req.Model != "" && req.Model != EchoModelID {
		return Usage{}, fmt.Errorf("llm: echo: %w %q", ErrUnknownModel, req.Model)
	}
	if err := CheckRequest(req); err != nil {
		return Usage{}, fmt.Errorf("llm: echo: %w", err)
	}
	if HasImages(req.Messages) {
		return Usage{}, fmt.Errorf("llm: echo: %w", ErrNoVision)
	}
	u := Usage{}
	for _, m := range req.Messages {
		u.PromptTokens += len(SplitWords(m.Content)) + len(m.ToolCalls)
	}
	last := ""
	if n := len(req.Messages); n > 0 && req.Messages[n-1].Role == RoleUser {
		last = req.Messages[n-1].Content
	}
	if req.Think {
		thought := fmt.Sprintf("The user wrote %d words.", len(strings.Fields(lastUser(req.Messages))))
		if err := e.emit(ctx, &u, on, EventThinking, thought, 0); err != nil {
			return u, err
		}
	}
	if calls := echoToolCalls(req, last); len(calls) > 0 {
		for i, c := range calls {
			if err := e.pause(ctx); err != nil {
				return u, err
			}
			// The arguments arrive in two pieces, as real models stream them.
			half := len(c.Arguments) / 2
			if err := on(Event{Kind: EventToolCall, Index: i, Call: ToolCall{ID: c.ID, Name: c.Name, Arguments: c.Arguments[:half]}}); err != nil {
				return u, err
			}
			if err := on(Event{Kind: EventToolCall, Index: i, Call: ToolCall{Arguments: c.Arguments[half:]}}); err != nil {
				return u, err
			}
			u.CompletionTokens++
		}
		return u, nil
	}
	return u, e.emit(ctx, &u, on, EventText, echoReply(req), req.MaxTokens)
}

// emit streams text word by word, at most max words (0: all).
func (e *Echo) emit(ctx context.Context, u *Usage, on EventFunc, kind EventKind, text string, max int) error {
	pieces := SplitWords(text)
	if max > 0 && len(pieces) > max {
		pieces = pieces[:max]
	}
	for _, p := range pieces {
		if err := e.pause(ctx); err != nil {
			return err
		}
		if err := on(Event{Kind: kind, Text: p}); err != nil {
			return err
		}
		u.CompletionTokens++
	}
	return nil
}

func (e *Echo) pause(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.Delay <= 0 {
		return nil
	}
	t := time.NewTimer(e.Delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func lastUser(msgs []Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == RoleUser {
			return msgs[i].Content
		}
	}
	return ""
}

// echoReply is the echo model's text answer.
func echoReply(req Request) string {
	msgs := req.Messages
	if n := len(msgs); n > 0 && msgs[n-1].Role == RoleUser {
		switch strings.TrimSpace(msgs[n-1].Content) {
		case "/system":
			return echoSystem(msgs)
		case "/sampling":
			return echoSampling(req)
		}
	}
	var results []string
	for i := len(msgs) - 1; i >= 0 && msgs[i].Role == RoleTool; i-- {
		name := msgs[i].ToolName
		if name == "" {
			name = msgs[i].ToolCallID
		}
		results = append([]string{fmt.Sprintf("%s returned: %s", name, msgs[i].Content)}, results...)
	}
	if len(results) > 0 {
		return "Echo: " + strings.Join(results, "; ")
	}
	if last := lastUser(msgs); last != "" {
		return "Echo: " + last
	}
	return "Echo: (nothing to echo)"
}

// echoToolCalls reads "call NAME {json}" lines from the last user message.
func echoToolCalls(req Request, last string) []ToolCall {
	if len(req.Tools) == 0 || req.ToolChoice.Mode == ToolNone {
		return nil
	}
	known := map[string]bool{}
	for _, t := range req.Tools {
		known[t.Name] = true
	}
	var calls []ToolCall
	for _, line := range strings.Split(last, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "call ")
		if !ok {
			continue
		}
		name, args, _ := strings.Cut(strings.TrimSpace(rest), " ")
		args = strings.TrimSpace(args)
		if args == "" {
			args = "{}"
		}
		var obj map[string]any
		if !known[name] || json.Unmarshal([]byte(args), &obj) != nil {
			continue
		}
		if req.ToolChoice.Mode == ToolNamed && name != req.ToolChoice.Name {
			continue
		}
		calls = append(calls, ToolCall{Name: name, Arguments: args})
		if req.NoParallel {
			break
		}
	}
	if len(calls) == 0 {
		switch req.ToolChoice.Mode {
		case ToolRequired:
			calls = []ToolCall{{Name: req.Tools[0].Name, Arguments: "{}"}}
		case ToolNamed:
			if known[req.ToolChoice.Name] {
				calls = []ToolCall{{Name: req.ToolChoice.Name, Arguments: "{}"}}
			}
		}
	}
	for i := range calls {
		calls[i].ID = fmt.Sprintf("call_echo_%d", i+1)
	}
	return calls
}

// echoSystem lists the request's system messages, in order.
func echoSystem(msgs []Message) string {
	var parts []string
	for _, m := range msgs {
		if m.Role == RoleSystem {
			parts = append(parts, "System: "+m.Content)
		}
	}
	if len(parts) == 0 {
		return "System: (none)"
	}
	return strings.Join(parts, "\n\n")
}

// echoSampling reports the request's sampling settings.
func echoSampling(req Request) string {
	f := func(p *float64) string {
		if p == nil {
			return "default"
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	max := "default"
	if req.MaxTokens > 0 {
		max = strconv.Itoa(req.MaxTokens)
	}
	return fmt.Sprintf("Sampling: temperature %s, top-p %s, max tokens %s", f(req.Temperature), f(req.TopP), max)
}
