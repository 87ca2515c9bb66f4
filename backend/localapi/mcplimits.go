package localapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// MCP over streamable HTTP lets one POST carry a JSON-RPC batch (protocol
// versions before 2025-06-18; the SDK refuses batches from later ones).
// Each message of a batch is a call that costs what a request costs, so
// admitMCP counts every message against the token's rate limit, refuses
// batches of more than Config.MCPBatch messages, and serveMCP caps the
// time (mcpTimeout) and the size of the answer (Config.MaxMCPResponse).

// admitMCP reads the body of POST /mcp and decides whether to serve it:
// it writes the refusal itself and returns false when not. The request it
// returns reads the same body again.
func (s *Server) admitMCP(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return nil, false
	}
	n := countMessages(body, s.cfg.MCPBatch+1)
	if n > s.cfg.MCPBatch {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "batch_too_large",
			fmt.Sprintf("a JSON-RPC batch may carry at most %d messages; send the rest in further requests", s.cfg.MCPBatch))
		return nil, false
	}
	if n > 1 {
		// The request itself has paid for one message.
		key, _ := rateKey(r.Context())
		if wait := s.limiter.takeN(key, n-1, time.Now()); wait > 0 {
			writeRateLimited(w, wait)
			return nil, false
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r, true
}

// countMessages counts the messages of a JSON-RPC payload: 1 for anything
// but an array, else its elements, counting no further than stop so a
// huge array costs nothing to refuse. A malformed array is left to the
// SDK to refuse.
func countMessages(body []byte, stop int) int {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return 1
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil {
		return 1
	}
	n := 0
	for n < stop && dec.More() {
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			break
		}
		n++
	}
	return n
}

// writeRateLimited answers 429 with the wait in Retry-After.
func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, "rate_limit_error", "rate_limit_exceeded",
		fmt.Sprintf("too many requests; retry in %d s", secs))
}

var errAnswerTooLarge = errors.New("localapi: the answer is too large")

// cappedWriter holds an answer of at most limit bytes and sends it when
// the handler is done (finish); a larger answer is dropped and replaced by
// an error. MCP answers here are single JSON documents (JSONResponse), so
// nothing is lost by not streaming them.
type cappedWriter struct {
	w      http.ResponseWriter
	limit  int64
	status int
	buf    bytes.Buffer
	over   bool
}

func (c *cappedWriter) Header() http.Header { return c.w.Header() }

func (c *cappedWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	if c.over || int64(c.buf.Len())+int64(len(p)) > c.limit {
		c.over = true
		c.buf = bytes.Buffer{}
		return 0, errAnswerTooLarge
	}
	return c.buf.Write(p)
}

// finish sends the answer, or the error that replaces one too large.
func (c *cappedWriter) finish() {
	if c.over {
		c.w.Header().Del("Content-Length")
		c.w.Header().Del("Mcp-Session-Id")
		writeError(c.w, http.StatusInternalServerError, "server_error", "answer_too_large",
			fmt.Sprintf("the answer would be larger than %d bytes; ask for less (fewer results, a range of lines, fewer calls at once)", c.limit))
		return
	}
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.w.WriteHeader(c.status)
	c.w.Write(c.buf.Bytes())
}
