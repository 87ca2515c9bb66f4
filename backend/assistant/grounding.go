package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"sidecar/backend/docs"
	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// Retriever finds document excerpts for a question (docs.Service).
type Retriever interface {
	Context(ctx context.Context, query string, budget int, o docs.SearchOptions) ([]docs.Hit, string, error)
}

// Citation is a document excerpt an answer drew on; N is the number the
// answer cites it by ([1], [2], ...).
type Citation struct {
	N          int    `json:"n"`
	DocumentID int64  `json:"documentId"`
	Title      string `json:"title"`
	Source     string `json:"source"`
	LineStart  int    `json:"lineStart"`
	LineEnd    int    `json:"lineEnd"`
	Heading    string `json:"heading"`
}

// EnableDocuments lets chats ground their answers in the user's documents.
func (s *Service) EnableDocuments(r Retriever) {
	s.mu.Lock()
	s.retriever = r
	s.mu.Unlock()
}

// SetChatDocuments turns document grounding on or off for a chat.
func (s *Service) SetChatDocuments(ctx context.Context, chatID int64, on bool) error {
	s.mu.Lock()
	r := s.retriever
	s.mu.Unlock()
	if on && r == nil {
		return fmt.Errorf("assistant: documents are not available")
	}
	return s.db.SetChatDocuments(ctx, chatID, on)
}

const groundingPrompt = "Excerpts from the user's own documents follow. Use them when they help answer, " +
	"cite them by number like [1] right after the statement they support, and say so when they do not contain the answer.\n\n"

// ground adds document excerpts for the last user message to msgs, as a
// system message, and returns the citations. budget is in tokens.
func (s *Service) ground(ctx context.Context, msgs []llm.Message, budget int) ([]llm.Message, []Citation, error) {
	s.mu.Lock()
	r := s.retriever
	s.mu.Unlock()
	if r == nil || len(msgs) == 0 {
		return msgs, nil, nil
	}
	query := ""
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == llm.RoleUser {
			query = msgs[i].Content
			break
		}
	}
	hits, text, err := r.Context(ctx, query, budget, docs.SearchOptions{K: 8})
	if err != nil {
		return nil, nil, fmt.Errorf("assistant: search documents: %w", err)
	}
	if len(hits) == 0 {
		return msgs, []Citation{}, nil
	}
	cites := make([]Citation, len(hits))
	for i, h := range hits {
		cites[i] = Citation{N: i + 1, DocumentID: h.DocumentID, Title: h.Title, Source: h.Source, LineStart: h.LineStart, LineEnd: h.LineEnd, Heading: h.Heading}
	}
	sys := llm.Message{Role: llm.RoleSystem, Content: groundingPrompt + strings.TrimSpace(text)}
	// After any system prompt, before the conversation.
	i := 0
	for i < len(msgs) && msgs[i].Role == llm.RoleSystem {
		i++
	}
	out := append(append(append([]llm.Message{}, msgs[:i]...), sys), msgs[i:]...)
	return out, cites, nil
}

// groundingBudget is how many tokens of excerpts a model gets.
func groundingBudget(p llm.Provider, model string) int {
	if w, ok := p.(llm.Windowed); ok {
		size, reserve := w.ContextWindow(model)
		if b := (size - reserve) / 3; b > 0 {
			return b
		}
	}
	return 2000
}

func citationsJSON(c []Citation) string {
	if c == nil {
		return "[]"
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func parseCitations(m store.Message) []Citation {
	out := []Citation{}
	json.Unmarshal([]byte(m.Citations), &out)
	return out
}
