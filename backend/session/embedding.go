package session

import (
	"context"
	"errors"
	"sync"

	"sidecar/backend/catalog"
	"sidecar/backend/docs"
)

// embedJob is the embedding switch under way in an open profile.
type embedJob struct {
	mu       sync.Mutex
	cancel   context.CancelFunc
	progress *docs.EmbedProgress
}

// EmbeddingModel is an embedding model the Documents screen offers.
type EmbeddingModel = catalog.EmbeddingModel

// EmbeddingState is the model in use and the switch under way, if any.
type EmbeddingState struct {
	Active  string              `json:"active"`
	Models  []EmbeddingModel    `json:"models"`
	Running *docs.EmbedProgress `json:"running"`
}

// EmbeddingModels lists the embedding models for documents (the
// catalogue's) and which is in use.
func (s *Session) EmbeddingModels(context.Context) (EmbeddingState, error) {
	return with(s, func(o *open) (EmbeddingState, error) {
		st := EmbeddingState{Active: o.docs.ModelName(), Models: o.cat.EmbeddingModels()}
		o.emb.mu.Lock()
		if o.emb.progress != nil {
			p := *o.emb.progress
			st.Running = &p
		}
		o.emb.mu.Unlock()
		return st, nil
	})
}

// UseEmbeddingModel switches the documents to another embedding model in
// the background: every chunk is embedded again, with docs:embedding
// progress; search keeps using the current model until that is done. A
// switch under way is cancelled.
func (s *Session) UseEmbeddingModel(_ context.Context, id string) error {
	return s.use(func(o *open) error {
		emb, err := o.cat.Embedder(id)
		if err != nil {
			return err
		}
		s.startEmbedding(o, emb)
		return nil
	})
}

// ImportEmbeddingModel checks a Hugging Face sentence-embedding folder by
// loading it and copies it into the data folder; it returns the model's ID.
func (s *Session) ImportEmbeddingModel(_ context.Context, dir string) (string, error) {
	id, err := with(s, func(o *open) (string, error) { return o.cat.ImportEmbedding(dir) })
	if err == nil {
		s.emit(EventDocsChanged, nil)
	}
	return id, err
}

// startEmbedding runs o.docs.UseEmbedder(emb) as a job of o, cancelling
// a switch under way.
func (s *Session) startEmbedding(o *open, emb docs.Embedder) {
	ctx, cancel := context.WithCancel(o.jobs.ctx)
	o.emb.mu.Lock()
	if o.emb.cancel != nil {
		o.emb.cancel()
	}
	o.emb.cancel = cancel
	o.emb.progress = &docs.EmbedProgress{Model: emb.Name()}
	o.emb.mu.Unlock()
	if !o.jobs.goRun(func(context.Context) {
		defer cancel()
		s.embed(ctx, o, emb)
	}) {
		cancel()
	}
}

// embed switches o's documents to emb, reporting progress, then loads
// the vectors for search.
func (s *Session) embed(ctx context.Context, o *open, emb docs.Embedder) {
	err := o.docs.UseEmbedder(ctx, emb, func(p docs.EmbedProgress) {
		o.emb.mu.Lock()
		o.emb.progress = &p
		o.emb.mu.Unlock()
		s.emit(EventDocsEmbedding, EmbeddingProgress{EmbedProgress: p})
	})
	o.emb.mu.Lock()
	if o.emb.progress != nil && o.emb.progress.Model == emb.Name() {
		o.emb.progress, o.emb.cancel = nil, nil
	}
	o.emb.mu.Unlock()
	end := EmbeddingProgress{EmbedProgress: docs.EmbedProgress{Model: emb.Name()}, Finished: true}
	if err == nil {
		// Load the vectors for search now rather than on the first query.
		if werr := o.docs.Warm(ctx); werr != nil && !errors.Is(werr, context.Canceled) {
			s.log.Warn("loading the vector index failed", "err", werr)
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		end.Error = err.Error()
		s.log.Warn("embedding documents failed", "model", emb.Name(), "err", err)
	}
	s.emit(EventDocsEmbedding, end)
	s.emit(EventDocsChanged, nil)
}
