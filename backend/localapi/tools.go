package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"sidecar/backend/llm"
)

// maxTools bounds the tools one request may declare.
const maxTools = 512

// validToolName accepts what the dialects allow in a function name
// (letters, digits, _ . : -; up to 128), which covers MCP tool names.
func validToolName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.:-", r)) {
			return false
		}
	}
	return true
}

// functionDef is a function tool as Chat Completions and Ollama declare it.
type functionDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict"`
}

// chatToolCall is a call in an assistant message (Chat Completions).
type chatToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Index    *int   `json:"index,omitempty"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// chatTool is one entry of "tools" in Chat Completions and Ollama.
type chatTool struct {
	Type     string       `json:"type"`
	Function *functionDef `json:"function"`
}

// neutralTool checks a function's name and schema.
func neutralTool(where, name, desc string, params json.RawMessage) (llm.Tool, error) {
	if !validToolName(name) {
		return llm.Tool{}, fmt.Errorf("%s.name must be 1 to 128 letters, digits or _.:-", where)
	}
	if len(params) > 0 && string(params) != "null" {
		var obj map[string]any
		if json.Unmarshal(params, &obj) != nil {
			return llm.Tool{}, fmt.Errorf("%s.parameters must be a JSON Schema object", where)
		}
	}
	return llm.Tool{Name: name, Description: desc, Parameters: params}, nil
}

func chatTools(in []chatTool) ([]llm.Tool, error) {
	if len(in) > maxTools {
		return nil, fmt.Errorf("at most %d tools", maxTools)
	}
	var out []llm.Tool
	seen := map[string]bool{}
	for i, t := range in {
		if t.Type != "function" || t.Function == nil {
			return nil, fmt.Errorf("tools[%d] must be {\"type\": \"function\", \"function\": {...}}", i)
		}
		tool, err := neutralTool(fmt.Sprintf("tools[%d].function", i), t.Function.Name, t.Function.Description, t.Function.Parameters)
		if err != nil {
			return nil, err
		}
		if seen[tool.Name] {
			return nil, fmt.Errorf("tools[%d]: the name %q is used twice", i, tool.Name)
		}
		seen[tool.Name] = true
		out = append(out, tool)
	}
	return out, nil
}

// chatToolChoice reads tool_choice: "auto", "none", "required" or
// {"type":"function","function":{"name":...}}.
func chatToolChoice(raw json.RawMessage, tools []llm.Tool) (llm.ToolChoice, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return llm.ToolChoice{}, nil
	}
	var mode string
	if json.Unmarshal(raw, &mode) == nil {
		switch mode {
		case "auto":
			return llm.ToolChoice{}, nil
		case "none":
			return llm.ToolChoice{Mode: llm.ToolNone}, nil
		case "required":
			if len(tools) == 0 {
				return llm.ToolChoice{}, errors.New("tool_choice required needs tools")
			}
			return llm.ToolChoice{Mode: llm.ToolRequired}, nil
		}
		return llm.ToolChoice{}, errors.New("tool_choice must be auto, none, required or a function")
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
		Name string `json:"name"` // the Responses form
	}
	if json.Unmarshal(raw, &named) != nil || named.Type != "function" {
		return llm.ToolChoice{}, errors.New("tool_choice must be auto, none, required or a function")
	}
	name := named.Function.Name
	if name == "" {
		name = named.Name
	}
	return namedChoice(name, tools)
}

func namedChoice(name string, tools []llm.Tool) (llm.ToolChoice, error) {
	for _, t := range tools {
		if t.Name == name {
			return llm.ToolChoice{Mode: llm.ToolNamed, Name: name}, nil
		}
	}
	return llm.ToolChoice{}, fmt.Errorf("tool_choice names %q, which is not among the tools", name)
}
