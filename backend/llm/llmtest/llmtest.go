// Package llmtest is the conformance suite every llm.Provider passes:
// streamed pieces arrive in order and make up the final text, usage is
// reported, cancelling stops the stream promptly with the context's error
// and leaves no goroutine behind, provider failures come back as clear
// errors that never quote the API key, and empty or oversized requests
// are refused rather than sent. Cloud providers run it against httptest
// servers speaking their wire format; local ones against a real model.
package llmtest

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"sidecar/backend/llm"
)

// Target is one provider under test, made afresh for every check.
type Target struct {
	Provider llm.Provider
	Model    string // the model ID within the provider
	// Mode switches the provider's fake server to a failure (see
	// ErrorCase.Mode) or, with "slow", to waiting after the first piece
	// until the request is cancelled. nil for providers without a server.
	Mode func(mode string)
}

// Factory makes a Target; it registers its clean-up with t.
type Factory func(t *testing.T) Target

// ErrorCase is a failure the fake server can be switched to, and the
// error the provider must turn it into.
type ErrorCase struct {
	Mode string        // e.g. "401", "429", "500": the fake answers with that status and the provider's real body
	Kind llm.ErrorKind // the llm.ProviderError's kind
	Says string        // part of the error's text
	// RetryAfter, if not 0, is the ProviderError's RetryAfter.
	RetryAfter time.Duration
	// Is, if not nil, must match the error with errors.Is.
	Is error
	// Before, if not "", is the text streamed before the failure.
	Before string
}

// Options say what the provider's answers look like.
type Options struct {
	// Want is the text of the answer to Prompt ("" accepts any non-empty answer).
	Want string
	// Prompt is the user message of the plain request ("hi" if "").
	Prompt string
	// Pieces, if not 0, is how many pieces Want arrives in.
	Pieces int
	// Usage, if not zero, is the exact usage reported; otherwise some
	// completion tokens must be.
	Usage llm.Usage
	// Errors are the failures to check (providers with a server).
	Errors []ErrorCase
	// Secret must appear in no error (the API key).
	Secret string
	// Oversized, if not nil, is a request too large for the model: it must
	// fail with llm.ErrContextTooLong and stream nothing.
	Oversized func() llm.Request
	// PromptCancel bounds how long a cancelled stream may take to return
	// (2 s if 0).
	PromptCancel time.Duration
}

// Run checks the provider f makes against the contract.
func Run(t *testing.T, f Factory, o Options) {
	if o.Prompt == "" {
		o.Prompt = "hi"
	}
	if o.PromptCancel == 0 {
		o.PromptCancel = 2 * time.Second
	}
	t.Run("StreamInOrder", func(t *testing.T) { streamInOrder(t, f, o) })
	t.Run("Cancel", func(t *testing.T) { cancelPromptly(t, f, o) })
	t.Run("EmptyRequest", func(t *testing.T) { emptyRequest(t, f) })
	if o.Oversized != nil {
		t.Run("Oversized", func(t *testing.T) { oversized(t, f, o) })
	}
	for _, c := range o.Errors {
		t.Run("Error"+c.Mode, func(t *testing.T) { providerError(t, f, o, c) })
	}
}

func request(tg Target, prompt string) llm.Request {
	return llm.Request{Model: tg.Model, Messages: []llm.Message{{Role: llm.RoleUser, Content: prompt}}}
}

func streamInOrder(t *testing.T, f Factory, o Options) {
	tg := f(t)
	var pieces []string
	u, err := tg.Provider.Stream(context.Background(), request(tg, o.Prompt), func(s string) error {
		pieces = append(pieces, s)
		return nil
	})
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	got := strings.Join(pieces, "")
	switch {
	case o.Want != "" && got != o.Want:
		t.Fatalf("pieces %q make %q, want %q", pieces, got, o.Want)
	case got == "":
		t.Fatal("the answer is empty")
	case o.Pieces != 0 && len(pieces) != o.Pieces:
		t.Fatalf("%d pieces %q, want %d", len(pieces), pieces, o.Pieces)
	}
	if o.Usage != (llm.Usage{}) {
		if u != o.Usage {
			t.Fatalf("usage %+v, want %+v", u, o.Usage)
		}
	} else if u.CompletionTokens <= 0 || u.PromptTokens <= 0 {
		t.Fatalf("usage %+v: want prompt and completion tokens", u)
	}
	// The events path (what the local API uses) streams the same text.
	tg = f(t)
	var b strings.Builder
	if _, err := llm.StreamEvents(context.Background(), tg.Provider, request(tg, o.Prompt), func(e llm.Event) error {
		if e.Kind == llm.EventText {
			b.WriteString(e.Text)
		}
		return nil
	}); err != nil {
		t.Fatalf("stream events: %v", err)
	}
	if o.Want != "" && b.String() != o.Want {
		t.Fatalf("events make %q, want %q", b.String(), o.Want)
	}
}

func cancelPromptly(t *testing.T, f Factory, o Options) {
	tg := f(t)
	if tg.Mode != nil {
		tg.Mode("slow")
	}
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, after := 0, 0
	start := time.Now()
	_, err := tg.Provider.Stream(ctx, request(tg, o.Prompt), func(string) error {
		if ctx.Err() != nil {
			after++
		}
		n++
		cancel()
		return nil
	})
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v after %d pieces, want one wrapping context.Canceled", err, n)
	}
	if n == 0 {
		t.Fatal("cancelled before the first piece: the check saw nothing stream")
	}
	if after > 0 {
		t.Fatalf("%d pieces arrived after the cancel", after)
	}
	if took > o.PromptCancel {
		t.Fatalf("the cancelled stream took %v to return", took)
	}
	if left := leaked(before); left != "" {
		t.Fatalf("goroutines left running after the cancelled stream:\n%s", left)
	}
}

func emptyRequest(t *testing.T, f Factory) {
	tg := f(t)
	n := 0
	_, err := tg.Provider.Stream(context.Background(), llm.Request{Model: tg.Model}, func(string) error { n++; return nil })
	if !errors.Is(err, llm.ErrEmptyRequest) || n != 0 {
		t.Fatalf("a request without messages: err = %v after %d pieces, want llm.ErrEmptyRequest and nothing", err, n)
	}
}

func oversized(t *testing.T, f Factory, o Options) {
	tg := f(t)
	req := o.Oversized()
	req.Model = tg.Model
	n := 0
	_, err := tg.Provider.Stream(context.Background(), req, func(string) error { n++; return nil })
	if !errors.Is(err, llm.ErrContextTooLong) || n != 0 {
		t.Fatalf("an oversized request: err = %v after %d pieces, want llm.ErrContextTooLong and nothing", err, n)
	}
}

func providerError(t *testing.T, f Factory, o Options, c ErrorCase) {
	tg := f(t)
	if tg.Mode == nil {
		t.Fatal("error cases need a provider with a fake server (Target.Mode)")
	}
	tg.Mode(c.Mode)
	got := ""
	_, err := tg.Provider.Stream(context.Background(), request(tg, o.Prompt), func(s string) error { got += s; return nil })
	var pe *llm.ProviderError
	if !errors.As(err, &pe) || pe.Kind != c.Kind || !strings.Contains(err.Error(), c.Says) {
		t.Fatalf("err = %v (%#v), want kind %s with %q", err, pe, c.Kind, c.Says)
	}
	if o.Secret != "" && (strings.Contains(err.Error(), o.Secret) || strings.Contains(err.Error(), o.Secret[:min(8, len(o.Secret))])) {
		t.Fatalf("the key leaks: %v", err)
	}
	if c.RetryAfter != 0 && pe.RetryAfter != c.RetryAfter {
		t.Errorf("retry after = %v, want %v", pe.RetryAfter, c.RetryAfter)
	}
	if c.Is != nil && !errors.Is(err, c.Is) {
		t.Errorf("%v does not match %v", err, c.Is)
	}
	if c.Before != "" && got != c.Before {
		t.Errorf("text before the failure = %q, want %q", got, c.Before)
	}
}

// goroutines returns the IDs of the goroutines running now.
func goroutines() map[string]bool {
	ids := map[string]bool{}
	for _, g := range stacks() {
		ids[g.id] = true
	}
	return ids
}

type stack struct{ id, text string }

func stacks() []stack {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []stack
	for _, g := range strings.Split(string(buf), "\n\n") {
		head, _, _ := strings.Cut(g, "\n")
		id, _, _ := strings.Cut(strings.TrimPrefix(head, "goroutine "), " ")
		out = append(out, stack{id, g})
	}
	return out
}

// leaked waits (up to 10 s) until every goroutine started since before
// runs only standard-library code (an idle keep-alive connection, a test
// server's accept loop), and returns the stacks of those that do not.
func leaked(before map[string]bool) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var bad []string
		for _, g := range stacks() {
			if !before[g.id] && runsProjectCode(g.text) {
				bad = append(bad, g.text)
			}
		}
		if len(bad) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(bad, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runsProjectCode reports whether a goroutine's stack has a frame outside
// the standard library: this module's code or a dependency's (whose
// import paths start with a domain).
func runsProjectCode(g string) bool {
	lines := strings.Split(g, "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "created by ") || l == "" {
			continue
		}
		first, _, _ := strings.Cut(l, "/")
		if strings.HasPrefix(l, "sidecar/") || (strings.Contains(first, ".") && strings.Index(l, "/") > 0 && strings.Index(first, "(") < 0) {
			return true
		}
	}
	return false
}
