package llm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrorKind says what went wrong with a provider, in terms a user can act on.
type ErrorKind string

// The kinds of provider failure.
const (
	KindInvalidKey     ErrorKind = "invalid_key"
	KindRateLimited    ErrorKind = "rate_limited"
	KindContextTooLong ErrorKind = "context_too_long"
	KindNetwork        ErrorKind = "network"
	KindOutage         ErrorKind = "outage"
	KindBadRequest     ErrorKind = "bad_request"
	KindMalformed      ErrorKind = "malformed_response"
)

// ProviderError is a provider's failure, with a message for the user. It
// never contains an API key.
type ProviderError struct {
	Provider   string // display name, e.g. "OpenAI"
	Kind       ErrorKind
	Status     int           // HTTP status, 0 if none
	RetryAfter time.Duration // for KindRateLimited, 0 if unknown
	Detail     string        // the provider's own words, trimmed
}

func (e *ProviderError) Error() string {
	msg := e.summary()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Redacted is the error without the provider's own words, for the log: a
// provider's message can quote what it was sent (the user's prompt), and
// message text is never logged.
func (e *ProviderError) Redacted() string {
	msg := e.summary()
	if e.Detail != "" {
		msg += fmt.Sprintf(" [the provider's message, %d bytes, is left out of the log]", len(e.Detail))
	}
	return msg
}

// summary says what went wrong in Sidecar's words, with the HTTP status.
func (e *ProviderError) summary() string {
	var msg string
	switch e.Kind {
	case KindInvalidKey:
		msg = fmt.Sprintf("%s rejected the API key", e.Provider)
	case KindRateLimited:
		msg = fmt.Sprintf("%s is rate limiting requests", e.Provider)
		if e.RetryAfter > 0 {
			msg += fmt.Sprintf("; retry in %s", e.RetryAfter.Round(time.Second))
		}
	case KindContextTooLong:
		msg = fmt.Sprintf("the conversation is too long for this %s model", e.Provider)
	case KindNetwork:
		msg = fmt.Sprintf("cannot reach %s: check the network connection", e.Provider)
	case KindOutage:
		msg = fmt.Sprintf("%s is having problems right now; try again later", e.Provider)
	case KindMalformed:
		msg = fmt.Sprintf("%s sent a response Sidecar could not read", e.Provider)
	default:
		msg = fmt.Sprintf("%s refused the request", e.Provider)
	}
	if e.Status != 0 {
		msg += fmt.Sprintf(" (%d)", e.Status)
	}
	return msg
}

// Unwrap lets errors.Is(err, ErrContextTooLong) see context errors.
func (e *ProviderError) Unwrap() error {
	if e.Kind == KindContextTooLong {
		return ErrContextTooLong
	}
	return nil
}

// ClassifyHTTP turns an HTTP failure into a ProviderError. detail is the
// provider's error message, if any; key is removed from it.
func ClassifyHTTP(provider string, status int, h http.Header, detail, key string) *ProviderError {
	e := &ProviderError{Provider: provider, Status: status, Detail: cleanDetail(detail, key)}
	low := strings.ToLower(detail)
	switch {
	case status == 401 || status == 403:
		e.Kind = KindInvalidKey
	case status == 429:
		e.Kind = KindRateLimited
		e.RetryAfter = retryAfter(h)
		if strings.Contains(low, "quota") || strings.Contains(low, "billing") {
			e.Kind = KindBadRequest // out of credit: waiting does not help
		}
	case status == 413 || strings.Contains(low, "context length") || strings.Contains(low, "context_length") ||
		strings.Contains(low, "too many tokens") || strings.Contains(low, "prompt is too long") || strings.Contains(low, "input token count"):
		e.Kind = KindContextTooLong
	case status >= 500 || status == 529:
		e.Kind = KindOutage
	default:
		e.Kind = KindBadRequest
	}
	return e
}

// ClassifyTransport turns a failure without an HTTP status (network down,
// connection dropped, garbage in a stream) into an error; ctx errors pass
// through unchanged so cancellation stays recognisable.
func ClassifyTransport(ctx context.Context, provider string, err error, key string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) || strings.Contains(err.Error(), "connection") ||
		strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "no such host") {
		return &ProviderError{Provider: provider, Kind: KindNetwork, Detail: cleanDetail(err.Error(), key)}
	}
	return &ProviderError{Provider: provider, Kind: KindMalformed, Detail: cleanDetail(err.Error(), key)}
}

func retryAfter(h http.Header) time.Duration {
	for _, name := range []string{"Retry-After", "Retry-After-Ms", "X-Ratelimit-Reset-Requests"} {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if name == "Retry-After-Ms" {
			if ms, err := strconv.Atoi(v); err == nil {
				return time.Duration(ms) * time.Millisecond
			}
			continue
		}
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			return time.Duration(s * float64(time.Second))
		}
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		if t, err := http.ParseTime(v); err == nil {
			return time.Until(t).Round(time.Second)
		}
	}
	return 0
}

// cleanDetail shortens a provider's message and removes the key from it.
func cleanDetail(s, key string) string {
	s = strings.TrimSpace(s)
	if key != "" {
		s = strings.ReplaceAll(s, key, "[key]")
		if len(key) > 12 {
			// Providers often echo a key partly ("sk-abc...wxyz").
			s = strings.ReplaceAll(s, key[:8], "[key]")
		}
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
