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
// plugins. The oldest messages are left out if the model's context
// requires it.
func (s *Service) Complete(ctx context.Context, model string, req llm.Request, onToken llm.TokenFunc) (Completion, error) {
	p, modelID, err := s.provider(model)
	if err != nil {
		return Completion{}, err
	}
	msgs, dropped, err := llm.FitWindow(p, modelID, req.Messages)
	if err != nil {
		return Completion{}, fmt.Errorf("assistant: %w", err)
	}
	req.Model, req.Messages = modelID, msgs
	u, err := p.Stream(ctx, req, onToken)
	return Completion{Usage: u, Dropped: dropped}, err
}
