package localapi

import (
	"net/http"
	"strings"
)

// dialect is the wire format a route speaks; errors, including the
// security layer's refusals, are written in it.
type dialect uint8

const (
	dialectOpenAI dialect = iota
	dialectOllama
	dialectAnthropic
)

func dialectOf(path string) dialect {
	switch {
	case path == "/v1/messages" || strings.HasPrefix(path, "/v1/messages/"):
		return dialectAnthropic
	case strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/documents") && path != "/api/search":
		return dialectOllama
	}
	return dialectOpenAI
}

// dialectWriter carries a request's dialect to writeError.
type dialectWriter struct {
	http.ResponseWriter
	d dialect
}

// Flush implements http.Flusher for streaming answers.
func (w *dialectWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *dialectWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// anthropicErrorType maps an error type to the one Anthropic's SDKs know.
func anthropicErrorType(typ string, status int) string {
	switch {
	case status == http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case status == http.StatusNotFound:
		return "not_found_error"
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusForbidden:
		return "permission_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case typ == "server_error":
		return "api_error"
	case typ == "invalid_request_error", typ == "authentication_error", typ == "permission_error",
		typ == "not_found_error", typ == "rate_limit_error":
		return typ
	}
	return "api_error"
}

// writeDialectError writes an error in w's dialect; ok is false when w
// speaks OpenAI's.
func writeDialectError(w http.ResponseWriter, status int, typ, msg string) bool {
	dw, ok := w.(*dialectWriter)
	if !ok {
		return false
	}
	switch dw.d {
	case dialectOllama:
		writeJSON(w, status, map[string]string{"error": msg})
	case dialectAnthropic:
		writeJSON(w, status, map[string]any{"type": "error", "error": map[string]string{"type": anthropicErrorType(typ, status), "message": msg}})
	default:
		return false
	}
	return true
}
