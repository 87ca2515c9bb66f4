package catalog

import (
	"context"

	"sidecar/backend/llm"
)

var _ llm.Capable = (*local)(nil)

// Capabilities implements llm.Capable for local models: what the model
// file has and this provider serves. Its answers are text (Stream), so
// tool calls and separate reasoning are not reported even when the
// model's template knows them.
func (l *local) Capabilities(model string) llm.Capabilities {
	m, err := l.find(context.Background(), model)
	if err != nil {
		return llm.Capabilities{}
	}
	n := m.Settings.ContextSize
	if n <= 0 {
		n = m.Info.ContextMax
	}
	return llm.Capabilities{FIM: m.Info.Capabilities.FillInMiddle, ContextLength: n}
}
