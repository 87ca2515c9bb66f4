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
	{http.MethodPost, "/api/chat", (*Server).ollamaChat},
	{http.MethodGet, "/api/documents", (*Server).listDocuments},
	{http.MethodPost, "/api/documents", (*Server).addDocument},
	{http.MethodDelete, "/api/documents/", (*Server).deleteDocument},
	{http.MethodGet, "/api/documents/", (*Server).getDocument},
	{http.MethodPost, "/api/embed", (*Server).ollamaEmbed},
	{http.MethodPost, "/api/embeddings", (*Server).ollamaEmbeddings},
	{http.MethodPost, "/api/generate", (*Server).ollamaGenerate},
	{http.MethodGet, "/api/ps", (*Server).ollamaPS},
	{http.MethodPost, "/api/search", (*Server).search},
	{http.MethodPost, "/api/show", (*Server).ollamaShow},
	{http.MethodGet, "/api/tags", (*Server).ollamaTags},
	{http.MethodGet, "/api/version", (*Server).ollamaVersion},
	{http.MethodGet, "/healthz", (*Server).healthz},
	{http.MethodDelete, "/mcp", (*Server).serveMCP},
	{http.MethodGet, "/mcp", (*Server).serveMCP},
	{http.MethodPost, "/mcp", (*Server).serveMCP},
	{http.MethodPost, "/v1/chat/completions", (*Server).chatCompletions},
	{http.MethodPost, "/v1/completions", (*Server).completions},
	{http.MethodPost, "/v1/embeddings", (*Server).embeddings},
	{http.MethodPost, "/v1/messages", (*Server).anthropicMessages},
	{http.MethodPost, "/v1/messages/count_tokens", (*Server).anthropicCountTokens},
	{http.MethodGet, "/v1/models", (*Server).listModels},
	{http.MethodPost, "/v1/responses", (*Server).responses},
}

// Handler is the API with every check in front of it. A token in the
// path (/t/<token>/...) is taken out of the path before anything else
// sees it, so it is never logged.
func (s *Server) Handler() http.Handler {
	checked := s.secure(http.HandlerFunc(s.route))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, rest, ok := pathToken(r.URL.Path); ok {
			r.URL.Path, r.URL.RawPath, r.RequestURI = rest, "", rest
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		checked.ServeHTTP(&dialectWriter{ResponseWriter: w, d: dialectOf(r.URL.Path)}, r)
	})
}

// pathToken splits "/t/<token>/rest" into the token and "/rest", for
// clients that cannot send a header.
func pathToken(path string) (tok, rest string, ok bool) {
	after, found := strings.CutPrefix(path, "/t/")
	if !found {
		return "", "", false
	}
	tok, rest, _ = strings.Cut(after, "/")
	if tok == "" {
		return "", "", false
	}
	return tok, "/" + rest, true
}

// route finds the handler for a checked request.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
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
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
