package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"sidecar/backend/llm"
)

// The OpenAI Responses dialect, enough for Codex: input as text or items,
// instructions, function tools with function_call and
// function_call_output items, streamed events. Nothing is stored: each
// request carries the whole conversation (previous_response_id is
// refused). What does not apply (include, reasoning options,
// prompt_cache_key, client_metadata, non-function tools, reasoning items)
// is accepted and ignored.

type responsesRequest struct {
	Model             string            `json:"model"`
	Input             json.RawMessage   `json:"input"`
	Instructions      string            `json:"instructions"`
	Tools             []json.RawMessage `json:"tools"`
	ToolChoice        json.RawMessage   `json:"tool_choice"`
	ParallelToolCalls *bool             `json:"parallel_tool_calls"`
	Stream            bool              `json:"stream"`
	Store             *bool             `json:"store"`
	MaxOutputTokens   *int              `json:"max_output_tokens"`
	Temperature       *float64          `json:"temperature"`
	TopP              *float64          `json:"top_p"`
	Reasoning         *struct {
		Effort  string          `json:"effort"`
		Summary json.RawMessage `json:"summary"`
	} `json:"reasoning"`
	Text *struct {
		Format *struct {
			Type string `json:"type"`
		} `json:"format"`
		Verbosity json.RawMessage `json:"verbosity"`
	} `json:"text"`
	PreviousResponseID *string         `json:"previous_response_id"`
	Include            json.RawMessage `json:"include"`
	PromptCacheKey     json.RawMessage `json:"prompt_cache_key"`
	ClientMetadata     json.RawMessage `json:"client_metadata"`
	Metadata           json.RawMessage `json:"metadata"`
	User               json.RawMessage `json:"user"`
	Truncation         json.RawMessage `json:"truncation"`
	ServiceTier        json.RawMessage `json:"service_tier"`
	SafetyIdentifier   json.RawMessage `json:"safety_identifier"`
	StreamOptions      json.RawMessage `json:"stream_options"`
	Background         json.RawMessage `json:"background"`
	MaxToolCalls       json.RawMessage `json:"max_tool_calls"`
	TopLogprobs        json.RawMessage `json:"top_logprobs"`
}

// respItem is an input item; fields of items this server does not use
// are ignored.
type respItem struct {
	Type      string          `json:"type"`
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments string          `json:"arguments"`
	Output    json.RawMessage `json:"output"`
}

// respText reads message content: a string or input_text/output_text
// parts.
func respText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("content must be a string or a list of parts")
	}
	var sb strings.Builder
	for _, p := range parts {
		switch p.Type {
		case "input_text", "output_text", "text", "summary_text", "reasoning_text":
			sb.WriteString(p.Text)
		case "refusal":
		default:
			return "", fmt.Errorf("content parts of type %q are not supported (text only)", p.Type)
		}
	}
	return sb.String(), nil
}

// ignoredItems are item types the Responses API defines that carry
// nothing Sidecar's models can use.
var ignoredItems = map[string]bool{"reasoning": true, "item_reference": true, "web_search_call": true, "file_search_call": true,
	"local_shell_call": true, "local_shell_call_output": true, "custom_tool_call": true, "custom_tool_call_output": true,
	"computer_call": true, "computer_call_output": true, "image_generation_call": true, "code_interpreter_call": true,
	"mcp_call": true, "mcp_list_tools": true, "mcp_approval_request": true, "mcp_approval_response": true}

func respMessages(instructions string, input json.RawMessage) ([]llm.Message, error) {
	var msgs []llm.Message
	if instructions != "" {
		msgs = append(msgs, llm.Message{Role: llm.RoleSystem, Content: instructions})
	}
	var text string
	if json.Unmarshal(input, &text) == nil {
		return append(msgs, llm.Message{Role: llm.RoleUser, Content: text}), nil
	}
	var items []respItem
	if err := json.Unmarshal(input, &items); err != nil {
		return nil, errors.New("input must be a string or a list of items")
	}
	names := map[string]string{}
	for i, it := range items {
		switch {
		case it.Type == "message" || (it.Type == "" && it.Role != ""):
			content, err := respText(it.Content)
			if err != nil {
				return nil, fmt.Errorf("input[%d]: %w", i, err)
			}
			role := map[string]llm.Role{"user": llm.RoleUser, "assistant": llm.RoleAssistant, "system": llm.RoleSystem, "developer": llm.RoleSystem}[it.Role]
			if role == "" {
				return nil, fmt.Errorf("input[%d].role %q is not supported", i, it.Role)
			}
			msgs = append(msgs, llm.Message{Role: role, Content: content})
		case it.Type == "function_call":
			if it.CallID == "" || !validToolName(it.Name) {
				return nil, fmt.Errorf("input[%d]: a function_call needs a call_id and a valid name", i)
			}
			call := llm.ToolCall{ID: it.CallID, Name: it.Name, Arguments: it.Arguments}
			names[it.CallID] = it.Name
			// Calls of one turn go in one assistant message.
			if n := len(msgs); n > 0 && msgs[n-1].Role == llm.RoleAssistant && len(msgs[n-1].ToolCalls) > 0 {
				msgs[n-1].ToolCalls = append(msgs[n-1].ToolCalls, call)
				continue
			}
			msgs = append(msgs, llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{call}})
		case it.Type == "function_call_output":
			out, err := respText(it.Output)
			if err != nil {
				return nil, fmt.Errorf("input[%d].output: %w", i, err)
			}
			msgs = append(msgs, llm.Message{Role: llm.RoleTool, ToolCallID: it.CallID, ToolName: names[it.CallID], Content: out})
		case ignoredItems[it.Type]:
		default:
			return nil, fmt.Errorf("input[%d].type %q is not supported", i, it.Type)
		}
	}
	return msgs, nil
}

// respTools reads function tools; other tool types (local_shell,
// web_search, custom...) are left out.
func respTools(in []json.RawMessage) ([]llm.Tool, error) {
	if len(in) > maxTools {
		return nil, fmt.Errorf("at most %d tools", maxTools)
	}
	var out []llm.Tool
	for i, raw := range in {
		var t struct {
			Type        string          `json:"type"`
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("tools[%d]: %s", i, jsonProblem(err))
		}
		if t.Type != "function" {
			continue
		}
		tool, err := neutralTool(fmt.Sprintf("tools[%d]", i), t.Name, t.Description, t.Parameters)
		if err != nil {
			return nil, err
		}
		out = append(out, tool)
	}
	return out, nil
}

func (s *Server) respTurn(req *responsesRequest) (*turn, error) {
	if req.Model == "" {
		return nil, errors.New("model is required")
	}
	if req.PreviousResponseID != nil && *req.PreviousResponseID != "" {
		return nil, errors.New("previous_response_id is not supported: nothing is stored, send the whole conversation as input")
	}
	msgs, err := respMessages(req.Instructions, req.Input)
	if err != nil {
		return nil, err
	}
	t := &turn{req: llm.Request{Messages: msgs, Temperature: req.Temperature, TopP: req.TopP}}
	t.model, t.ground = resolveModel(req.Model)
	if t.req.Tools, err = respTools(req.Tools); err != nil {
		return nil, err
	}
	var mode string
	if json.Unmarshal(req.ToolChoice, &mode) != nil && len(req.ToolChoice) > 0 && !strings.Contains(string(req.ToolChoice), `"function"`) {
		req.ToolChoice = nil // a non-function tool (custom, allowed_tools...): auto
	}
	if t.req.ToolChoice, err = chatToolChoice(req.ToolChoice, t.req.Tools); err != nil {
		return nil, err
	}
	t.req.NoParallel = req.ParallelToolCalls != nil && !*req.ParallelToolCalls
	n := 0
	if req.MaxOutputTokens != nil {
		if *req.MaxOutputTokens < 1 {
			return nil, errors.New("max_output_tokens must be at least 1")
		}
		n = *req.MaxOutputTokens
	}
	t.req.MaxTokens = s.limitTokens(n)
	if req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 2) {
		return nil, errors.New("temperature must be between 0 and 2")
	}
	if req.Reasoning != nil && req.Reasoning.Effort != "" && req.Reasoning.Effort != "none" {
		t.req.Think = true
	}
	if req.Text != nil && req.Text.Format != nil && (req.Text.Format.Type == "json_object" || req.Text.Format.Type == "json_schema") {
		t.req.JSON = true
	}
	return t, nil
}

func (s *Server) responses(w http.ResponseWriter, r *http.Request) {
	var req responsesRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	t, err := s.respTurn(&req)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", err.Error())
		return
	}
	s.responsesRun(w, r, &req, t)
}
