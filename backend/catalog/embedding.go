package catalog

import (
	"context"
	"fmt"
	"strings"

	"sidecar/backend/docs"
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
func (c *Catalog) CloudEmbeddings() []EmbeddingOption {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []EmbeddingOption
	for _, pid := range []string{"openai", "gemini"} {
		e := cloudEmbedding[pid]
		_, ok := c.providers[pid].(llm.Embedder)
		out = append(out, EmbeddingOption{ID: pid + "/" + e.model, Label: e.label, Available: ok})
	}
	return out
}

// EnableEmbeddings offers the local embedding models kept in dataDir's
// models folder (see LocalEmbeddings).
func (c *Catalog) EnableEmbeddings(dataDir string) {
	c.mu.Lock()
	c.dataDir = dataDir
	c.mu.Unlock()
}

// EmbeddingModel is an embedding model the Documents screen offers.
type EmbeddingModel struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Available bool   `json:"available"`
	Note      string `json:"note"`
}

// EmbeddingModels lists the embedding models documents can use: the
// built-in lexical one (the default, always available), the local ones,
// then the cloud ones (available once their provider has a key).
func (c *Catalog) EmbeddingModels() []EmbeddingModel {
	out := []EmbeddingModel{{ID: docs.LexicalName, Label: "Built-in (lexical, no download, works offline)", Available: true}}
	c.mu.Lock()
	dir := c.dataDir
	c.mu.Unlock()
	if dir != "" {
		for _, l := range LocalEmbeddings(dir) {
			out = append(out, EmbeddingModel{ID: l.ID, Label: fmt.Sprintf("%s (on this machine, %d dimensions)", l.Name, l.Dims),
				Available: true, Note: "runs on this machine; nothing leaves it"})
		}
	}
	for _, e := range c.CloudEmbeddings() {
		m := EmbeddingModel{ID: e.ID, Label: e.Label, Available: e.Available, Note: "sends your document text to the provider"}
		if !e.Available {
			m.Note = "add the provider's API key in Settings first"
		}
		out = append(out, m)
	}
	return out
}

// Embedder is the one place that turns an embedding model's ID into an
// embedder: "" and the built-in lexical one, local BERT-family models in
// the data folder, cloud models whose provider has a key.
func (c *Catalog) Embedder(id string) (docs.Embedder, error) {
	switch {
	case id == "" || id == docs.LexicalName:
		return docs.Lexical{}, nil
	case strings.HasPrefix(id, LocalEmbeddingPrefix):
		c.mu.Lock()
		dir := c.dataDir
		c.mu.Unlock()
		if dir == "" {
			return nil, fmt.Errorf("catalog: local embedding models are not available here (%q)", id)
		}
		return LoadLocalEmbedder(dir, id)
	default:
		return c.CloudEmbedder(id)
	}
}

// ImportEmbedding checks a Hugging Face sentence-embedding folder by
// loading it and copies it into the data folder; it returns the model's ID.
func (c *Catalog) ImportEmbedding(src string) (string, error) {
	c.mu.Lock()
	dir := c.dataDir
	c.mu.Unlock()
	if dir == "" {
		return "", fmt.Errorf("catalog: local embedding models are not available here")
	}
	return ImportLocalEmbedding(dir, src)
}

// CloudEmbedder returns the embedder of a cloud embedding model (an ID
// from CloudEmbeddings) if its provider's key is set.
func (c *Catalog) CloudEmbedder(id string) (*ProviderEmbedder, error) {
	for pid, e := range cloudEmbedding {
		if id != pid+"/"+e.model {
			continue
		}
		c.mu.Lock()
		p, ok := c.providers[pid].(llm.Embedder)
		c.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("%w %q: add its API key in Settings first", ErrNoProvider, pid)
		}
		return &ProviderEmbedder{p: p, name: id, model: e.model, dims: e.dims}, nil
	}
	return nil, fmt.Errorf("catalog: unknown embedding model %q", id)
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
				return nil, fmt.Errorf("catalog: %s returned %d dimensions, not %d", e.name, len(v), e.dims)
			}
		}
		out = append(out, vs...)
	}
	return out, nil
}
