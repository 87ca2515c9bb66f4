package localapi

import (
	"encoding/json"
	"net/http"
	"time"

	"sidecar/backend/llm"
)

// ollamaCall is a finished tool call as Ollama writes it: arguments as
// an object (arguments that are not a JSON object become {}).
func ollamaCall(c llm.ToolCall, i int) map[string]any {
	var args map[string]any
	if json.Unmarshal([]byte(c.Arguments), &args) != nil || args == nil {
		args = map[string]any{}
	}
	return map[string]any{"id": c.ID, "function": map[string]any{"index": i, "name": c.Name, "arguments": args}}
}

// ollamaRun runs the turn and answers as /api/chat (chat) or
// /api/generate does: NDJSON lines while streaming, one object if not.
func (s *Server) ollamaRun(w http.ResponseWriter, r *http.Request, model string, stream bool, t *turn, chat bool) {
	release, ok := s.slot()
	if !ok {
		writeFailure(w, s.busy(w))
		return
	}
	defer release()
	start := time.Now()
	fl, _ := w.(http.Flusher)
	started := false
	line := func(v map[string]any) error {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		v["model"], v["created_at"] = model, nowRFC3339()
		if err := json.NewEncoder(w).Encode(v); err != nil {
			return err
		}
		if fl != nil {
			fl.Flush()
		}
		return nil
	}
	piece := func(text, thinking string, calls []any) map[string]any {
		if !chat {
			m := map[string]any{"response": text, "done": false}
			if thinking != "" {
				m["thinking"] = thinking
			}
			return m
		}
		msg := map[string]any{"role": "assistant", "content": text}
		if thinking != "" {
			msg["thinking"] = thinking
		}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
		return map[string]any{"message": msg, "done": false}
	}
	on := func(ev event) error {
		if !stream {
			return nil
		}
		switch ev.kind {
		case evText:
			return line(piece(ev.text, "", nil))
		case evThinking:
			return line(piece("", ev.text, nil))
		case evCallEnd:
			if chat {
				return line(piece("", "", []any{ollamaCall(ev.call, ev.index)}))
			}
		}
		return nil
	}
	out, err := s.run(r.Context(), t, on)
	if err != nil {
		f := s.failureOf(err)
		if !started {
			writeFailure(w, f)
		} else if f.status != 499 {
			line(map[string]any{"error": f.msg})
		}
		return
	}
	last := piece("", "", nil)
	if !stream {
		var calls []any
		for i, c := range out.calls {
			calls = append(calls, ollamaCall(c, i))
		}
		last = piece(out.text, out.thinking, calls)
	}
	reason := "stop"
	if out.finish == finishLength {
		reason = "length"
	}
	took := time.Since(start).Nanoseconds()
	for k, v := range map[string]any{"done": true, "done_reason": reason, "total_duration": took, "load_duration": 0,
		"prompt_eval_count": out.usage.PromptTokens, "prompt_eval_duration": 0, "eval_count": out.usage.CompletionTokens, "eval_duration": took} {
		last[k] = v
	}
	line(last)
}

func (s *Server) ollamaEmbed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model      string          `json:"model"`
		Input      textList        `json:"input"`
		Truncate   json.RawMessage `json:"truncate"`
		Dimensions json.RawMessage `json:"dimensions"`
		Options    json.RawMessage `json:"options"`
		KeepAlive  json.RawMessage `json:"keep_alive"`
	}
	if !s.decodeStrict(w, r, &req) {
		return
	}
	if len(req.Input) > 2048 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "input takes at most 2048 texts")
		return
	}
	start := time.Now()
	vecs, n, ok := s.embedTexts(w, r, req.Model, req.Input)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": req.Model, "embeddings": vecs,
		"total_duration": time.Since(start).Nanoseconds(), "load_duration": 0, "prompt_eval_count": n})
}

// ollamaEmbeddings is the older single-text endpoint.
func (s *Server) ollamaEmbeddings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model     string          `json:"model"`
		Prompt    string          `json:"prompt"`
		Options   json.RawMessage `json:"options"`
		KeepAlive json.RawMessage `json:"keep_alive"`
	}
	if !s.decodeStrict(w, r, &req) {
		return
	}
	vecs, _, ok := s.embedTexts(w, r, req.Model, []string{req.Prompt})
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"embedding": vecs[0]})
}

// embedTexts embeds with an Ollama-style model name; it writes the error
// itself. n counts the input's words.
func (s *Server) embedTexts(w http.ResponseWriter, r *http.Request, model string, in []string) ([][]float32, int, bool) {
	if s.emb == nil {
		writeError(w, http.StatusNotFound, "not_found_error", "model_not_found", "no embedding model is available")
		return nil, 0, false
	}
	id, _ := resolveModel(model)
	vecs, err := s.emb.Embed(r.Context(), id, in)
	if err != nil {
		writeFailure(w, s.failureOf(err))
		return nil, 0, false
	}
	n := 0
	for _, t := range in {
		n += len(llm.SplitWords(t))
	}
	return vecs, n, true
}
