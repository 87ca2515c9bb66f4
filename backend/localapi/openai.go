package localapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"

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
	Role             string          `json:"role"`
	Content          content         `json:"content"`
	Name             string          `json:"name,omitempty"`
	ToolCalls        []chatToolCall  `json:"tool_calls,omitempty"`
	ToolCallID       string          `json:"tool_call_id,omitempty"`
	Refusal          json.RawMessage `json:"refusal,omitempty"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
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
	ResponseFormat    *responseFormat `json:"response_format"`
	Tools             []chatTool      `json:"tools"`
	ToolChoice        json.RawMessage `json:"tool_choice"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls"`
	ReasoningEffort   json.RawMessage `json:"reasoning_effort"`
	Sidecar           *sidecarExt     `json:"sidecar"`
}

type responseFormat struct {
	Type       string          `json:"type"`
	JSONSchema json.RawMessage `json:"json_schema"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func toUsage(u llm.Usage) *usage {
	return &usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
}

// request validates the shared fields and builds the turn; it writes the
// error itself and returns ok=false on failure.
func (s *Server) request(w http.ResponseWriter, p genParams, msgs []llm.Message) (*turn, bool) {
	bad := func(msg string) (*turn, bool) {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", msg)
		return nil, false
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
	t := &turn{req: llm.Request{Messages: msgs, MaxTokens: max, Temperature: p.Temperature, TopP: p.TopP, Seed: p.Seed, Stop: p.Stop}}
	t.model, t.ground = resolveModel(p.Model)
	return t, true
}

// chatMessages turns Chat Completions messages into the neutral form.
func chatMessages(in []chatMessage) ([]llm.Message, error) {
	var msgs []llm.Message
	names := map[string]string{} // tool call ID -> name, for results
	for i, m := range in {
		switch m.Role {
		case "system", "developer":
			msgs = append(msgs, llm.Message{Role: llm.RoleSystem, Content: string(m.Content)})
		case "user":
			msgs = append(msgs, llm.Message{Role: llm.RoleUser, Content: string(m.Content)})
		case "assistant":
			am := llm.Message{Role: llm.RoleAssistant, Content: string(m.Content)}
			if m.ReasoningContent != nil {
				am.Thinking = *m.ReasoningContent
			}
			for j, c := range m.ToolCalls {
				if c.Type != "" && c.Type != "function" || c.ID == "" || !validToolName(c.Function.Name) {
					return nil, fmt.Errorf("messages[%d].tool_calls[%d] needs an id, type function and a valid function name", i, j)
				}
				am.ToolCalls = append(am.ToolCalls, llm.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: c.Function.Arguments})
				names[c.ID] = c.Function.Name
			}
			msgs = append(msgs, am)
		case "tool":
			if m.ToolCallID == "" {
				return nil, fmt.Errorf("messages[%d].tool_call_id is required for role tool", i)
			}
			msgs = append(msgs, llm.Message{Role: llm.RoleTool, Content: string(m.Content), ToolCallID: m.ToolCallID, ToolName: names[m.ToolCallID]})
		default:
			return nil, fmt.Errorf("messages[%d].role %q is not supported", i, m.Role)
		}
	}
	return msgs, nil
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	bad := func(msg string) {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", msg)
	}
	if len(req.Messages) == 0 {
		bad("messages must not be empty")
		return
	}
	msgs, err := chatMessages(req.Messages)
	if err != nil {
		bad(err.Error())
		return
	}
	tools, err := chatTools(req.Tools)
	if err != nil {
		bad(err.Error())
		return
	}
	choice, err := chatToolChoice(req.ToolChoice, tools)
	if err != nil {
		bad(err.Error())
		return
	}
	t, ok := s.request(w, req.genParams, msgs)
	if !ok {
		return
	}
	t.req.Tools, t.req.ToolChoice = tools, choice
	t.req.NoParallel = req.ParallelToolCalls != nil && !*req.ParallelToolCalls
	t.req.Think = len(req.ReasoningEffort) > 0 && string(req.ReasoningEffort) != "null" && string(req.ReasoningEffort) != `"none"`
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case "text", "":
		case "json_object", "json_schema":
			t.req.JSON = true
		default:
			bad("response_format.type must be text, json_object or json_schema")
			return
		}
	}
	if req.Sidecar != nil && req.Sidecar.Documents {
		t.ground, t.groundK = true, req.Sidecar.K
	}
	s.generate(w, r, req.genParams, t, "chat.completion")
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

// fimMessages asks a chat model for the text between prompt and suffix.
func fimMessages(prompt, suffix string) []llm.Message {
	if suffix == "" {
		return []llm.Message{{Role: llm.RoleUser, Content: prompt}}
	}
	return []llm.Message{
		{Role: llm.RoleSystem, Content: fimInstruction},
		{Role: llm.RoleUser, Content: "Before the gap:\n" + prompt + "\n<<<GAP>>>\nAfter the gap:\n" + suffix},
	}
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	if len(req.Prompt) != 1 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "prompt must be one string")
		return
	}
	suffix := ""
	if req.Suffix != nil {
		suffix = *req.Suffix
	}
	t, ok := s.request(w, req.genParams, fimMessages(req.Prompt[0], suffix))
	if !ok {
		return
	}
	// Local models continue the prompt as it is (no chat template), or
	// fill in the middle with their FIM tokens; chat models answer the
	// messages.
	t.req.Text = &llm.TextPrompt{Prefix: req.Prompt[0], Suffix: suffix}
	s.generate(w, r, req.genParams, t, "text_completion")
}

func newID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
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
		writeFailure(w, s.failureOf(err))
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
