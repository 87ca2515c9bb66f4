package gemini

import (
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/genai"

	"sidecar/backend/llm"
)

// buildConfig turns a request into Gemini's contents and configuration:
// the system prompt as the system instruction, tool calls as function
// calls, tool results as function responses, tools as function
// declarations.
func buildConfig(req llm.Request) (*genai.GenerateContentConfig, []*genai.Content, error) {
	cfg := &genai.GenerateContentConfig{}
	var contents []*genai.Content
	var system []*genai.Part
	names := map[string]string{} // call ID -> function name, for results
	for _, m := range req.Messages {
		switch m.Role {
		case llm.RoleSystem:
			system = append(system, &genai.Part{Text: m.Content})
		case llm.RoleAssistant:
			c := &genai.Content{Role: genai.RoleModel}
			if m.Content != "" || len(m.ToolCalls) == 0 {
				c.Parts = append(c.Parts, &genai.Part{Text: m.Content})
			}
			for _, tc := range m.ToolCalls {
				var args map[string]any
				json.Unmarshal([]byte(tc.Arguments), &args)
				names[tc.ID] = tc.Name
				c.Parts = append(c.Parts, &genai.Part{FunctionCall: &genai.FunctionCall{ID: tc.ID, Name: tc.Name, Args: args}})
			}
			contents = append(contents, c)
		case llm.RoleTool:
			name := m.ToolName
			if name == "" {
				name = names[m.ToolCallID]
			}
			part := &genai.Part{FunctionResponse: &genai.FunctionResponse{ID: m.ToolCallID, Name: name, Response: map[string]any{"output": m.Content}}}
			if n := len(contents); n > 0 && contents[n-1].Role == genai.RoleUser && contents[n-1].Parts[0].FunctionResponse != nil {
				contents[n-1].Parts = append(contents[n-1].Parts, part)
				continue
			}
			contents = append(contents, &genai.Content{Role: genai.RoleUser, Parts: []*genai.Part{part}})
		default:
			parts := []*genai.Part{{Text: m.Content}}
			for _, img := range m.Images {
				parts = append(parts, &genai.Part{InlineData: &genai.Blob{MIMEType: img.MIME, Data: img.Data}})
			}
			contents = append(contents, &genai.Content{Role: genai.RoleUser, Parts: parts})
		}
	}
	if len(system) > 0 {
		cfg.SystemInstruction = &genai.Content{Parts: system}
	}
	if req.MaxTokens > 0 {
		cfg.MaxOutputTokens = int32(req.MaxTokens)
	}
	if req.Temperature != nil {
		cfg.Temperature = genai.Ptr(float32(*req.Temperature))
	}
	if req.TopP != nil {
		cfg.TopP = genai.Ptr(float32(*req.TopP))
	}
	if req.TopK != nil {
		cfg.TopK = genai.Ptr(float32(*req.TopK))
	}
	if req.Seed != nil {
		cfg.Seed = genai.Ptr(int32(*req.Seed))
	}
	if req.JSON {
		cfg.ResponseMIMEType = "application/json"
	}
	if req.Think {
		cfg.ThinkingConfig = &genai.ThinkingConfig{IncludeThoughts: true}
	}
	cfg.StopSequences = req.Stop
	return cfg, contents, addTools(cfg, req)
}

func addTools(cfg *genai.GenerateContentConfig, req llm.Request) error {
	if len(req.Tools) == 0 {
		return nil
	}
	var decls []*genai.FunctionDeclaration
	for _, t := range req.Tools {
		var schema map[string]any
		if err := json.Unmarshal(t.ParametersOrEmpty(), &schema); err != nil {
			return fmt.Errorf("gemini: tool %s: parameters: %w", t.Name, err)
		}
		decls = append(decls, &genai.FunctionDeclaration{Name: t.Name, Description: t.Description, ParametersJsonSchema: schema})
	}
	cfg.Tools = []*genai.Tool{{FunctionDeclarations: decls}}
	fc := &genai.FunctionCallingConfig{Mode: genai.FunctionCallingConfigModeAuto}
	switch req.ToolChoice.Mode {
	case llm.ToolNone:
		fc.Mode = genai.FunctionCallingConfigModeNone
	case llm.ToolRequired:
		fc.Mode = genai.FunctionCallingConfigModeAny
	case llm.ToolNamed:
		fc.Mode, fc.AllowedFunctionNames = genai.FunctionCallingConfigModeAny, []string{req.ToolChoice.Name}
	}
	cfg.ToolConfig = &genai.ToolConfig{FunctionCallingConfig: fc}
	return nil
}

// partEvents reports the parts of one streamed response as events.
func partEvents(resp *genai.GenerateContentResponse, calls *int, on llm.EventFunc) error {
	if len(resp.Candidates) == 0 || resp.Candidates[0].Content == nil {
		return nil
	}
	for _, part := range resp.Candidates[0].Content.Parts {
		var ev llm.Event
		switch {
		case part.FunctionCall != nil:
			args, _ := json.Marshal(part.FunctionCall.Args)
			if part.FunctionCall.Args == nil {
				args = []byte("{}")
			}
			id := part.FunctionCall.ID
			if id == "" {
				id = fmt.Sprintf("call_%d", *calls)
			}
			ev = llm.Event{Kind: llm.EventToolCall, Index: *calls, Call: llm.ToolCall{ID: id, Name: part.FunctionCall.Name, Arguments: string(args)}}
			*calls++
		case part.Text != "" && part.Thought:
			ev = llm.Event{Kind: llm.EventThinking, Text: part.Text}
		case part.Text != "":
			ev = llm.Event{Kind: llm.EventText, Text: part.Text}
		default:
			continue
		}
		if err := on(ev); err != nil {
			return err
		}
	}
	return nil
}

// Capabilities implements llm.Capable: Gemini models call functions and
// stream thought summaries; Vision says which take images.
func (p *Provider) Capabilities(model string) llm.Capabilities {
	return llm.Capabilities{Tools: true, Thinking: true, Vision: Vision(model), ContextLength: 1048576}
}

// Vision reports whether a Gemini model takes images: Gemini 1.5 and
// later, and Gemini Pro Vision; the first Gemini 1.0 Pro (text only) and
// the embedding models do not.
func Vision(model string) bool {
	m := strings.TrimPrefix(strings.ToLower(model), "models/")
	switch {
	case strings.Contains(m, "embedding"), m == "gemini-pro", strings.HasPrefix(m, "gemini-1.0-pro") && !strings.Contains(m, "vision"):
		return false
	}
	return strings.HasPrefix(m, "gemini-")
}
