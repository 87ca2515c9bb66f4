package llm

import (
	"context"
	"time"
	"unicode"
)

// EchoProviderID identifies the built-in echo provider.
const EchoProviderID = "echo"

// EchoModelID is the one model of the echo provider.
const EchoModelID = "echo"

// Echo is the built-in test provider: it answers by repeating the user's
// last message, streamed word by word. It needs no model and no network, so
// the whole chat path can be exercised on a fresh install. Through
// StreamEvents it also calls tools and reasons, deterministically (see
// echoevents.go).
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

// Stream implements Provider: text only.
func (e *Echo) Stream(ctx context.Context, req Request, onToken TokenFunc) (Usage, error) {
	req.Tools, req.Think = nil, false
	return e.StreamEvents(ctx, req, func(ev Event) error { return onToken(ev.Text) })
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
