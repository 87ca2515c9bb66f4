package localapi

import (
	"encoding/json"
	"net/http"
)

// apiError is the OpenAI error shape every failure uses.
type apiError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Code    *string `json:"code"`
		Param   *string `json:"param"`
	} `json:"error"`
}

// writeError answers with an error in the request's dialect: OpenAI's
// shape unless the route speaks Ollama's or Anthropic's.
func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	if writeDialectError(w, status, typ, msg) {
		return
	}
	var e apiError
	e.Error.Message, e.Error.Type = msg, typ
	if code != "" {
		e.Error.Code = &code
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
