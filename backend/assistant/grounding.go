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

// groundingPrompt introduces the excerpts, in chats and in the local API.
const groundingPrompt = "Excerpts from the user's own documents follow. Use them when they help answer, " +
	"cite them by number like [1] right after the statement they support, and say so when they do not contain the answer.\n\n"

// Grounding defaults: excerpts per answer in a chat, and the token budget
// for a model that does not say how large its window is.
const (
	ChatExcerpts        = 8
	DefaultGroundBudget = 2000
)

// Ground is the one grounding rule: it searches r for the last user
// message and adds the best excerpts (at most k, about budget tokens) to
// msgs as one system message placed after the system messages already
// there (their order kept) and before the conversation. msgs is not
// modified. With no hits msgs comes back as it was.
func Ground(ctx context.Context, r Retriever, msgs []llm.Message, budget, k int) ([]llm.Message, []docs.Hit, error) {
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
	hits, text, err := r.Context(ctx, query, budget, docs.SearchOptions{K: k})
	if err != nil {
		return nil, nil, fmt.Errorf("assistant: search documents: %w", err)
	}
	if len(hits) == 0 {
		return msgs, []docs.Hit{}, nil
	}
	sys := llm.Message{Role: llm.RoleSystem, Content: groundingPrompt + strings.TrimSpace(text)}
	i := 0
	for i < len(msgs) && msgs[i].Role == llm.RoleSystem {
		i++
	}
	out := make([]llm.Message, 0, len(msgs)+1)
	out = append(append(append(out, msgs[:i]...), sys), msgs[i:]...)
	return out, hits, nil
}

// Ground grounds a request for model ("provider/model") in r, as chats do:
// the model's own system prompt first, then the excerpts, with a budget of
// a third of the model's window. The local API calls it for requests that
// ask for documents.
func (s *Service) Ground(ctx context.Context, r Retriever, model string, msgs []llm.Message, k int) ([]llm.Message, []docs.Hit, error) {
	p, modelID, err := s.cat.Provider(model)
	if err != nil {
		return nil, nil, err
	}
	msgs = s.withSystemPrompt(ctx, p, modelID, "", msgs)
	return Ground(ctx, r, msgs, GroundingBudget(p, modelID), k)
}

// groundChat grounds a chat's prompt in the documents and returns the
// citations to store with the answer.
func (s *Service) groundChat(ctx context.Context, p llm.Provider, model string, msgs []llm.Message) ([]llm.Message, []Citation, error) {
	s.mu.Lock()
	r := s.retriever
	s.mu.Unlock()
	if r == nil {
		return msgs, nil, nil
	}
	out, hits, err := Ground(ctx, r, msgs, GroundingBudget(p, model), ChatExcerpts)
	if err != nil {
		return nil, nil, err
	}
	cites := make([]Citation, len(hits))
	for i, h := range hits {
		cites[i] = Citation{N: i + 1, DocumentID: h.DocumentID, Title: h.Title, Source: h.Source, LineStart: h.LineStart, LineEnd: h.LineEnd, Heading: h.Heading}
	}
	return out, cites, nil
}

// systemPrompter is a provider whose models carry their own system prompt
// (local models: a setting per model).
type systemPrompter interface {
	SystemPrompt(ctx context.Context, model string) string
}

// withSystemPrompt puts the chat's system prompt first (chat, when not
// empty), else the model's configured one, unless the conversation brings
// its own; it runs before grounding so excerpts never stand in for it.
func (s *Service) withSystemPrompt(ctx context.Context, p llm.Provider, model, chat string, msgs []llm.Message) []llm.Message {
	if len(msgs) > 0 && msgs[0].Role == llm.RoleSystem {
		return msgs
	}
	text := chat
	if sp, ok := p.(systemPrompter); ok && text == "" {
		text = sp.SystemPrompt(ctx, model)
	}
	if text == "" {
		return msgs
	}
	return append([]llm.Message{{Role: llm.RoleSystem, Content: text}}, msgs...)
}

// GroundingBudget is how many tokens of excerpts a model gets: a third of
// what its window leaves after the answer's reserve.
func GroundingBudget(p llm.Provider, model string) int {
	if w, ok := p.(llm.Windowed); ok {
		size, reserve := w.ContextWindow(model)
		if b := (size - reserve) / 3; b > 0 {
			return b
		}
	}
	return DefaultGroundBudget
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
