package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// writeFailure answers with f in OpenAI's error shape.
func writeFailure(w http.ResponseWriter, f *failure) {
	writeError(w, f.status, f.typ, f.code, f.msg)
}

// generate runs the turn and answers in kind ("chat.completion" or
// "text_completion"), streaming or not.
func (s *Server) generate(w http.ResponseWriter, r *http.Request, p genParams, t *turn, kind string) {
	release, ok := s.slot()
	if !ok {
		writeFailure(w, s.busy(w))
		return
	}
	defer release()
	id := newID(map[bool]string{true: "chatcmpl-", false: "cmpl-"}[kind == "chat.completion"])
	created := time.Now().Unix()
	if p.Stream {
		s.stream(r.Context(), w, p, t, kind, id, created)
		return
	}
	out, err := s.run(r.Context(), t, func(event) error { return nil })
	if err != nil {
		writeFailure(w, s.failureOf(err))
		return
	}
	var choice any
	if kind == "chat.completion" {
		msg := map[string]any{"role": "assistant", "content": out.text}
		if len(out.calls) > 0 {
			calls := make([]any, len(out.calls))
			for i, c := range out.calls {
				calls[i] = map[string]any{"id": c.ID, "type": "function", "function": map[string]any{"name": c.Name, "arguments": c.Arguments}}
			}
			msg["tool_calls"] = calls
			if out.text == "" {
				msg["content"] = nil
			}
		}
		if out.thinking != "" {
			msg["reasoning_content"] = out.thinking
		}
		choice = map[string]any{"index": 0, "message": msg, "finish_reason": out.finish, "logprobs": nil}
	} else {
		choice = map[string]any{"index": 0, "text": out.text, "finish_reason": out.finish, "logprobs": nil}
	}
	body := map[string]any{
		"id": id, "object": kind, "created": created, "model": p.Model,
		"choices": []any{choice}, "usage": toUsage(out.usage),
	}
	if out.cites != nil {
		body["sidecar"] = map[string]any{"citations": out.cites}
	}
	writeJSON(w, http.StatusOK, body)
}

// sse writes server-sent events, sending the headers with the first.
type sse struct {
	w       http.ResponseWriter
	fl      http.Flusher
	started bool
}

func newSSE(w http.ResponseWriter) (*sse, bool) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "server_error", "", "streaming is not supported here")
	}
	return &sse{w: w, fl: fl}, ok
}

func (e *sse) start() {
	if e.started {
		return
	}
	h := e.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	e.w.WriteHeader(http.StatusOK)
	e.started = true
}

// send writes one event; name "" writes a bare data line.
func (e *sse) send(name string, v any) error {
	e.start()
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("localapi: encode event: %w", err)
	}
	if name != "" {
		if _, err := fmt.Fprintf(e.w, "event: %s\n", name); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(e.w, "data: %s\n\n", b); err != nil {
		return err
	}
	e.fl.Flush()
	return nil
}

// stream answers with server-sent events in OpenAI's chunk format.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, p genParams, t *turn, kind, id string, created int64) {
	out, ok := newSSE(w)
	if !ok {
		return
	}
	object := kind + ".chunk"
	if kind == "text_completion" {
		object = kind
	}
	chunk := func(delta map[string]any, text string, finish any) map[string]any {
		var choice map[string]any
		if kind == "chat.completion" {
			choice = map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}
		} else {
			choice = map[string]any{"index": 0, "text": text, "finish_reason": finish, "logprobs": nil}
		}
		return map[string]any{"id": id, "object": object, "created": created, "model": p.Model, "choices": []any{choice}}
	}
	first := true
	res, err := s.run(ctx, t, func(ev event) error {
		if first && kind == "chat.completion" {
			first = false
			if err := out.send("", chunk(map[string]any{"role": "assistant", "content": ""}, "", nil)); err != nil {
				return err
			}
		}
		switch ev.kind {
		case evText:
			return out.send("", chunk(map[string]any{"content": ev.text}, ev.text, nil))
		case evThinking:
			if kind == "chat.completion" {
				return out.send("", chunk(map[string]any{"reasoning_content": ev.text}, "", nil))
			}
		case evCallStart:
			return out.send("", chunk(map[string]any{"tool_calls": []any{map[string]any{"index": ev.index, "id": ev.call.ID, "type": "function",
				"function": map[string]any{"name": ev.call.Name, "arguments": ""}}}}, "", nil))
		case evCallDelta:
			return out.send("", chunk(map[string]any{"tool_calls": []any{map[string]any{"index": ev.index,
				"function": map[string]any{"arguments": ev.call.Arguments}}}}, "", nil))
		}
		return nil
	})
	if err != nil {
		f := s.failureOf(err)
		if !out.started {
			writeFailure(w, f)
			return
		}
		if f.status == 499 {
			return
		}
		var e apiError
		e.Error.Message, e.Error.Type = f.msg, f.typ
		out.send("", e)
		return
	}
	last := chunk(map[string]any{}, "", res.finish)
	if res.cites != nil {
		last["sidecar"] = map[string]any{"citations": res.cites}
	}
	out.send("", last)
	if p.StreamOptions != nil && p.StreamOptions.IncludeUsage {
		out.send("", map[string]any{"id": id, "object": object, "created": created, "model": p.Model, "choices": []any{}, "usage": toUsage(res.usage)})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	out.fl.Flush()
}
