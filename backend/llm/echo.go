package llm

import (
	"context"
	"fmt"
	"time"
	"unicode"
)

// EchoProviderID identifies the built-in echo provider.
const EchoProviderID = "echo"

// EchoModelID is the one model of the echo provider.
const EchoModelID = "echo"

// Echo is the built-in test provider: it answers by repeating the user's
// last message, streamed word by word. It needs no model and no network, so
// the whole chat path can be exercised on a fresh install.
type Echo struct {
	// Delay between streamed pieces; zero streams as fast as possible.
	Delay time.Duration
}

var _ Provider = (*Echo)(nil)

// ID implements Provider.
func (e *Echo) ID() string { return EchoProviderID }

// Models implements Provider.
func (e *Echo) Models(context.Context) ([]Model, error) {
	return []Model{{ID: EchoModelID, Name: "Echo (built-in test provider)", Provider: EchoProviderID, Local: true}}, nil
}

// Stream implements Provider.
func (e *Echo) Stream(ctx context.Context, req Request, onToken TokenFunc) (Usage, error) {
	if req.Model != "" && req.Model != EchoModelID {
		return Usage{}, fmt.Errorf("llm: echo: %w %q", ErrUnknownModel, req.Model)
	}
	var last string
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(SplitWords(m.Content))
		if m.Role == RoleUser {
			last = m.Content
		}
	}
	reply := "Echo: " + last
	if last == "" {
		reply = "Echo: (nothing to echo)"
	}
	pieces := SplitWords(reply)
	if req.MaxTokens > 0 && len(pieces) > req.MaxTokens {
		pieces = pieces[:req.MaxTokens]
	}
	u := Usage{PromptTokens: prompt}
	for _, p := range pieces {
		if err := ctx.Err(); err != nil {
			return u, err
		}
		if e.Delay > 0 {
			t := time.NewTimer(e.Delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return u, ctx.Err()
			case <-t.C:
			}
		}
		if err := onToken(p); err != nil {
			return u, err
		}
		u.CompletionTokens++
	}
	return u, nil
}

// SplitWords cuts s into pieces that each start with the whitespace before
// a word, so that concatenating the pieces gives s back exactly.
func SplitWords(s string) []string {
	var out []string
	start := 0
	inSpace := true
	for i, r := range s {
		space := unicode.IsSpace(r)
		if space && !inSpace {
			out = append(out, s[start:i])
			start = i
		}
		inSpace = space
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
