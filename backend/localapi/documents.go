package localapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"sidecar/backend/assistant"
	"sidecar/backend/docs"
	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// Documents is what the API needs from the documents store (docs.Service).
type Documents interface {
	Add(ctx context.Context, source, title string, data []byte) (docs.Result, error)
	List(ctx context.Context) ([]docs.Document, error)
	Get(ctx context.Context, id int64) (docs.Full, error)
	Delete(ctx context.Context, id int64) error
	Search(ctx context.Context, query string, o docs.SearchOptions) ([]docs.Hit, error)
	Context(ctx context.Context, query string, budget int, o docs.SearchOptions) ([]docs.Hit, string, error)
}

// WithDocuments serves the user's documents under /api and to MCP clients.
func (s *Server) WithDocuments(d Documents) *Server {
	s.docs = d
	s.mcp = newMCP(d, s.cfg.MaxReadBytes)
	return s
}

func (s *Server) needDocs(w http.ResponseWriter) bool {
	if s.docs == nil {
		writeError(w, http.StatusNotFound, "not_found_error", "documents_unavailable", "documents are not available on this server")
		return false
	}
	return true
}

type addDocRequest struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// addDocument takes JSON {title, text} or a multipart upload (field "file").
func (s *Server) addDocument(w http.ResponseWriter, r *http.Request) {
	if !s.needDocs(w) {
		return
	}
	var source, title string
	var data []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, hdr, err := r.FormFile("file")
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "body_too_large", "the upload is too large")
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "send the document as a multipart field named \"file\"")
			return
		}
		defer f.Close()
		if data, err = io.ReadAll(f); err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "body_too_large", "the upload is too large")
			return
		}
		// Only the base name is kept: no path from a client reaches disk or the source.
		name := filepath.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
		if name == "." || name == "/" || name == "" {
			name = "upload"
		}
		title, source = name, "upload:"+name
	} else {
		var req addDocRequest
		if !s.decodeStrict(w, r, &req) {
			return
		}
		if strings.TrimSpace(req.Text) == "" {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "text is empty")
			return
		}
		title = strings.TrimSpace(req.Title)
		if title == "" {
			title = "Note"
		}
		if len(title) > 200 {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "title is longer than 200 bytes")
			return
		}
		source, data = "api:"+title, []byte(req.Text)
		if !strings.Contains(title, ".") {
			title += ".md"
		}
	}
	res, err := s.docs.Add(r.Context(), source, title, data)
	if store.IsConflict(err) {
		writeError(w, http.StatusConflict, "invalid_request_error", "conflict", "another document with this name was added at the same time: try again")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", publicMessage(err))
		return
	}
	status := http.StatusCreated
	if res.Outcome == docs.Skipped {
		status = http.StatusUnprocessableEntity
	} else if res.Outcome == docs.Unchanged {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	if !s.needDocs(w) {
		return
	}
	list, err := s.docs.List(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", publicMessage(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": list})
}

// docID parses the {id} after /api/documents/: a positive decimal only.
func docID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	raw := strings.TrimPrefix(r.URL.Path, "/api/documents/")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != raw {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "document id must be a positive number")
		return 0, false
	}
	return id, true
}

func (s *Server) deleteDocument(w http.ResponseWriter, r *http.Request) {
	if !s.needDocs(w) {
		return
	}
	id, ok := docID(w, r)
	if !ok {
		return
	}
	if err := s.docs.Delete(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found_error", "document_not_found", fmt.Sprintf("no document %d", id))
		return
	} else if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", publicMessage(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	if !s.needDocs(w) {
		return
	}
	id, ok := docID(w, r)
	if !ok {
		return
	}
	d, err := s.docs.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found_error", "document_not_found", fmt.Sprintf("no document %d", id))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", publicMessage(err))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

type searchRequest struct {
	Query       string  `json:"query"`
	K           int     `json:"k"`
	DocumentIDs []int64 `json:"document_ids"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	if !s.needDocs(w) {
		return
	}
	var req searchRequest
	if !s.decodeStrict(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Query) == "" || req.K < 0 || req.K > 100 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "query is required and k must be 0 to 100")
		return
	}
	hits, err := s.docs.Search(r.Context(), req.Query, docs.SearchOptions{K: req.K, DocumentIDs: req.DocumentIDs})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", publicMessage(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": hits})
}

// sidecarExt is the documented extension field of chat completions:
//
//	"sidecar": {"documents": true, "k": 5}
//
// asks for the user's documents to be searched for the last user message;
// the best excerpts go into the prompt and the response carries
// "sidecar": {"citations": [...]}.
type sidecarExt struct {
	Documents bool `json:"documents"`
	K         int  `json:"k"`
}

// grounder is a Generator that grounds a request the way chats are
// grounded (assistant.Service): the model's system prompt first, a budget
// relative to the model's window.
type grounder interface {
	Ground(ctx context.Context, r assistant.Retriever, model string, msgs []llm.Message, k int) ([]llm.Message, []docs.Hit, error)
}

// groundRequest adds document excerpts to a chat request for model.
func (s *Server) groundRequest(ctx context.Context, model string, ext *sidecarExt, lr *llm.Request) ([]docs.Hit, error) {
	if ext == nil || !ext.Documents {
		return nil, nil
	}
	if s.docs == nil {
		return nil, errors.New("documents are not available on this server")
	}
	k := ext.K
	if k <= 0 || k > 20 {
		k = 5
	}
	var msgs []llm.Message
	var hits []docs.Hit
	var err error
	if g, ok := s.gen.(grounder); ok {
		msgs, hits, err = g.Ground(ctx, s.docs, model, lr.Messages, k)
	} else {
		msgs, hits, err = assistant.Ground(ctx, s.docs, lr.Messages, assistant.DefaultGroundBudget, k)
	}
	if err != nil {
		return []docs.Hit{}, err
	}
	lr.Messages = msgs
	if hits == nil {
		hits = []docs.Hit{}
	}
	return hits, nil
}

// DocEmbeddings serves a documents embedder at /v1/embeddings, under its
// model name.
type DocEmbeddings struct{ E docs.Embedder }

// EmbeddingModels implements Embedder.
func (d DocEmbeddings) EmbeddingModels() []string { return []string{d.E.Name()} }

// Embed implements Embedder.
func (d DocEmbeddings) Embed(ctx context.Context, model string, in []string) ([][]float32, error) {
	if model != d.E.Name() {
		return nil, fmt.Errorf("%w %q", llm.ErrUnknownModel, model)
	}
	return d.E.Embed(ctx, in)
}
