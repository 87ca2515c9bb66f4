package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"sidecar/backend/llm"
)

// The Anthropic Messages dialect, as Claude Code and the Anthropic SDKs
// speak it (ANTHROPIC_BASE_URL). The token may come as x-api-key or a
// bearer token; anthropic-version and anthropic-beta are accepted. Fields
// that do not apply to Sidecar's models (metadata, cache_control,
// context_management, output_config, server tools...) are accepted and
// ignored; max_tokens is clamped to the server's limit.

type anthropicRequest struct {
	Model             string            `json:"model"`
	MaxTokens         *int              `json:"max_tokens"`
	Messages          []anthMessage     `json:"messages"`
	System            json.RawMessage   `json:"system"`
	Tools             []json.RawMessage `json:"tools"`
	ToolChoice        json.RawMessage   `json:"tool_choice"`
	Stream            bool              `json:"stream"`
	Temperature       *float64          `json:"temperature"`
	TopP              *float64          `json:"top_p"`
	TopK              *int              `json:"top_k"`
	StopSequences     []string          `json:"stop_sequences"`
	Thinking          json.RawMessage   `json:"thinking"`
	Metadata          json.RawMessage   `json:"metadata"`
	ContextManagement json.RawMessage   `json:"context_management"`
	OutputConfig      json.RawMessage   `json:"output_config"`
	OutputFormat      json.RawMessage   `json:"output_format"`
	ServiceTier       json.RawMessage   `json:"service_tier"`
	Container         json.RawMessage   `json:"container"`
	MCPServers        json.RawMessage   `json:"mcp_servers"`
}

type anthMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// anthBlock is a content block; fields this server does not use
// (cache_control, citations...) are ignored.
type anthBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   bool            `json:"is_error"`
	Thinking  string          `json:"thinking"`
}

// anthBlocks reads content given as a string or as blocks.
func anthBlocks(raw json.RawMessage) ([]anthBlock, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []anthBlock{{Type: "text", Text: s}}, nil
	}
	var blocks []anthBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, errors.New("content must be a string or a list of content blocks")
	}
	return blocks, nil
}

// anthText joins the text blocks of content (a tool result's or the
// system prompt).
func anthText(raw json.RawMessage) (string, error) {
	blocks, err := anthBlocks(raw)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, b := range blocks {
		switch b.Type {
		case "text":
			if sb.Len() > 0 {
				sb.WriteString("\n")
			}
			sb.WriteString(b.Text)
		case "image", "document":
			return "", fmt.Errorf("%s blocks are not supported: Sidecar's models take text", b.Type)
		}
	}
	return sb.String(), nil
}

// anthMessages turns the system prompt and messages into neutral form.
func anthMessages(system json.RawMessage, in []anthMessage) ([]llm.Message, error) {
	var msgs []llm.Message
	if sys, err := anthText(system); err != nil {
		return nil, fmt.Errorf("system: %w", err)
	} else if sys != "" {
		msgs = append(msgs, llm.Message{Role: llm.RoleSystem, Content: sys})
	}
	names := map[string]string{}
	for i, m := range in {
		blocks, err := anthBlocks(m.Content)
		if err != nil {
			return nil, fmt.Errorf("messages[%d]: %w", i, err)
		}
		var text strings.Builder
		out := llm.Message{}
		for j, b := range blocks {
			switch b.Type {
			case "text":
				text.WriteString(b.Text)
			case "thinking":
				out.Thinking += b.Thinking
			case "tool_use":
				if m.Role != "assistant" || b.ID == "" || !validToolName(b.Name) {
					return nil, fmt.Errorf("messages[%d].content[%d]: a tool_use block belongs to the assistant and needs an id and a valid name", i, j)
				}
				args := "{}"
				if len(b.Input) > 0 && string(b.Input) != "null" {
					args = string(b.Input)
				}
				out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: args})
				names[b.ID] = b.Name
			case "tool_result":
				res, err := anthText(b.Content)
				if err != nil {
					return nil, fmt.Errorf("messages[%d].content[%d]: %w", i, j, err)
				}
				if b.IsError {
					res = "Error: " + res
				}
				msgs = append(msgs, llm.Message{Role: llm.RoleTool, ToolCallID: b.ToolUseID, ToolName: names[b.ToolUseID], Content: res})
			case "image", "document":
				return nil, fmt.Errorf("messages[%d].content[%d]: %s blocks are not supported: Sidecar's models take text", i, j, b.Type)
			}
			// redacted_thinking and server tool blocks carry nothing a
			// local or other model can use.
		}
		switch m.Role {
		case "user":
			out.Role = llm.RoleUser
		case "assistant":
			out.Role = llm.RoleAssistant
		case "system":
			out.Role = llm.RoleSystem
		default:
			return nil, fmt.Errorf("messages[%d].role must be user or assistant", i)
		}
		out.Content = text.String()
		if out.Content != "" || len(out.ToolCalls) > 0 || (len(blocks) == 0 && out.Role != llm.RoleUser) {
			msgs = append(msgs, out)
		}
	}
	return msgs, nil
}

// anthTools reads custom tools; server tools (web_search, bash, text
// editor: a "type" other than "custom") are left out.
func anthTools(in []json.RawMessage) ([]llm.Tool, error) {
	if len(in) > maxTools {
		return nil, fmt.Errorf("at most %d tools", maxTools)
	}
	var out []llm.Tool
	for i, raw := range in {
		var t struct {
			Type        string          `json:"type"`
			Name        string          `json:"name"`
			Description string          `json:"description"`
			InputSchema json.RawMessage `json:"input_schema"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("tools[%d]: %s", i, jsonProblem(err))
		}
		if t.Type != "" && t.Type != "custom" {
			continue
		}
		tool, err := neutralTool(fmt.Sprintf("tools[%d]", i), t.Name, t.Description, t.InputSchema)
		if err != nil {
			return nil, err
		}
		out = append(out, tool)
	}
	return out, nil
}

func anthToolChoice(raw json.RawMessage, tools []llm.Tool) (llm.ToolChoice, bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return llm.ToolChoice{}, false, nil
	}
	var c struct {
		Type                   string `json:"type"`
		Name                   string `json:"name"`
		DisableParallelToolUse bool   `json:"disable_parallel_tool_use"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return llm.ToolChoice{}, false, fmt.Errorf("tool_choice: %s", jsonProblem(err))
	}
	switch c.Type {
	case "auto":
		return llm.ToolChoice{}, c.DisableParallelToolUse, nil
	case "none":
		return llm.ToolChoice{Mode: llm.ToolNone}, false, nil
	case "any":
		return llm.ToolChoice{Mode: llm.ToolRequired}, c.DisableParallelToolUse, nil
	case "tool":
		tc, err := namedChoice(c.Name, tools)
		return tc, c.DisableParallelToolUse, err
	}
	return llm.ToolChoice{}, false, errors.New("tool_choice.type must be auto, any, tool or none")
}

// anthTurn builds the neutral turn from a Messages request.
func (s *Server) anthTurn(req *anthropicRequest) (*turn, error) {
	if req.Model == "" {
		return nil, errors.New("model: field required")
	}
	msgs, err := anthMessages(req.System, req.Messages)
	if err != nil {
		return nil, err
	}
	t := &turn{req: llm.Request{Messages: msgs, TopP: req.TopP, TopK: req.TopK, Stop: req.StopSequences}}
	t.model, t.ground = resolveModel(req.Model)
	if t.req.Tools, err = anthTools(req.Tools); err != nil {
		return nil, err
	}
	if t.req.ToolChoice, t.req.NoParallel, err = anthToolChoice(req.ToolChoice, t.req.Tools); err != nil {
		return nil, err
	}
	n := 0
	if req.MaxTokens != nil {
		if *req.MaxTokens < 1 {
			return nil, errors.New("max_tokens must be at least 1")
		}
		n = *req.MaxTokens
	}
	t.req.MaxTokens = s.limitTokens(n)
	if req.Temperature != nil {
		if *req.Temperature < 0 || *req.Temperature > 1 {
			return nil, errors.New("temperature must be between 0 and 1")
		}
		t.req.Temperature = req.Temperature
	}
	if len(req.Thinking) > 0 && string(req.Thinking) != "null" {
		var th struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(req.Thinking, &th); err != nil {
			return nil, fmt.Errorf("thinking: %s", jsonProblem(err))
		}
		t.req.Think = th.Type == "enabled" || th.Type == "adaptive"
	}
	return t, nil
}

func (s *Server) anthropicMessages(w http.ResponseWriter, r *http.Request) {
	var req anthropicRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	t, err := s.anthTurn(&req)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", err.Error())
		return
	}
	s.anthropicRun(w, r, req.Model, req.Stream, t)
}

// tokenCounter is implemented by generators that count a request's
// prompt exactly for some models (the assistant: local models).
type tokenCounter interface {
	CountTokens(ctx context.Context, model string, req llm.Request) (n int, exact bool, err error)
}

// anthropicCountTokens counts the prompt's tokens: exactly for models
// whose template and tokenizer are at hand (local models), otherwise an
// estimate of about four bytes of text a token, the way a budget is
// judged before sending.
func (s *Server) anthropicCountTokens(w http.ResponseWriter, r *http.Request) {
	var req anthropicRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	t, err := s.anthTurn(&req)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", err.Error())
		return
	}
	if c, ok := s.gen.(tokenCounter); ok {
		n, exact, err := c.CountTokens(r.Context(), t.model, t.req)
		if err != nil {
			writeFailure(w, s.failureOf(err))
			return
		}
		if exact {
			writeJSON(w, http.StatusOK, map[string]int{"input_tokens": n})
			return
		}
	}
	n := 0
	for _, m := range t.req.Messages {
		n += len(m.Content) + len(m.Thinking)
		for _, c := range m.ToolCalls {
			n += len(c.Name) + len(c.Arguments)
		}
	}
	for _, tl := range t.req.Tools {
		n += len(tl.Name) + len(tl.Description) + len(tl.Parameters)
	}
	writeJSON(w, http.StatusOK, map[string]int{"input_tokens": (n + 3) / 4})
}
