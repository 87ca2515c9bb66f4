package catalog

import (
	"context"
	"fmt"

	"sidecar/backend/llm"
	"sidecar/backend/models"
)

var _ llm.EventStreamer = (*local)(nil)

// StreamEvents implements llm.EventStreamer for local models. A model
// whose runtime reads tool calls and reasoning (models.EventStreamer)
// gets the tools in its template and reports calls and reasoning as
// events; any other model is served as llm.StreamEvents serves a plain
// provider (tools left out, refused only when a call is required). A
// request with Text is continued without a template (see streamText).
func (l *local) StreamEvents(ctx context.Context, req llm.Request, on llm.EventFunc) (llm.Usage, error) {
	lm, s, msgs, err := l.prepare(ctx, req)
	if err != nil {
		return llm.Usage{}, err
	}
	text := func(t string) error { return on(llm.Event{Kind: llm.EventText, Text: t}) }
	if req.Text != nil {
		return streamText(ctx, lm, req.Text, sampling(s, req.Stop), text, func() (llm.Usage, error) {
			return lm.Stream(ctx, chatPrompt(s, msgs), sampling(s, req.Stop), text)
		})
	}
	p, events, err := eventPrompt(lm, s, req, msgs)
	if err != nil {
		return llm.Usage{}, err
	}
	if !events {
		return lm.Stream(ctx, p, sampling(s, req.Stop), text)
	}
	if req.NoParallel {
		// One call at most: the model's further calls are left out.
		all := on
		on = func(ev llm.Event) error {
			if ev.Kind == llm.EventToolCall && ev.Index > 0 {
				return nil
			}
			return all(ev)
		}
	}
	return lm.(models.EventStreamer).StreamEvents(ctx, p, sampling(s, req.Stop), on)
}

// eventPrompt is the prompt StreamEvents renders for req: with the tools
// when the model reads calls (events), otherwise with tools and earlier
// calls as text (a required call is refused).
func eventPrompt(lm models.Model, s LocalSettings, req llm.Request, msgs []llm.Message) (p models.Prompt, events bool, err error) {
	caps := lm.Info().Capabilities
	_, events = lm.(models.EventStreamer)
	if len(req.Tools) > 0 && (!events || !caps.ToolCalls) {
		if req.ToolChoice.Mode == llm.ToolRequired || req.ToolChoice.Mode == llm.ToolNamed {
			return p, false, fmt.Errorf("catalog: %s: %w", req.Model, llm.ErrToolsUnsupported)
		}
		req.Tools = nil
	}
	if len(req.Tools) == 0 || req.ToolChoice.Mode == llm.ToolNone {
		req.Tools = nil
		msgs = llm.FlattenTools(msgs)
	}
	p = chatPrompt(s, msgs)
	if !events {
		return p, false, nil
	}
	p.Think = req.Think && caps.Thinking
	for _, t := range req.Tools {
		if req.ToolChoice.Mode == llm.ToolNamed && t.Name != req.ToolChoice.Name {
			continue // a named tool is the only one the model is shown
		}
		p.Tools = append(p.Tools, models.Tool{Name: t.Name, Description: t.Description, Parameters: t.ParametersOrEmpty()})
	}
	return p, true, nil
}

// CountRequest implements llm.RequestCounter: the tokens of the prompt
// StreamEvents would give the model for req (template, tools, system
// prompt), loading the model if needed.
func (l *local) CountRequest(ctx context.Context, req llm.Request) (int, error) {
	lm, s, msgs, err := l.prepare(ctx, req)
	if err != nil {
		return 0, err
	}
	p, _, err := eventPrompt(lm, s, req, msgs)
	if err != nil {
		return 0, err
	}
	return lm.CountTokens(p)
}

// streamText continues a TextPrompt: with a suffix by the model's FIM
// tokens (llm.ErrFIMUnsupported without them), otherwise as raw text.
// A model that cannot continue raw text answers as a chat (chat).
func streamText(ctx context.Context, lm models.Model, tp *llm.TextPrompt, s models.Sampling, on llm.TokenFunc, chat func() (llm.Usage, error)) (llm.Usage, error) {
	if tp.Suffix != "" {
		inf, ok := lm.(models.Infiller)
		if !ok || !lm.Info().Capabilities.FillInMiddle {
			return llm.Usage{}, fmt.Errorf("catalog: %w", llm.ErrFIMUnsupported)
		}
		return inf.Infill(ctx, tp.Prefix, tp.Suffix, s, on)
	}
	if c, ok := lm.(models.Completer); ok {
		return c.Complete(ctx, tp.Prefix, s, on)
	}
	return chat()
}
