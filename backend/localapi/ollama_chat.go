package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"sidecar/backend/llm"
)

type ollamaMessage struct {
	Role       string           `json:"role"`
	Content    string           `json:"content"`
	Thinking   string           `json:"thinking,omitempty"`
	Images     []string         `json:"images,omitempty"`
	ToolCalls  []ollamaToolCall `json:"tool_calls,omitempty"`
	ToolName   string           `json:"tool_name,omitempty"`
	ToolCallID string           `json:"tool_call_id,omitempty"`
}

type ollamaToolCall struct {
	ID       string `json:"id,omitempty"`
	Function struct {
		Index     *int            `json:"index,omitempty"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

// ollamaCommon are the fields /api/chat and /api/generate share.
type ollamaCommon struct {
	Model     string          `json:"model"`
	Format    json.RawMessage `json:"format"`
	Options   ollamaOptions   `json:"options"`
	Stream    *bool           `json:"stream"`
	Think     json.RawMessage `json:"think"`
	KeepAlive json.RawMessage `json:"keep_alive"`
	Truncate  json.RawMessage `json:"truncate"`
	Shift     json.RawMessage `json:"shift"`
}

type ollamaChatRequest struct {
	ollamaCommon
	Messages []ollamaMessage `json:"messages"`
	Tools    []chatTool      `json:"tools"`
}

type ollamaGenerateRequest struct {
	ollamaCommon
	Prompt   string          `json:"prompt"`
	Suffix   string          `json:"suffix"`
	System   string          `json:"system"`
	Template string          `json:"template"`
	Raw      bool            `json:"raw"`
	Images   []string        `json:"images"`
	Context  json.RawMessage `json:"context"`
}

// ollamaOptions are the model options read; others Ollama defines
// (num_gpu, mirostat...) do not apply and are ignored, as Ollama ignores
// options a runner does not use.
type ollamaOptions struct {
	NumCtx      *int      `json:"num_ctx"`
	NumPredict  *int      `json:"num_predict"`
	Temperature *float64  `json:"temperature"`
	TopP        *float64  `json:"top_p"`
	TopK        *int      `json:"top_k"`
	Stop        stopField `json:"stop"`
	Seed        *int64    `json:"seed"`
}

// UnmarshalJSON reads the known options with their types checked.
func (o *ollamaOptions) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	type plain ollamaOptions
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("options: %v", jsonProblem(err))
	}
	*o = ollamaOptions(p)
	return nil
}

// apply turns common fields into the turn's request; it returns a message
// for the client when one is invalid.
func (c ollamaCommon) apply(s *Server, t *turn) error {
	t.model, t.ground = resolveModel(c.Model)
	if c.Model == "" {
		return errors.New("model is required")
	}
	o := c.Options
	t.req.MaxTokens = s.cfg.MaxTokens
	if o.NumPredict != nil {
		t.req.MaxTokens = s.limitTokens(*o.NumPredict) // -1 and -2 mean "as long as allowed"
	}
	if o.NumCtx != nil && *o.NumCtx < 0 {
		return errors.New("options.num_ctx must not be negative")
	}
	if o.Temperature != nil {
		v := min(max(*o.Temperature, 0), 2)
		t.req.Temperature = &v
	}
	if o.TopP != nil && *o.TopP > 0 && *o.TopP <= 1 {
		t.req.TopP = o.TopP
	}
	if o.TopK != nil && *o.TopK > 0 {
		t.req.TopK = o.TopK
	}
	t.req.Stop, t.req.Seed = o.Stop, o.Seed
	switch f := string(c.Format); {
	case f == "" || f == "null" || f == `""`:
	case f == `"json"` || f[0] == '{':
		t.req.JSON = true
	default:
		return errors.New(`format must be "json" or a JSON schema`)
	}
	switch th := string(c.Think); th {
	case "", "null", "false":
	case "true", `"high"`, `"medium"`, `"low"`:
		t.req.Think = true
	default:
		return errors.New(`think must be true, false, "high", "medium" or "low"`)
	}
	return nil
}

func (s *Server) ollamaChat(w http.ResponseWriter, r *http.Request) {
	var req ollamaChatRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	t := &turn{}
	msgs, err := ollamaMessages(req.Messages)
	if err == nil {
		err = req.apply(s, t)
	}
	if err == nil {
		t.req.Tools, err = chatTools(req.Tools)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", err.Error())
		return
	}
	if len(msgs) == 0 {
		// Ollama answers an empty chat by loading the model.
		writeJSON(w, http.StatusOK, map[string]any{"model": req.Model, "created_at": nowRFC3339(),
			"message": map[string]string{"role": "assistant", "content": ""}, "done": true, "done_reason": "load"})
		return
	}
	t.req.Messages = msgs
	s.ollamaRun(w, r, req.Model, req.Stream == nil || *req.Stream, t, true)
}

func ollamaMessages(in []ollamaMessage) ([]llm.Message, error) {
	var msgs []llm.Message
	names := map[string]string{}
	for i, m := range in {
		if len(m.Images) > 0 {
			return nil, fmt.Errorf("messages[%d].images: Sidecar's models do not take images", i)
		}
		switch m.Role {
		case "system", "developer":
			msgs = append(msgs, llm.Message{Role: llm.RoleSystem, Content: m.Content})
		case "user":
			msgs = append(msgs, llm.Message{Role: llm.RoleUser, Content: m.Content})
		case "assistant":
			am := llm.Message{Role: llm.RoleAssistant, Content: m.Content, Thinking: m.Thinking}
			for j, c := range m.ToolCalls {
				if !validToolName(c.Function.Name) {
					return nil, fmt.Errorf("messages[%d].tool_calls[%d].function.name is not a valid name", i, j)
				}
				args := "{}"
				if len(c.Function.Arguments) > 0 && string(c.Function.Arguments) != "null" {
					args = string(c.Function.Arguments)
				}
				id := c.ID
				if id == "" {
					id = fmt.Sprintf("call_%d_%d", i, j)
				}
				am.ToolCalls = append(am.ToolCalls, llm.ToolCall{ID: id, Name: c.Function.Name, Arguments: args})
				names[c.Function.Name] = id
			}
			msgs = append(msgs, am)
		case "tool":
			id := m.ToolCallID
			if id == "" {
				id = names[m.ToolName]
			}
			msgs = append(msgs, llm.Message{Role: llm.RoleTool, Content: m.Content, ToolName: m.ToolName, ToolCallID: id})
		default:
			return nil, fmt.Errorf("messages[%d].role %q is not supported", i, m.Role)
		}
	}
	return msgs, nil
}

func (s *Server) ollamaGenerate(w http.ResponseWriter, r *http.Request) {
	var req ollamaGenerateRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	t := &turn{}
	err := req.apply(s, t)
	if err == nil && len(req.Images) > 0 {
		err = errors.New("images: Sidecar's models do not take images")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", err.Error())
		return
	}
	if req.Prompt == "" && req.Suffix == "" {
		writeJSON(w, http.StatusOK, map[string]any{"model": req.Model, "created_at": nowRFC3339(), "response": "", "done": true, "done_reason": "load"})
		return
	}
	// A suffix asks for the text between prompt and suffix, in the
	// model's FIM tokens; raw for the prompt continued as it is, without
	// a template. Local models do that; the others (chat models) get
	// the same request as messages.
	t.req.Messages = fimMessages(req.Prompt, req.Suffix)
	if req.Suffix != "" || req.Raw {
		t.req.Text = &llm.TextPrompt{Prefix: req.Prompt, Suffix: req.Suffix}
	}
	if req.System != "" && !req.Raw {
		t.req.Messages = append([]llm.Message{{Role: llm.RoleSystem, Content: req.System}}, t.req.Messages...)
	}
	s.ollamaRun(w, r, req.Model, req.Stream == nil || *req.Stream, t, false)
}

func nowRFC3339() string { return time.Now().UTC().Format(time.RFC3339Nano) }
