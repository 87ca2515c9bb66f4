package main

import (
	"errors"
	"sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sidecar/backend/docs"
)

// Document events.
const (
	eventDocsProgress = "docs:progress" // ingestProgress
	eventDocsChanged  = "docs:changed"  // nil: the document list changed
)

// ingestProgress reports adding files; Done comes once with the results.
type ingestProgress struct {
	docs.Progress
	Done    bool          `json:"done"`
	Results []docs.Result `json:"results"`
	Error   string        `json:"error"`
}

var ingestMu sync.Mutex // one ingest at a time

func (a *App) documents() (*docs.Service, error) {
	if _, err := a.service(); err != nil {
		return nil, err
	}
	if a.docs == nil {
		return nil, errors.New("documents are not available")
	}
	return a.docs, nil
}

// ingest adds paths chosen by the user (dialog or drop), reporting
// progress as events.
func (a *App) ingest(paths []string) ([]docs.Result, error) {
	d, err := a.documents()
	if err != nil || len(paths) == 0 {
		return []docs.Result{}, err
	}
	if !ingestMu.TryLock() {
		return nil, errors.New("documents are already being added; wait for that to finish")
	}
	defer ingestMu.Unlock()
	results, err := d.AddPaths(a.ctx, paths, func(p docs.Progress) {
		runtime.EventsEmit(a.ctx, eventDocsProgress, ingestProgress{Progress: p})
	})
	end := ingestProgress{Done: true, Results: results}
	if err != nil {
		end.Error = err.Error()
	}
	runtime.EventsEmit(a.ctx, eventDocsProgress, end)
	runtime.EventsEmit(a.ctx, eventDocsChanged, nil)
	if results == nil {
		results = []docs.Result{}
	}
	return results, err
}

// onFileDrop adds files dropped on the window (paths come from the OS,
// not from the page).
func (a *App) onFileDrop(_, _ int, paths []string) {
	go func() {
		if _, err := a.ingest(paths); err != nil {
			a.log.Warn("adding dropped files failed", "err", err)
		}
	}()
}

// AddDocumentFiles asks for files with the native dialog and adds them.
func (a *App) AddDocumentFiles() ([]docs.Result, error) {
	if _, err := a.documents(); err != nil {
		return nil, err
	}
	paths, err := runtime.OpenMultipleFilesDialog(a.ctx, runtime.OpenDialogOptions{Title: "Add documents"})
	if err != nil {
		return nil, err
	}
	return a.ingest(paths)
}

// AddDocumentFolder asks for a folder and adds what is in it
// (respecting .gitignore).
func (a *App) AddDocumentFolder() ([]docs.Result, error) {
	if _, err := a.documents(); err != nil {
		return nil, err
	}
	p, err := runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Add a folder of documents"})
	if err != nil || p == "" {
		return []docs.Result{}, err
	}
	return a.ingest([]string{p})
}

// AddNote stores pasted text as a document.
func (a *App) AddNote(title, text string) (docs.Result, error) {
	d, err := a.documents()
	if err != nil {
		return docs.Result{}, err
	}
	if title == "" {
		title = "Note"
	}
	r, err := d.Add(a.ctx, "note:"+title, title+".md", []byte(text))
	runtime.EventsEmit(a.ctx, eventDocsChanged, nil)
	return r, err
}

// ListDocuments lists the documents.
func (a *App) ListDocuments() ([]docs.Document, error) {
	d, err := a.documents()
	if err != nil {
		return nil, err
	}
	return d.List(a.ctx)
}

// GetDocument returns a document with its text (to show a citation's source).
func (a *App) GetDocument(id int64) (docs.Full, error) {
	d, err := a.documents()
	if err != nil {
		return docs.Full{}, err
	}
	return d.Get(a.ctx, id)
}

// DeleteDocument removes a document with its chunks and vectors.
func (a *App) DeleteDocument(id int64) error {
	d, err := a.documents()
	if err != nil {
		return err
	}
	if err := d.Delete(a.ctx, id); err != nil {
		return err
	}
	runtime.EventsEmit(a.ctx, eventDocsChanged, nil)
	return nil
}

// SearchDocuments searches the documents.
func (a *App) SearchDocuments(query string) ([]docs.Hit, error) {
	d, err := a.documents()
	if err != nil {
		return nil, err
	}
	return d.Search(a.ctx, query, docs.SearchOptions{K: 20})
}

// SetChatDocuments turns document grounding on or off for a chat.
func (a *App) SetChatDocuments(chatID int64, on bool) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.SetChatDocuments(a.ctx, chatID, on)
}
