package session

import (
	"context"
	"errors"
	"os"
	"strings"

	"sidecar/backend/docs"
)

// errIngestBusy: one ingest at a time.
var errIngestBusy = errors.New("documents are already being added; wait for that to finish")

// AddPaths adds files and folders chosen by the user (dialog or drop),
// reporting progress as docs:progress events. It runs as a job of the open
// profile (closing or re-keying stops it) and returns its results.
func (s *Session) AddPaths(ctx context.Context, paths []string) ([]docs.Result, error) {
	type result struct {
		r   []docs.Result
		err error
	}
	ch := make(chan result, 1)
	err := s.use(func(o *open) error {
		if len(paths) == 0 {
			ch <- result{r: []docs.Result{}}
			return nil
		}
		if !o.ingest.TryLock() {
			return errIngestBusy
		}
		if !o.jobs.goRun(func(jctx context.Context) {
			defer o.ingest.Unlock()
			r, err := s.ingest(jctx, o, paths, nil)
			ch <- result{r, err}
		}) {
			o.ingest.Unlock()
			return ErrNotOpen
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r.r, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ingest adds paths to o's documents with progress events; extra results
// (files that went missing) are added to the final report.
func (s *Session) ingest(ctx context.Context, o *open, paths []string, extra []docs.Result) ([]docs.Result, error) {
	results, err := o.docs.AddPaths(ctx, paths, func(p docs.Progress) {
		s.emit(EventDocsProgress, IngestProgress{Progress: p})
	})
	end := IngestProgress{Done: true, Results: append(results, extra...)}
	if err != nil {
		end.Error = err.Error()
	}
	s.emit(EventDocsProgress, end)
	s.emit(EventDocsChanged, nil)
	if results == nil {
		results = []docs.Result{}
	}
	return results, err
}

// ReindexDocuments reads every document added from a file again (changed
// files are re-chunked, missing ones reported) and fills in any missing
// vectors, in the background with docs:progress and docs:embedding events.
func (s *Session) ReindexDocuments(ctx context.Context) error {
	return s.use(func(o *open) error {
		list, err := o.docs.List(ctx)
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
		if !o.ingest.TryLock() {
			return errors.New("documents are being added; wait for that to finish")
		}
		if !o.jobs.goRun(func(jctx context.Context) {
			defer o.ingest.Unlock()
			s.ingest(jctx, o, paths, missing)
			s.startEmbedding(o, o.docs.Embedder())
		}) {
			o.ingest.Unlock()
		}
		return nil
	})
}

// AddNote stores pasted text as a document.
func (s *Session) AddNote(ctx context.Context, title, text string) (docs.Result, error) {
	if title == "" {
		title = "Note"
	}
	r, err := with(s, func(o *open) (docs.Result, error) { return o.docs.Add(ctx, "note:"+title, title+".md", []byte(text)) })
	s.emit(EventDocsChanged, nil)
	return r, err
}

// ListDocuments lists the documents.
func (s *Session) ListDocuments(ctx context.Context) ([]docs.Document, error) {
	return with(s, func(o *open) ([]docs.Document, error) { return o.docs.List(ctx) })
}

// GetDocument returns a document with its text (to show a citation's source).
func (s *Session) GetDocument(ctx context.Context, id int64) (docs.Full, error) {
	return with(s, func(o *open) (docs.Full, error) { return o.docs.Get(ctx, id) })
}

// DeleteDocument removes a document with its chunks and vectors.
func (s *Session) DeleteDocument(ctx context.Context, id int64) error {
	err := s.use(func(o *open) error { return o.docs.Delete(ctx, id) })
	if err == nil {
		s.emit(EventDocsChanged, nil)
	}
	return err
}

// SearchDocuments searches the documents (hybrid, 20 hits).
func (s *Session) SearchDocuments(ctx context.Context, query string) ([]docs.Hit, error) {
	return with(s, func(o *open) ([]docs.Hit, error) { return o.docs.Search(ctx, query, docs.SearchOptions{K: 20}) })
}

// SearchDocumentsK searches with k hits (the command line's --k).
func (s *Session) SearchDocumentsK(ctx context.Context, query string, k int) ([]docs.Hit, error) {
	return with(s, func(o *open) ([]docs.Hit, error) { return o.docs.Search(ctx, query, docs.SearchOptions{K: k}) })
}
