package assistant

import (
	"context"
	"fmt"

	"sidecar/backend/llm"
)

// Completion is the result of Complete.
type Completion struct {
	Usage   llm.Usage
	Dropped int // earlier messages left out to fit the model's context
}

// Complete generates a reply with model ("provider/model") outside any
// chat: nothing is stored. It is what the local API serves to editor
// plugins: text, reasoning and tool calls arrive as events (a model that
// cannot call tools gets them as text, see llm.StreamEvents). The oldest
// messages are left out if the model's context requires it.
func (s *Service) Complete(ctx context.Context, model string, req llm.Request, on llm.EventFunc) (Completion, error) {
	p, modelID, err := s.provider(model)
	if err != nil {
		return Completion{}, err
	}
	msgs, dropped, err := llm.FitWindow(p, modelID, req.Messages)
	if err != nil {
		return Completion{}, fmt.Errorf("assistant: %w", err)
	}
	req.Model, req.Messages = modelID, msgs
	u, err := llm.StreamEvents(ctx, p, req, on)
	return Completion{Usage: u, Dropped: dropped}, err
}

// Capabilities says what model ("provider/model") can do.
func (s *Service) Capabilities(model string) (llm.Capabilities, error) {
	p, modelID, err := s.provider(model)
	if err != nil {
		return llm.Capabilities{}, err
	}
	return llm.CapabilitiesOf(p, modelID), nil
}

// CountTokens counts the tokens of the prompt req becomes for model
// ("provider/model"); exact is false when the provider cannot count
// (the caller estimates).
func (s *Service) CountTokens(ctx context.Context, model string, req llm.Request) (n int, exact bool, err error) {
	p, modelID, err := s.provider(model)
	if err != nil {
		return 0, false, err
	}
	c, ok := p.(llm.RequestCounter)
	if !ok {
		return 0, false, nil
	}
	req.Model = modelID
	n, err = c.CountRequest(ctx, req)
	return n, err == nil, err
}
