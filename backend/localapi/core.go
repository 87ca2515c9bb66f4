package localapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"sidecar/backend/catalog"
	"sidecar/backend/docs"
	"sidecar/backend/llm"
)

// This file is the dialect-neutral core every dialect (openai.go,
// ollama.go, anthropic.go, responses.go) runs on: a dialect decodes its
// request into a turn, the core runs it and reports a typed event
// stream, and the dialect encodes those events in its own format.

// turn is a request in no dialect.
type turn struct {
	model   string // "provider/model", alias suffixes removed
	ground  bool   // search the user's documents for the last user message
	groundK int
	req     llm.Request
}

// evKind says what an event carries.
type evKind uint8

const (
	evText      evKind = iota + 1 // text: a piece of the answer
	evThinking                    // text: a piece of reasoning
	evCallStart                   // index, call.ID, call.Name
	evCallDelta                   // index, call.Arguments: more arguments
	evCallEnd                     // index, call: the whole call
)

// event is one piece of the answer, in order. The events of a tool call
// are always start, deltas, end, with nothing in between.
type event struct {
	kind  evKind
	text  string
	index int
	call  llm.ToolCall
}

// finish is why an answer ended.
type finish string

const (
	finishStop   finish = "stop"
	finishLength finish = "length"
	finishTools  finish = "tool_calls"
)

// outcome is the whole answer once it is done.
type outcome struct {
	text, thinking string
	calls          []llm.ToolCall
	usage          llm.Usage
	finish         finish
	cites          []docs.Hit // nil unless grounding was asked for
}

// slot takes a generation slot; ok is false when all are busy.
func (s *Server) slot() (release func(), ok bool) {
	select {
	case s.gens <- struct{}{}:
		return func() { <-s.gens }, true
	default:
		return nil, false
	}
}

// run generates the answer to t, calling on for each event. Errors are
// the model's (see failureOf); a deadline ends the answer with "length".
func (s *Server) run(ctx context.Context, t *turn, on func(event) error) (outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.MaxGenTime)
	defer cancel()
	var out outcome
	if t.ground {
		cites, err := s.groundRequest(ctx, t.model, &sidecarExt{Documents: true, K: t.groundK}, &t.req)
		if err != nil {
			return out, &failure{http.StatusBadRequest, "invalid_request_error", "documents_unavailable", publicMessage(err)}
		}
		out.cites = cites
	}
	var text, thinking strings.Builder
	open := -1 // the tool call whose events are under way
	argBytes := 0
	closeCall := func() error {
		if open < 0 {
			return nil
		}
		c := &out.calls[open]
		if argBytes == 0 {
			c.Arguments = "{}"
			if err := on(event{kind: evCallDelta, index: open, call: llm.ToolCall{Arguments: "{}"}}); err != nil {
				return err
			}
		}
		i := open
		open, argBytes = -1, 0
		return on(event{kind: evCallEnd, index: i, call: *c})
	}
	c, err := s.gen.Complete(ctx, t.model, t.req, func(ev llm.Event) error {
		if ev.Kind != llm.EventToolCall || ev.Index != open {
			if err := closeCall(); err != nil {
				return err
			}
		}
		switch ev.Kind {
		case llm.EventText:
			text.WriteString(ev.Text)
			return on(event{kind: evText, text: ev.Text})
		case llm.EventThinking:
			thinking.WriteString(ev.Text)
			return on(event{kind: evThinking, text: ev.Text})
		case llm.EventToolCall:
			if ev.Index != open {
				if ev.Index != len(out.calls) {
					return fmt.Errorf("localapi: tool call %d out of order", ev.Index)
				}
				open = ev.Index
				out.calls = append(out.calls, llm.ToolCall{ID: ev.Call.ID, Name: ev.Call.Name})
				if err := on(event{kind: evCallStart, index: open, call: llm.ToolCall{ID: ev.Call.ID, Name: ev.Call.Name}}); err != nil {
					return err
				}
			}
			if ev.Call.Arguments == "" {
				return nil
			}
			out.calls[open].Arguments += ev.Call.Arguments
			argBytes += len(ev.Call.Arguments)
			return on(event{kind: evCallDelta, index: open, call: llm.ToolCall{Arguments: ev.Call.Arguments}})
		}
		return nil
	})
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		if cerr := closeCall(); cerr != nil && err == nil {
			err = cerr
		}
	}
	out.text, out.thinking, out.usage = text.String(), thinking.String(), c.Usage
	switch {
	case len(out.calls) > 0 && err == nil:
		out.finish = finishTools
	case err != nil || (t.req.MaxTokens > 0 && c.Usage.CompletionTokens >= t.req.MaxTokens):
		out.finish = finishLength
	default:
		out.finish = finishStop
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = nil
	}
	return out, err
}

// failure is an error as an HTTP answer: the status and an OpenAI-style
// type and code that each dialect maps into its own shape.
type failure struct {
	status int
	typ    string
	code   string
	msg    string
}

func (f *failure) Error() string { return f.msg }

// failureOf classifies a generation error.
func (s *Server) failureOf(err error) *failure {
	var f *failure
	switch {
	case errors.As(err, &f):
		return f
	case errors.Is(err, llm.ErrUnknownModel), errors.Is(err, catalog.ErrNoProvider):
		return &failure{http.StatusNotFound, "invalid_request_error", "model_not_found", "no such model (GET /v1/models lists them)"}
	case errors.Is(err, llm.ErrContextTooLong):
		return &failure{http.StatusBadRequest, "invalid_request_error", "context_length_exceeded", publicMessage(err)}
	case errors.Is(err, llm.ErrToolsUnsupported):
		return &failure{http.StatusBadRequest, "invalid_request_error", "tools_not_supported", "this model cannot call tools, and the request requires a tool call"}
	case errors.Is(err, llm.ErrFIMUnsupported):
		return &failure{http.StatusBadRequest, "invalid_request_error", "fim_not_supported", "this model cannot fill in the middle (it has no FIM tokens): send the request without suffix"}
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this.
		return &failure{499, "server_error", "cancelled", "the request was cancelled"}
	}
	s.log.Warn("local API: generation failed", "err", err)
	return &failure{http.StatusBadGateway, "server_error", "model_error", "the model failed: " + publicMessage(err)}
}

// busy is the failure when every generation slot is taken.
func (s *Server) busy(w http.ResponseWriter) *failure {
	w.Header().Set("Retry-After", "2")
	return &failure{http.StatusTooManyRequests, "rate_limit_error", "too_many_generations",
		fmt.Sprintf("%d generations are already running; retry shortly", cap(s.gens))}
}

// groundingSuffixes switch on the user's documents when a model name
// ends with one: "echo/echo+docs" everywhere, "echo/echo:docs" as an
// Ollama tag.
var groundingSuffixes = []string{"+docs", ":docs"}

// resolveModel turns a model name from any dialect into the model ID and
// whether it asks for grounding.
func resolveModel(name string) (id string, ground bool) {
	for _, suf := range groundingSuffixes {
		if strings.HasSuffix(name, suf) {
			return strings.TrimSuffix(name, suf), true
		}
	}
	return strings.TrimSuffix(name, ":latest"), false
}

// limitTokens clamps a requested answer length to the server's limit
// (clients such as Claude Code ask for more than local models allow).
func (s *Server) limitTokens(n int) int {
	if n <= 0 || n > s.cfg.MaxTokens {
		return s.cfg.MaxTokens
	}
	return n
}
