package openai

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	sdk "github.com/openai/openai-go"
	"github.com/openai/openai-go/packages/param"
	"github.com/openai/openai-go/shared"

	"sidecar/backend/llm"
)

// params builds the Chat Completions request: messages (tool calls and
// results included), tools, tool choice and sampling settings.
func (p *Provider) params(req llm.Request) (sdk.ChatCompletionNewParams, error) {
	params := sdk.ChatCompletionNewParams{Model: req.Model, Messages: messages(req.Messages)}
	if req.MaxTokens > 0 {
		if p.cfg.BaseURL == "" {
			params.MaxCompletionTokens = sdk.Int(int64(req.MaxTokens))
		} else {
			params.MaxTokens = sdk.Int(int64(req.MaxTokens)) // what compatible servers understand
		}
	}
	if req.Temperature != nil {
		params.Temperature = sdk.Float(*req.Temperature)
	}
	if req.TopP != nil {
		params.TopP = sdk.Float(*req.TopP)
	}
	if req.Seed != nil {
		params.Seed = sdk.Int(*req.Seed)
	}
	if len(req.Stop) > 0 {
		params.Stop = sdk.ChatCompletionNewParamsStopUnion{OfStringArray: req.Stop}
	}
	if req.JSON {
		params.ResponseFormat = sdk.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
	}
	for _, t := range req.Tools {
		var schema map[string]any
		if err := json.Unmarshal(t.ParametersOrEmpty(), &schema); err != nil {
			return params, fmt.Errorf("openai: tool %s: parameters: %w", t.Name, err)
		}
		fn := shared.FunctionDefinitionParam{Name: t.Name, Parameters: shared.FunctionParameters(schema)}
		if t.Description != "" {
			fn.Description = param.NewOpt(t.Description)
		}
		params.Tools = append(params.Tools, sdk.ChatCompletionToolParam{Function: fn})
	}
	if len(req.Tools) > 0 {
		switch req.ToolChoice.Mode {
		case llm.ToolNone, llm.ToolRequired:
			params.ToolChoice = sdk.ChatCompletionToolChoiceOptionUnionParam{OfAuto: param.NewOpt(string(req.ToolChoice.Mode))}
		case llm.ToolNamed:
			params.ToolChoice = sdk.ChatCompletionToolChoiceOptionParamOfChatCompletionNamedToolChoice(
				sdk.ChatCompletionNamedToolChoiceFunctionParam{Name: req.ToolChoice.Name})
		}
		if req.NoParallel {
			params.ParallelToolCalls = param.NewOpt(false)
		}
	}
	params.StreamOptions = sdk.ChatCompletionStreamOptionsParam{IncludeUsage: param.NewOpt(true)}
	return params, nil
}

func messages(msgs []llm.Message) []sdk.ChatCompletionMessageParamUnion {
	var out []sdk.ChatCompletionMessageParamUnion
	for _, m := range msgs {
		switch m.Role {
		case llm.RoleSystem:
			out = append(out, sdk.SystemMessage(m.Content))
		case llm.RoleTool:
			out = append(out, sdk.ToolMessage(m.Content, m.ToolCallID))
		case llm.RoleAssistant:
			a := sdk.ChatCompletionAssistantMessageParam{}
			if m.Content != "" || len(m.ToolCalls) == 0 {
				a.Content.OfString = param.NewOpt(m.Content)
			}
			for _, c := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, sdk.ChatCompletionMessageToolCallParam{ID: c.ID,
					Function: sdk.ChatCompletionMessageToolCallFunctionParam{Name: c.Name, Arguments: c.Arguments}})
			}
			out = append(out, sdk.ChatCompletionMessageParamUnion{OfAssistant: &a})
		default:
			if len(m.Images) == 0 {
				out = append(out, sdk.UserMessage(m.Content))
				continue
			}
			// Images go as image_url parts holding data URIs.
			parts := []sdk.ChatCompletionContentPartUnionParam{sdk.TextContentPart(m.Content)}
			for _, img := range m.Images {
				parts = append(parts, sdk.ImageContentPart(sdk.ChatCompletionContentPartImageImageURLParam{
					URL: "data:" + img.MIME + ";base64," + base64.StdEncoding.EncodeToString(img.Data)}))
			}
			out = append(out, sdk.UserMessage(parts))
		}
	}
	return out
}

// callNumbers maps the stream's tool-call indexes to calls numbered from 0.
type callNumbers map[int64]int

// deltaEvents reports one streamed delta as events.
func deltaEvents(d sdk.ChatCompletionChunkChoiceDelta, calls callNumbers, on llm.EventFunc) error {
	if f, ok := d.JSON.ExtraFields["reasoning_content"]; ok {
		var r string
		if json.Unmarshal([]byte(f.Raw()), &r) == nil && r != "" {
			if err := on(llm.Event{Kind: llm.EventThinking, Text: r}); err != nil {
				return err
			}
		}
	}
	if d.Content != "" {
		if err := on(llm.Event{Kind: llm.EventText, Text: d.Content}); err != nil {
			return err
		}
	}
	for _, tc := range d.ToolCalls {
		n, seen := calls[tc.Index]
		if !seen {
			n = len(calls)
			calls[tc.Index] = n
		}
		ev := llm.Event{Kind: llm.EventToolCall, Index: n, Call: llm.ToolCall{Arguments: tc.Function.Arguments}}
		if !seen {
			ev.Call.ID, ev.Call.Name = tc.ID, tc.Function.Name
			if ev.Call.ID == "" {
				ev.Call.ID = fmt.Sprintf("call_%d", n)
			}
		}
		if err := on(ev); err != nil {
			return err
		}
	}
	return nil
}

// Capabilities implements llm.Capable: OpenAI chat models call tools;
// their reasoning is not streamed, so none is reported. Vision is known
// by the model's name (Vision).
func (p *Provider) Capabilities(model string) llm.Capabilities {
	return llm.Capabilities{Tools: true, Vision: Vision(model), ContextLength: 128000}
}

// Vision reports whether a model takes images, by its name: OpenAI's
// GPT-4o, GPT-4.1, GPT-4 Turbo, GPT-5 and o-series reasoning models (not
// the text-only o1-mini, o1-preview and o3-mini), and the open vision
// models compatible servers commonly serve (LLaVA, Qwen-VL, Pixtral,
// Llama 3.2 Vision, Gemma 3, MiniCPM-V, names with "vision" or "-vl").
func Vision(model string) bool {
	m := strings.ToLower(model)
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:] // a gateway's "vendor/model"
	}
	for _, no := range []string{"o1-mini", "o1-preview", "o3-mini", "gpt-3.5", "gpt-4-0", "gpt-4-32k", "embedding", "audio", "realtime", "tts", "whisper"} {
		if strings.Contains(m, no) {
			return false
		}
	}
	for _, yes := range []string{"gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-4-turbo", "gpt-4-vision", "gpt-5", "o1", "o3", "o4",
		"llava", "bakllava", "pixtral", "minicpm-v", "gemma-3", "gemma3", "vision", "-vl", "qwen-vl", "internvl", "moondream"} {
		if strings.HasPrefix(m, yes) || len(yes) >= 3 && strings.Contains(m, yes) {
			return true
		}
	}
	return false
}
