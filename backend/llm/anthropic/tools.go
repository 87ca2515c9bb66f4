package anthropic

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	sdk "github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/packages/param"

	"sidecar/backend/llm"
)

// thinkingBudget is the reasoning budget asked for when a request wants
// thinking (the API's minimum).
const thinkingBudget = 1024

// buildParams builds the Messages request: the system prompt apart, tool
// calls as tool_use blocks, results as tool_result blocks in a user turn.
func buildParams(req llm.Request) (sdk.MessageNewParams, error) {
	params := sdk.MessageNewParams{Model: sdk.Model(req.Model), MaxTokens: DefaultMaxTokens}
	if req.MaxTokens > 0 {
		params.MaxTokens = int64(req.MaxTokens)
	}
	for _, m := range req.Messages {
		switch m.Role {
		case llm.RoleSystem:
			params.System = append(params.System, sdk.TextBlockParam{Text: m.Content})
		case llm.RoleAssistant:
			var blocks []sdk.ContentBlockParamUnion
			if m.Content != "" || len(m.ToolCalls) == 0 {
				blocks = append(blocks, sdk.NewTextBlock(m.Content))
			}
			for _, c := range m.ToolCalls {
				args := json.RawMessage(c.Arguments)
				if !json.Valid(args) {
					args = json.RawMessage("{}")
				}
				blocks = append(blocks, sdk.NewToolUseBlock(c.ID, args, c.Name))
			}
			params.Messages = append(params.Messages, sdk.NewAssistantMessage(blocks...))
		case llm.RoleTool:
			block := sdk.NewToolResultBlock(m.ToolCallID, m.Content, false)
			// Results of one turn's calls go together in one user turn.
			if n := len(params.Messages); n > 0 && params.Messages[n-1].Role == sdk.MessageParamRoleUser && isToolResults(params.Messages[n-1]) {
				params.Messages[n-1].Content = append(params.Messages[n-1].Content, block)
				continue
			}
			params.Messages = append(params.Messages, sdk.NewUserMessage(block))
		default:
			// Images go first as base64 image blocks, as Anthropic advises.
			var blocks []sdk.ContentBlockParamUnion
			for _, img := range m.Images {
				blocks = append(blocks, sdk.NewImageBlockBase64(img.MIME, base64.StdEncoding.EncodeToString(img.Data)))
			}
			blocks = append(blocks, sdk.NewTextBlock(m.Content))
			params.Messages = append(params.Messages, sdk.NewUserMessage(blocks...))
		}
	}
	if req.Think {
		params.Thinking = sdk.ThinkingConfigParamOfEnabled(thinkingBudget)
		if params.MaxTokens <= thinkingBudget {
			params.MaxTokens += thinkingBudget
		}
	} else {
		// Thinking allows neither temperature nor top_p.
		if req.Temperature != nil {
			params.Temperature = sdk.Float(min(*req.Temperature, 1)) // Anthropic's range is 0..1
		}
		// Current Claude models refuse temperature and top_p together; with
		// both set, temperature is sent.
		if req.TopP != nil && req.Temperature == nil {
			params.TopP = sdk.Float(*req.TopP)
		}
	}
	if req.TopK != nil {
		params.TopK = sdk.Int(int64(*req.TopK))
	}
	if len(req.Stop) > 0 {
		params.StopSequences = req.Stop
	}
	return params, addTools(&params, req)
}

func isToolResults(m sdk.MessageParam) bool {
	for _, b := range m.Content {
		if b.OfToolResult == nil {
			return false
		}
	}
	return len(m.Content) > 0
}

func addTools(params *sdk.MessageNewParams, req llm.Request) error {
	for _, t := range req.Tools {
		var schema map[string]any
		if err := json.Unmarshal(t.ParametersOrEmpty(), &schema); err != nil {
			return fmt.Errorf("anthropic: tool %s: parameters: %w", t.Name, err)
		}
		in := sdk.ToolInputSchemaParam{Properties: schema["properties"], ExtraFields: map[string]any{}}
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if s, ok := r.(string); ok {
					in.Required = append(in.Required, s)
				}
			}
		}
		for k, v := range schema {
			if k != "properties" && k != "required" && k != "type" {
				in.ExtraFields[k] = v
			}
		}
		tp := sdk.ToolParam{Name: t.Name, InputSchema: in}
		if t.Description != "" {
			tp.Description = param.NewOpt(t.Description)
		}
		params.Tools = append(params.Tools, sdk.ToolUnionParam{OfTool: &tp})
	}
	if len(req.Tools) == 0 {
		return nil
	}
	noPar := param.Opt[bool]{}
	if req.NoParallel {
		noPar = param.NewOpt(true)
	}
	switch req.ToolChoice.Mode {
	case llm.ToolNone:
		params.ToolChoice = sdk.ToolChoiceUnionParam{OfNone: &sdk.ToolChoiceNoneParam{}}
	case llm.ToolRequired:
		params.ToolChoice = sdk.ToolChoiceUnionParam{OfAny: &sdk.ToolChoiceAnyParam{DisableParallelToolUse: noPar}}
	case llm.ToolNamed:
		params.ToolChoice = sdk.ToolChoiceUnionParam{OfTool: &sdk.ToolChoiceToolParam{Name: req.ToolChoice.Name, DisableParallelToolUse: noPar}}
	default:
		if req.NoParallel {
			params.ToolChoice = sdk.ToolChoiceUnionParam{OfAuto: &sdk.ToolChoiceAutoParam{DisableParallelToolUse: noPar}}
		}
	}
	return nil
}

// Capabilities implements llm.Capable: Claude models call tools and
// stream thinking blocks; Vision says which take images.
func (p *Provider) Capabilities(model string) llm.Capabilities {
	return llm.Capabilities{Tools: true, Thinking: true, Vision: Vision(model), ContextLength: 200000}
}

// Vision reports whether a Claude model takes images: every model from
// Claude 3 on does; Claude 2 and Claude Instant do not.
func Vision(model string) bool {
	m := strings.ToLower(model)
	return strings.HasPrefix(m, "claude-") && !strings.HasPrefix(m, "claude-2") && !strings.HasPrefix(m, "claude-instant")
}
