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
	p, modelID, err := s.cat.Provider(model)
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
