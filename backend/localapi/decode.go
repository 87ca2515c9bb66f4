package localapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"sidecar/backend/store"
)

// readBody reads the whole (size-limited) body, writing the error
// response itself and returning false on failure.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "body_too_large",
			fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit))
		return nil, false
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "could not read the request body")
		return nil, false
	}
	return body, true
}

// decodeStrict reads one JSON object into v, refusing unknown fields and
// trailing data. It writes the error response itself and returns false on
// failure.
func (s *Server) decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "invalid_request_error", "unsupported_media_type", "send the body as application/json")
		return false
	}
	body, ok := readBody(w, r)
	if !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "invalid JSON: "+jsonProblem(err))
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "invalid JSON: more than one value in the body")
		return false
	}
	return true
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field") {
		return strings.TrimPrefix(msg, "json: ") + " (not supported by this server)"
	}
	return strings.TrimPrefix(msg, "json: ")
}

var pathLike = regexp.MustCompile(`(?:[A-Za-z]:)?(?:[/\\][^\s/\\:;,'"]+){2,}`)

// publicMessage removes file paths from an internal error's text; a
// database error becomes a plain sentence, so no SQL reaches a client.
func publicMessage(err error) string {
	if store.IsDatabaseError(err) {
		return "the database could not complete the request"
	}
	return pathLike.ReplaceAllString(err.Error(), "[path]")
}

// stopField is "stop" as a string or a list of strings.
type stopField []string

func (s *stopField) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("stop must be a string or a list of strings")
	}
	if len(many) > 4 {
		return errors.New("stop takes at most 4 sequences")
	}
	*s = many
	return nil
}

// textField is a string, or a list of strings (the first of one), as
// "prompt" and "input" allow.
type textList []string

func (t *textList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("must be a string or a list of strings (token arrays are not supported)")
	}
	*t = many
	return nil
}

// content is a message's content: a string or a list of text parts.
type content string

func (c *content) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*c = content(one)
		return nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &parts); err != nil {
		return errors.New("content must be a string or a list of parts")
	}
	var sb strings.Builder
	for _, p := range parts {
		if p.Type != "text" {
			return fmt.Errorf("content parts of type %q are not supported (text only)", p.Type)
		}
		sb.WriteString(p.Text)
	}
	*c = content(sb.String())
	return nil
}
