package localapi

import (
	"net/http"
	"time"
)

// respOut builds a response's output items from the event stream and,
// when streaming, sends each Responses event as it happens.
type respOut struct {
	send  func(name string, v map[string]any) error // nil: not streaming
	seq   int
	items []map[string]any
	open  map[string]any // the item under way
	text  string         // its text, arguments or reasoning so far
}

func (o *respOut) emit(name string, v map[string]any) error {
	if o.send == nil {
		return nil
	}
	v["type"], v["sequence_number"] = name, o.seq
	o.seq++
	return o.send(name, v)
}

func (o *respOut) index() int { return len(o.items) - 1 }

// begin opens a new output item.
func (o *respOut) begin(item map[string]any) error {
	if err := o.finish(); err != nil {
		return err
	}
	o.items = append(o.items, item)
	o.open, o.text = item, ""
	return o.emit("response.output_item.added", map[string]any{"output_index": o.index(), "item": copyItem(item)})
}

func copyItem(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// finish completes the open item.
func (o *respOut) finish() error {
	it := o.open
	if it == nil {
		return nil
	}
	o.open = nil
	id, i := it["id"], o.index()
	var err error
	switch it["type"] {
	case "message":
		part := map[string]any{"type": "output_text", "text": o.text, "annotations": []any{}}
		it["content"] = []any{part}
		err = o.emit("response.output_text.done", map[string]any{"item_id": id, "output_index": i, "content_index": 0, "text": o.text, "logprobs": []any{}})
		if err == nil {
			err = o.emit("response.content_part.done", map[string]any{"item_id": id, "output_index": i, "content_index": 0, "part": part})
		}
	case "reasoning":
		part := map[string]any{"type": "summary_text", "text": o.text}
		it["summary"] = []any{part}
		err = o.emit("response.reasoning_summary_text.done", map[string]any{"item_id": id, "output_index": i, "summary_index": 0, "text": o.text})
		if err == nil {
			err = o.emit("response.reasoning_summary_part.done", map[string]any{"item_id": id, "output_index": i, "summary_index": 0, "part": part})
		}
	case "function_call":
		it["arguments"] = o.text
		err = o.emit("response.function_call_arguments.done", map[string]any{"item_id": id, "output_index": i, "name": it["name"], "arguments": o.text})
	}
	if err != nil {
		return err
	}
	if it["type"] != "reasoning" {
		it["status"] = "completed"
	}
	return o.emit("response.output_item.done", map[string]any{"output_index": i, "item": it})
}

func (o *respOut) event(ev event) error {
	kind, _ := o.open["type"].(string)
	switch ev.kind {
	case evText:
		if kind != "message" {
			item := map[string]any{"id": newID("msg_"), "type": "message", "status": "in_progress", "role": "assistant", "content": []any{}}
			if err := o.begin(item); err != nil {
				return err
			}
			if err := o.emit("response.content_part.added", map[string]any{"item_id": item["id"], "output_index": o.index(), "content_index": 0,
				"part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}}); err != nil {
				return err
			}
		}
		o.text += ev.text
		return o.emit("response.output_text.delta", map[string]any{"item_id": o.open["id"], "output_index": o.index(), "content_index": 0, "delta": ev.text, "logprobs": []any{}})
	case evThinking:
		if kind != "reasoning" {
			item := map[string]any{"id": newID("rs_"), "type": "reasoning", "summary": []any{}}
			if err := o.begin(item); err != nil {
				return err
			}
			if err := o.emit("response.reasoning_summary_part.added", map[string]any{"item_id": item["id"], "output_index": o.index(), "summary_index": 0,
				"part": map[string]any{"type": "summary_text", "text": ""}}); err != nil {
				return err
			}
		}
		o.text += ev.text
		return o.emit("response.reasoning_summary_text.delta", map[string]any{"item_id": o.open["id"], "output_index": o.index(), "summary_index": 0, "delta": ev.text})
	case evCallStart:
		return o.begin(map[string]any{"id": newID("fc_"), "type": "function_call", "status": "in_progress", "call_id": ev.call.ID, "name": ev.call.Name, "arguments": ""})
	case evCallDelta:
		o.text += ev.call.Arguments
		return o.emit("response.function_call_arguments.delta", map[string]any{"item_id": o.open["id"], "output_index": o.index(), "delta": ev.call.Arguments})
	case evCallEnd:
		return o.finish()
	}
	return nil
}

// respObject is the response as response.created, response.completed and
// the non-streamed answer show it.
func respObject(id string, created int64, req *responsesRequest, t *turn, status string, output []map[string]any, res *outcome) map[string]any {
	out := output
	if out == nil {
		out = []map[string]any{}
	}
	store := req.Store == nil || *req.Store
	obj := map[string]any{
		"id": id, "object": "response", "created_at": created, "status": status, "model": req.Model,
		"output": out, "instructions": nilIfEmpty(req.Instructions), "error": nil, "incomplete_details": nil,
		"tools": []any{}, "tool_choice": "auto", "parallel_tool_calls": !t.req.NoParallel, "metadata": map[string]any{},
		"max_output_tokens": t.req.MaxTokens, "previous_response_id": nil, "store": store, "temperature": t.req.Temperature,
		"top_p": t.req.TopP, "truncation": "disabled", "text": map[string]any{"format": map[string]string{"type": "text"}},
		"usage": nil, "reasoning": map[string]any{"effort": nil, "summary": nil},
	}
	if res != nil {
		obj["usage"] = map[string]any{"input_tokens": res.usage.PromptTokens, "output_tokens": res.usage.CompletionTokens,
			"total_tokens":         res.usage.PromptTokens + res.usage.CompletionTokens,
			"input_tokens_details": map[string]int{"cached_tokens": 0}, "output_tokens_details": map[string]int{"reasoning_tokens": 0}}
		if res.finish == finishLength {
			obj["incomplete_details"] = map[string]string{"reason": "max_output_tokens"}
		}
	}
	return obj
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// responsesRun runs the turn and answers with a response object, or with
// its events when streaming.
func (s *Server) responsesRun(w http.ResponseWriter, r *http.Request, req *responsesRequest, t *turn) {
	release, ok := s.slot()
	if !ok {
		writeFailure(w, s.busy(w))
		return
	}
	defer release()
	id, created := newID("resp_"), time.Now().Unix()
	o := &respOut{}
	var stream *sse
	if req.Stream {
		if stream, ok = newSSE(w); !ok {
			return
		}
		o.send = func(name string, v map[string]any) error { return stream.send(name, v) }
		o.emit("response.created", map[string]any{"response": respObject(id, created, req, t, "in_progress", nil, nil)})
		o.emit("response.in_progress", map[string]any{"response": respObject(id, created, req, t, "in_progress", nil, nil)})
	}
	res, err := s.run(r.Context(), t, o.event)
	if err == nil {
		err = o.finish()
	}
	if err != nil {
		f := s.failureOf(err)
		if !req.Stream {
			writeFailure(w, f)
			return
		}
		if f.status != 499 {
			failed := respObject(id, created, req, t, "failed", o.items, nil)
			failed["error"] = map[string]string{"code": "server_error", "message": f.msg}
			o.emit("response.failed", map[string]any{"response": failed})
		}
		return
	}
	status, name := "completed", "response.completed"
	if res.finish == finishLength {
		status, name = "incomplete", "response.incomplete"
	}
	final := respObject(id, created, req, t, status, o.items, &res)
	if !req.Stream {
		writeJSON(w, http.StatusOK, final)
		return
	}
	o.emit(name, map[string]any{"response": final})
}
