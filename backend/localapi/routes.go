package localapi

import (
	"net/http"
	"strings"
)

type route struct {
	method  string
	path    string // a trailing "/" matches what follows (an id)
	handler func(*Server, http.ResponseWriter, *http.Request)
}

// routes is the whole API, sorted by path (a test keeps it sorted).
var routes = []route{
	{http.MethodGet, "/api/documents", (*Server).listDocuments},
	{http.MethodPost, "/api/documents", (*Server).addDocument},
	{http.MethodDelete, "/api/documents/", (*Server).deleteDocument},
	{http.MethodGet, "/api/documents/", (*Server).getDocument},
	{http.MethodPost, "/api/search", (*Server).search},
	{http.MethodGet, "/healthz", (*Server).healthz},
	{http.MethodDelete, "/mcp", (*Server).serveMCP},
	{http.MethodGet, "/mcp", (*Server).serveMCP},
	{http.MethodPost, "/mcp", (*Server).serveMCP},
	{http.MethodPost, "/v1/chat/completions", (*Server).chatCompletions},
	{http.MethodPost, "/v1/completions", (*Server).completions},
	{http.MethodPost, "/v1/embeddings", (*Server).embeddings},
	{http.MethodGet, "/v1/models", (*Server).listModels},
}

// Handler is the API with every check in front of it.
func (s *Server) Handler() http.Handler {
	return s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("local API: handler panic", "path", r.URL.Path, "panic", v)
				writeError(w, http.StatusInternalServerError, "server_error", "", "internal error")
			}
		}()
		path := r.URL.Path
		if path != "/" && !strings.HasPrefix(path, "/api/documents/") {
			path = strings.TrimSuffix(path, "/")
		}
		found := false
		for _, rt := range routes {
			if rt.path != path && !(strings.HasSuffix(rt.path, "/") && strings.HasPrefix(path, rt.path) && len(path) > len(rt.path)) {
				continue
			}
			found = true
			if rt.method == r.Method {
				rt.handler(s, w, r)
				return
			}
		}
		if found {
			writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", r.Method+" is not allowed on "+path)
			return
		}
		writeError(w, http.StatusNotFound, "not_found_error", "unknown_url", "no such endpoint: "+path)
	}))
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
