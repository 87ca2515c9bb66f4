package localapi

import (
	"encoding/json"
	"net/http"
)

// anthStopReason names why an answer ended, as Anthropic does.
func anthStopReason(f finish) string {
	switch f {
	case finishTools:
		return "tool_use"
	case finishLength:
		return "max_tokens"
	}
	return "end_turn"
}

func anthInput(args string) json.RawMessage {
	var obj map[string]any
	if json.Unmarshal([]byte(args), &obj) != nil || obj == nil {
		return json.RawMessage("{}")
	}
	return json.RawMessage(args)
}

// anthropicRun runs the turn and answers with a Message, or with its
// server-sent events when stream is set.
func (s *Server) anthropicRun(w http.ResponseWriter, r *http.Request, model string, stream bool, t *turn) {
	release, ok := s.slot()
	if !ok {
		writeFailure(w, s.busy(w))
		return
	}
	defer release()
	id := newID("msg_")
	if !stream {
		out, err := s.run(r.Context(), t, func(event) error { return nil })
		if err != nil {
			writeFailure(w, s.failureOf(err))
			return
		}
		content := []any{}
		if out.thinking != "" {
			content = append(content, map[string]any{"type": "thinking", "thinking": out.thinking, "signature": ""})
		}
		if out.text != "" || len(out.calls) == 0 {
			content = append(content, map[string]any{"type": "text", "text": out.text})
		}
		for _, c := range out.calls {
			content = append(content, map[string]any{"type": "tool_use", "id": c.ID, "name": c.Name, "input": anthInput(c.Arguments)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "type": "message", "role": "assistant", "model": model,
			"content": content, "stop_reason": anthStopReason(out.finish), "stop_sequence": nil,
			"usage": map[string]int{"input_tokens": out.usage.PromptTokens, "output_tokens": out.usage.CompletionTokens}})
		return
	}
	out, ok := newSSE(w)
	if !ok {
		return
	}
	out.send("message_start", map[string]any{"type": "message_start", "message": map[string]any{"id": id, "type": "message", "role": "assistant",
		"model": model, "content": []any{}, "stop_reason": nil, "stop_sequence": nil, "usage": map[string]int{"input_tokens": 0, "output_tokens": 0}}})
	out.send("ping", map[string]string{"type": "ping"})
	b := anthBlocksOut{out: out, index: -1}
	res, err := s.run(r.Context(), t, b.event)
	if err == nil {
		err = b.stop()
	}
	if err != nil {
		f := s.failureOf(err)
		if f.status != 499 {
			out.send("error", map[string]any{"type": "error", "error": map[string]string{"type": anthropicErrorType(f.typ, f.status), "message": f.msg}})
		}
		return
	}
	out.send("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": anthStopReason(res.finish), "stop_sequence": nil},
		"usage": map[string]int{"input_tokens": res.usage.PromptTokens, "output_tokens": res.usage.CompletionTokens}})
	out.send("message_stop", map[string]string{"type": "message_stop"})
}

// anthBlocksOut turns the event stream into content blocks: one block
// per run of text or thinking, one per tool call.
type anthBlocksOut struct {
	out   *sse
	index int
	open  string // the open block's type, "" if none
}

func (b *anthBlocksOut) begin(typ string, block map[string]any) error {
	if err := b.stop(); err != nil {
		return err
	}
	b.index++
	b.open = typ
	block["type"] = typ
	return b.out.send("content_block_start", map[string]any{"type": "content_block_start", "index": b.index, "content_block": block})
}

func (b *anthBlocksOut) stop() error {
	if b.open == "" {
		return nil
	}
	b.open = ""
	return b.out.send("content_block_stop", map[string]any{"type": "content_block_stop", "index": b.index})
}

func (b *anthBlocksOut) delta(d map[string]any) error {
	return b.out.send("content_block_delta", map[string]any{"type": "content_block_delta", "index": b.index, "delta": d})
}

func (b *anthBlocksOut) event(ev event) error {
	switch ev.kind {
	case evText:
		if b.open != "text" {
			if err := b.begin("text", map[string]any{"text": ""}); err != nil {
				return err
			}
		}
		return b.delta(map[string]any{"type": "text_delta", "text": ev.text})
	case evThinking:
		if b.open != "thinking" {
			if err := b.begin("thinking", map[string]any{"thinking": "", "signature": ""}); err != nil {
				return err
			}
		}
		return b.delta(map[string]any{"type": "thinking_delta", "thinking": ev.text})
	case evCallStart:
		return b.begin("tool_use", map[string]any{"id": ev.call.ID, "name": ev.call.Name, "input": map[string]any{}})
	case evCallDelta:
		return b.delta(map[string]any{"type": "input_json_delta", "partial_json": ev.call.Arguments})
	case evCallEnd:
		return b.stop()
	}
	return nil
}
