package catalog

import (
	"context"

	"sidecar/backend/llm"
)

var _ llm.Capable = (*local)(nil)

// Capabilities implements llm.Capable for local models: what the model
// file has, as its runtime found it (tools when the template shows them
// and the calls it teaches can be read back, thinking when it marks
// reasoning with <think>, fill in the middle when the vocabulary has the
// tokens); StreamEvents serves them.
func (l *local) Capabilities(model string) llm.Capabilities {
	m, err := l.find(context.Background(), model)
	if err != nil {
		return llm.Capabilities{}
	}
	n := m.Settings.ContextSize
	if n <= 0 {
		n = m.Info.ContextMax
	}
	c := m.Info.Capabilities
	// The loaded model's own description is newer than the one stored
	// when the file was added (a later Sidecar may read more of it).
	l.mu.Lock()
	if l.loaded != nil && l.loadedID == model {
		c = l.loaded.Info().Capabilities
	}
	l.mu.Unlock()
	return llm.Capabilities{Tools: c.ToolCalls, Thinking: c.Thinking, FIM: c.FillInMiddle, ContextLength: n}
}
