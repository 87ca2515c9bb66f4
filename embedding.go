package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sidecar/backend/cli"
	"sidecar/backend/docs"
)

// eventDocsEmbedding reports embedding the documents with a model
// (embeddingProgress).
const eventDocsEmbedding = "docs:embedding"

// embeddingProgress is a docs:embedding event; Finished comes once.
type embeddingProgress struct {
	docs.EmbedProgress
	Finished bool   `json:"finished"`
	Error    string `json:"error"`
}

// EmbeddingModel is an embedding model the Documents screen offers.
type EmbeddingModel struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Available bool   `json:"available"`
	Note      string `json:"note"`
}

// EmbeddingState is the model in use and the switch under way, if any.
type EmbeddingState struct {
	Active  string              `json:"active"`
	Models  []EmbeddingModel    `json:"models"`
	Running *docs.EmbedProgress `json:"running"`
}

var embedJob struct {
	sync.Mutex
	cancel   context.CancelFunc
	progress *docs.EmbedProgress
}

// EmbeddingModels lists the embedding models for documents and which is
// in use.
func (a *App) EmbeddingModels() (EmbeddingState, error) {
	d, err := a.documents()
	if err != nil {
		return EmbeddingState{}, err
	}
	st := EmbeddingState{Active: d.ModelName(), Models: []EmbeddingModel{{
		ID: docs.LexicalName, Label: "Built-in (lexical, no download, works offline)", Available: true,
	}}}
	for _, l := range cli.LocalEmbeddings(a.dataDir) {
		st.Models = append(st.Models, EmbeddingModel{ID: l.ID, Label: fmt.Sprintf("%s (on this machine, %d dimensions)", l.Name, l.Dims),
			Available: true, Note: "runs on this machine; nothing leaves it"})
	}
	for _, o := range a.svc.CloudEmbeddings() {
		m := EmbeddingModel{ID: o.ID, Label: o.Label, Available: o.Available, Note: "sends your document text to the provider"}
		if !o.Available {
			m.Note = "add the provider's API key in Settings first"
		}
		st.Models = append(st.Models, m)
	}
	embedJob.Lock()
	if embedJob.progress != nil {
		p := *embedJob.progress
		st.Running = &p
	}
	embedJob.Unlock()
	return st, nil
}

// UseEmbeddingModel switches the documents to another embedding model in
// the background: every chunk is embedded again, with docs:embedding
// progress; search keeps using the current model until that is done. A
// switch under way is cancelled.
func (a *App) UseEmbeddingModel(id string) error {
	d, err := a.documents()
	if err != nil {
		return err
	}
	var emb docs.Embedder = docs.Lexical{}
	if strings.HasPrefix(id, cli.LocalEmbeddingPrefix) {
		e, err := cli.LoadLocalEmbedder(a.dataDir, id)
		if err != nil {
			return err
		}
		emb = e
	} else if id != docs.LexicalName {
		e, err := a.svc.CloudEmbedder(id)
		if err != nil {
			return err
		}
		emb = e
	}
	a.startEmbedding(d, emb)
	return nil
}

// startEmbedding runs d.UseEmbedder(emb) in the background.
func (a *App) startEmbedding(d *docs.Service, emb docs.Embedder) {
	embedJob.Lock()
	if embedJob.cancel != nil {
		embedJob.cancel()
	}
	ctx, cancel := context.WithCancel(a.ctx)
	embedJob.cancel = cancel
	embedJob.progress = &docs.EmbedProgress{Model: emb.Name()}
	embedJob.Unlock()
	go func() {
		err := d.UseEmbedder(ctx, emb, func(p docs.EmbedProgress) {
			embedJob.Lock()
			embedJob.progress = &p
			embedJob.Unlock()
			runtime.EventsEmit(a.ctx, eventDocsEmbedding, embeddingProgress{EmbedProgress: p})
		})
		embedJob.Lock()
		if embedJob.progress != nil && embedJob.progress.Model == emb.Name() {
			embedJob.progress, embedJob.cancel = nil, nil
		}
		embedJob.Unlock()
		end := embeddingProgress{EmbedProgress: docs.EmbedProgress{Model: emb.Name()}, Finished: true}
		if err == nil {
			// Load the vectors for search now rather than on the first query.
			if werr := d.Warm(ctx); werr != nil && !errors.Is(werr, context.Canceled) {
				a.log.Warn("loading the vector index failed", "err", werr)
			}
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			end.Error = err.Error()
			a.log.Warn("embedding documents failed", "model", emb.Name(), "err", err)
		}
		runtime.EventsEmit(a.ctx, eventDocsEmbedding, end)
		runtime.EventsEmit(a.ctx, eventDocsChanged, nil)
	}()
}

// ImportEmbeddingModel asks for a Hugging Face sentence-embedding folder
// (config.json, model.safetensors, tokenizer.json), checks it by loading
// it and copies it into the data folder. It returns the model's ID, or ""
// if the user cancelled.
func (a *App) ImportEmbeddingModel() (string, error) {
	if _, err := a.documents(); err != nil {
		return "", err
	}
	dir, err := runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import a sentence-embedding model folder (BERT family, e.g. all-MiniLM-L6-v2)"})
	if err != nil || dir == "" {
		return "", err
	}
	id, err := cli.ImportLocalEmbedding(a.dataDir, dir)
	if err != nil {
		return "", err
	}
	runtime.EventsEmit(a.ctx, eventDocsChanged, nil)
	return id, nil
}

// ReindexDocuments reads every document added from a file again
// (changed files are re-chunked, missing ones reported) and fills in any
// missing vectors, in the background with docs:progress and
// docs:embedding events.
func (a *App) ReindexDocuments() error {
	d, err := a.documents()
	if err != nil {
		return err
	}
	list, err := d.List(a.ctx)
	if err != nil {
		return err
	}
	var paths []string
	var missing []docs.Result
	for _, doc := range list {
		if strings.HasPrefix(doc.Source, "note:") {
			continue
		}
		if _, err := os.Stat(doc.Source); err != nil {
			missing = append(missing, docs.Result{Source: doc.Source, Outcome: docs.Skipped, Reason: "the file is no longer there", Document: doc.ID})
			continue
		}
		paths = append(paths, doc.Source)
	}
	if !ingestMu.TryLock() {
		return errors.New("documents are being added; wait for that to finish")
	}
	go func() {
		defer ingestMu.Unlock()
		results, err := d.AddPaths(a.ctx, paths, func(p docs.Progress) {
			runtime.EventsEmit(a.ctx, eventDocsProgress, ingestProgress{Progress: p})
		})
		end := ingestProgress{Done: true, Results: append(results, missing...)}
		if err != nil {
			end.Error = err.Error()
		}
		runtime.EventsEmit(a.ctx, eventDocsProgress, end)
		a.startEmbedding(d, d.Embedder())
	}()
	return nil
}
