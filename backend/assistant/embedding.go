package assistant

import (
	"context"
	"fmt"

	"sidecar/backend/llm"
)

// Cloud embedding models documents can be embedded with, by provider.
var cloudEmbedding = map[string]struct {
	model, label string
	dims         int
}{
	"openai": {"text-embedding-3-small", "OpenAI text-embedding-3-small (1536 dimensions)", 1536},
	"gemini": {"text-embedding-004", "Google Gemini text-embedding-004 (768 dimensions)", 768},
}

// EmbeddingOption is a cloud embedding model for documents; Available
// means its provider's key is set.
type EmbeddingOption struct {
	ID        string `json:"id"` // "openai/text-embedding-3-small"
	Label     string `json:"label"`
	Available bool   `json:"available"`
}

// CloudEmbeddings lists the cloud embedding models this build knows.
func (s *Service) CloudEmbeddings() []EmbeddingOption {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []EmbeddingOption
	for _, pid := range []string{"openai", "gemini"} {
		e := cloudEmbedding[pid]
		_, ok := s.providers[pid].(llm.Embedder)
		out = append(out, EmbeddingOption{ID: pid + "/" + e.model, Label: e.label, Available: ok})
	}
	return out
}

// CloudEmbedder returns the embedder of a cloud embedding model (an ID
// from CloudEmbeddings) if its provider's key is set.
func (s *Service) CloudEmbedder(id string) (*ProviderEmbedder, error) {
	for pid, e := range cloudEmbedding {
		if id != pid+"/"+e.model {
			continue
		}
		s.mu.Lock()
		p, ok := s.providers[pid].(llm.Embedder)
		s.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("%w %q: add its API key in Settings first", ErrNoProvider, pid)
		}
		return &ProviderEmbedder{p: p, name: id, model: e.model, dims: e.dims}, nil
	}
	return nil, fmt.Errorf("assistant: unknown embedding model %q", id)
}

// ProviderEmbedder embeds documents with a cloud provider, in batches.
type ProviderEmbedder struct {
	p           llm.Embedder
	name, model string
	dims        int
}

// embedBatch is how many texts go in one request (both providers accept
// at least 100).
const embedBatch = 96

// Name is the model's ID: vectors of different models never mix.
func (e *ProviderEmbedder) Name() string { return e.name }

// Dims is the vector size.
func (e *ProviderEmbedder) Dims() int { return e.dims }

// Embed returns one vector per text.
func (e *ProviderEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += embedBatch {
		vs, err := e.p.Embed(ctx, e.model, texts[i:min(len(texts), i+embedBatch)])
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if len(v) != e.dims {
				return nil, fmt.Errorf("assistant: %s returned %d dimensions, not %d", e.name, len(v), e.dims)
			}
		}
		out = append(out, vs...)
	}
	return out, nil
}
