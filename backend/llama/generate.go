package llama

import (
	"context"
	"errors"
	"slices"

	"sidecar/backend/sample"
)

// GenerateOptions control a generation.
type GenerateOptions struct {
	sample.Sampling
	MaxTokens int   // default 256
	Stop      []int // end-of-generation tokens: generation ends on any, which is not passed on
}

// Result summarises a generation.
type Result struct {
	PromptTokens     int
	CompletionTokens int
	StoppedBy        string // "eos", "max_tokens", "context", or "callback" when onToken asked to stop
}

// ErrStop may be returned by onToken to end a generation without error.
var ErrStop = errors.New("llama: stop")

// Generate evaluates prompt after what the State holds, then samples
// tokens one at a time, passing each to onToken, until a stop token,
// MaxTokens, a full context, or a cancelled ctx (checked between layers).
func (s *State) Generate(ctx context.Context, prompt []int, o GenerateOptions, onToken func(int) error) (Result, error) {
	if o.MaxTokens <= 0 {
		o.MaxTokens = 256
	}
	res := Result{PromptTokens: len(prompt)}
	if len(prompt) == 0 {
		return res, errors.New("llama: empty prompt")
	}
	if s.n+len(prompt) >= s.ctx {
		return res, ErrContextFull
	}
	logits, err := s.Eval(ctx, prompt)
	if err != nil {
		return res, err
	}
	sp := sample.NewSampler(o.Sampling)
	for {
		next := sp.Next(logits, s.tokens)
		if slices.Contains(o.Stop, next) {
			res.StoppedBy = "eos"
			return res, nil
		}
		res.CompletionTokens++
		if err := onToken(next); err != nil {
			if errors.Is(err, ErrStop) {
				res.StoppedBy = "callback"
				return res, nil
			}
			return res, err
		}
		switch {
		case res.CompletionTokens >= o.MaxTokens:
			res.StoppedBy = "max_tokens"
			return res, nil
		case s.n >= s.ctx:
			res.StoppedBy = "context"
			return res, nil
		}
		if logits, err = s.Eval(ctx, []int{next}); err != nil {
			return res, err
		}
	}
}
