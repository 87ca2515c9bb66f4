package localapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"sidecar/backend/assistant"
	"sidecar/backend/docs"
	"sidecar/backend/llm"
)

type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	ms, err := s.gen.Models(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", publicMessage(err))
		return
	}
	data := []modelObject{}
	for _, m := range ms {
		data = append(data, modelObject{ID: m.ID, Object: "model", OwnedBy: m.Provider})
	}
	if s.emb != nil {
		for _, id := range s.emb.EmbeddingModels() {
			data = append(data, modelObject{ID: id, Object: "model", OwnedBy: "sidecar"})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

type chatMessage struct {
	Role       string          `json:"role"`
	Content    content         `json:"content"`
	Name       string          `json:"name,omitempty"`
	ToolCalls  json.RawMessage `json:"tool_calls,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`
	Refusal    json.RawMessage `json:"refusal,omitempty"`
}

// genParams are the sampling fields both completion endpoints share.
type genParams struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Temperature         *float64  `json:"temperature"`
	TopP                *float64  `json:"top_p"`
	MaxTokens           *int      `json:"max_tokens"`
	MaxCompletionTokens *int      `json:"max_completion_tokens"`
	Seed                *int64    `json:"seed"`
	Stop                stopField `json:"stop"`
	N                   *int      `json:"n"`
	// Accepted for compatibility with common clients, and ignored.
	User             json.RawMessage `json:"user"`
	FrequencyPenalty json.RawMessage `json:"frequency_penalty"`
	PresencePenalty  json.RawMessage `json:"presence_penalty"`
	LogitBias        json.RawMessage `json:"logit_bias"`
	Logprobs         json.RawMessage `json:"logprobs"`
	TopLogprobs      json.RawMessage `json:"top_logprobs"`
	Metadata         json.RawMessage `json:"metadata"`
	Store            json.RawMessage `json:"store"`
	ServiceTier      json.RawMessage `json:"service_tier"`
}

type chatRequest struct {
	genParams
	Messages          []chatMessage   `json:"messages"`
	ResponseFormat    json.RawMessage `json:"response_format"`
	Tools             json.RawMessage `json:"tools"`
	ToolChoice        json.RawMessage `json:"tool_choice"`
	ParallelToolCalls json.RawMessage `json:"parallel_tool_calls"`
	ReasoningEffort   json.RawMessage `json:"reasoning_effort"`
	Sidecar           *sidecarExt     `json:"sidecar"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func toUsage(u llm.Usage) *usage {
	return &usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
}

// request validates the shared fields and builds the provider request; it
// writes the error itself and returns ok=false on failure.
func (s *Server) request(w http.ResponseWriter, p genParams, msgs []llm.Message) (llm.Request, bool) {
	bad := func(msg string) (llm.Request, bool) {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", msg)
		return llm.Request{}, false
	}
	if p.Model == "" {
		return bad("model is required (GET /v1/models lists them)")
	}
	if p.N != nil && *p.N != 1 {
		return bad("n must be 1: one choice per request")
	}
	if p.Temperature != nil && (*p.Temperature < 0 || *p.Temperature > 2) {
		return bad("temperature must be between 0 and 2")
	}
	if p.TopP != nil && (*p.TopP <= 0 || *p.TopP > 1) {
		return bad("top_p must be more than 0 and at most 1")
	}
	max := s.cfg.MaxTokens
	for _, m := range []*int{p.MaxTokens, p.MaxCompletionTokens} {
		if m == nil {
			continue
		}
		if *m < 1 || *m > s.cfg.MaxTokens {
			return bad(fmt.Sprintf("max_tokens must be between 1 and %d", s.cfg.MaxTokens))
		}
		max = *m
	}
	if p.StreamOptions != nil && !p.Stream {
		return bad("stream_options is only allowed with stream: true")
	}
	return llm.Request{Messages: msgs, MaxTokens: max, Temperature: p.Temperature, TopP: p.TopP, Seed: p.Seed, Stop: p.Stop}, true
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	if len(req.Tools) > 0 && string(req.Tools) != "null" && string(req.Tools) != "[]" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "tools_not_supported", "tool calling is not supported by Sidecar's models")
		return
	}
	if len(req.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "messages must not be empty")
		return
	}
	var msgs []llm.Message
	for i, m := range req.Messages {
		switch m.Role {
		case "system", "developer":
			msgs = append(msgs, llm.Message{Role: llm.RoleSystem, Content: string(m.Content)})
		case "user":
			msgs = append(msgs, llm.Message{Role: llm.RoleUser, Content: string(m.Content)})
		case "assistant":
			msgs = append(msgs, llm.Message{Role: llm.RoleAssistant, Content: string(m.Content)})
		default:
			writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", fmt.Sprintf("messages[%d].role %q is not supported", i, m.Role))
			return
		}
	}
	lr, ok := s.request(w, req.genParams, msgs)
	if !ok {
		return
	}
	cites, err := s.groundRequest(r.Context(), req.Model, req.Sidecar, &lr)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "documents_unavailable", publicMessage(err))
		return
	}
	s.generate(w, r, req.genParams, lr, "chat.completion", cites)
}

type completionRequest struct {
	genParams
	Prompt textList        `json:"prompt"`
	Suffix *string         `json:"suffix"`
	Echo   json.RawMessage `json:"echo"`
	BestOf json.RawMessage `json:"best_of"`
}

// fimInstruction asks a chat model to fill in the middle.
const fimInstruction = "You complete code. The user gives the text before and after a gap. " +
	"Answer with exactly the text that belongs in the gap: no explanations, no code fences, nothing repeated from before or after."

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	if len(req.Prompt) != 1 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "prompt must be one string")
		return
	}
	var msgs []llm.Message
	if req.Suffix != nil && *req.Suffix != "" {
		msgs = []llm.Message{
			{Role: llm.RoleSystem, Content: fimInstruction},
			{Role: llm.RoleUser, Content: "Before the gap:\n" + req.Prompt[0] + "\n<<<GAP>>>\nAfter the gap:\n" + *req.Suffix},
		}
	} else {
		msgs = []llm.Message{{Role: llm.RoleUser, Content: req.Prompt[0]}}
	}
	lr, ok := s.request(w, req.genParams, msgs)
	if !ok {
		return
	}
	s.generate(w, r, req.genParams, lr, "text_completion", nil)
}

func newID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// generate runs the model and answers in kind ("chat.completion" or
// "text_completion"), streaming or not.
func (s *Server) generate(w http.ResponseWriter, r *http.Request, p genParams, lr llm.Request, kind string, cites []docs.Hit) {
	select {
	case s.gens <- struct{}{}:
		defer func() { <-s.gens }()
	default:
		w.Header().Set("Retry-After", "2")
		writeError(w, http.StatusTooManyRequests, "rate_limit_error", "too_many_generations",
			fmt.Sprintf("%d generations are already running; retry shortly", cap(s.gens)))
		return
	}
	// The request's context ends when the client goes away: the model stops.
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.MaxGenTime)
	defer cancel()
	id := newID(map[bool]string{true: "chatcmpl-", false: "cmpl-"}[kind == "chat.completion"])
	created := time.Now().Unix()
	if p.Stream {
		s.stream(ctx, w, p, lr, kind, id, created, cites)
		return
	}
	var sb strings.Builder
	c, err := s.gen.Complete(ctx, p.Model, lr, func(t string) error { sb.WriteString(t); return nil })
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		s.modelError(w, err)
		return
	}
	finish := finishReason(c, lr, err)
	var choice any
	if kind == "chat.completion" {
		choice = map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": sb.String()}, "finish_reason": finish, "logprobs": nil}
	} else {
		choice = map[string]any{"index": 0, "text": sb.String(), "finish_reason": finish, "logprobs": nil}
	}
	body := map[string]any{
		"id": id, "object": kind, "created": created, "model": p.Model,
		"choices": []any{choice}, "usage": toUsage(c.Usage),
	}
	if cites != nil {
		body["sidecar"] = map[string]any{"citations": cites}
	}
	writeJSON(w, http.StatusOK, body)
}

func finishReason(c assistant.Completion, lr llm.Request, err error) string {
	if err != nil || (lr.MaxTokens > 0 && c.Usage.CompletionTokens >= lr.MaxTokens) {
		return "length"
	}
	return "stop"
}

func (s *Server) modelError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, llm.ErrUnknownModel), errors.Is(err, assistant.ErrNoProvider):
		writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found", "no such model (GET /v1/models lists them)")
	case errors.Is(err, llm.ErrContextTooLong):
		writeError(w, http.StatusBadRequest, "invalid_request_error", "context_length_exceeded", publicMessage(err))
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this.
		writeError(w, 499, "server_error", "cancelled", "the request was cancelled")
	default:
		s.log.Warn("local API: generation failed", "err", err)
		writeError(w, http.StatusBadGateway, "server_error", "model_error", "the model failed: "+publicMessage(err))
	}
}

// stream answers with server-sent events in OpenAI's chunk format.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, p genParams, lr llm.Request, kind, id string, created int64, cites []docs.Hit) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "server_error", "", "streaming is not supported here")
		return
	}
	object := kind + ".chunk"
	if kind == "text_completion" {
		object = kind
	}
	started := false
	send := func(v any) error {
		if !started {
			h := w.Header()
			h.Set("Content-Type", "text/event-stream")
			h.Set("Connection", "keep-alive")
			h.Set("X-Accel-Buffering", "no")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return err
		}
		fl.Flush()
		return nil
	}
	chunk := func(delta map[string]any, text *string, finish any) map[string]any {
		var choice map[string]any
		if kind == "chat.completion" {
			choice = map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}
		} else {
			choice = map[string]any{"index": 0, "text": *text, "finish_reason": finish, "logprobs": nil}
		}
		return map[string]any{"id": id, "object": object, "created": created, "model": p.Model, "choices": []any{choice}}
	}
	empty := ""
	first := true
	c, err := s.gen.Complete(ctx, p.Model, lr, func(t string) error {
		if first && kind == "chat.completion" {
			first = false
			if err := send(chunk(map[string]any{"role": "assistant", "content": ""}, &empty, nil)); err != nil {
				return err
			}
		}
		return send(chunk(map[string]any{"content": t}, &t, nil))
	})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		if !started {
			s.modelError(w, err)
			return
		}
		if errors.Is(err, context.Canceled) {
			return
		}
		var e apiError
		e.Error.Message, e.Error.Type = "the model failed: "+publicMessage(err), "server_error"
		send(e)
		return
	}
	last := chunk(map[string]any{}, &empty, finishReason(c, lr, err))
	if cites != nil {
		last["sidecar"] = map[string]any{"citations": cites}
	}
	send(last)
	if p.StreamOptions != nil && p.StreamOptions.IncludeUsage {
		send(map[string]any{"id": id, "object": object, "created": created, "model": p.Model, "choices": []any{}, "usage": toUsage(c.Usage)})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	fl.Flush()
}

type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          textList        `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     json.RawMessage `json:"dimensions"`
	User           json.RawMessage `json:"user"`
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req embeddingRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	if s.emb == nil {
		writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found", "no embedding model is available")
		return
	}
	if len(req.Input) == 0 || len(req.Input) > 2048 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "input must be a string or a list of 1 to 2048 strings")
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "encoding_format must be float or base64")
		return
	}
	vecs, err := s.emb.Embed(r.Context(), req.Model, req.Input)
	if err != nil {
		s.modelError(w, err)
		return
	}
	data := make([]any, len(vecs))
	tokens := 0
	for i, v := range vecs {
		var emb any = v
		if req.EncodingFormat == "base64" {
			// Little-endian float32s, base64: what OpenAI clients decode.
			b := make([]byte, 4*len(v))
			for j, x := range v {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(x))
			}
			emb = base64.StdEncoding.EncodeToString(b)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": emb}
		tokens += len(strings.Fields(req.Input[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens}})
}
