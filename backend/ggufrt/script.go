package ggufrt

import (
	"context"
	"errors"
	"slices"
	"strings"

	"sidecar/backend/llama"
	"sidecar/backend/tokenizer"
)

// scripted is State.Generate with the answer's tokens taken from
// g.script (see Runtime.Script): the prompt and each answer token are
// evaluated as in a real run, and the run ends as Generate's does (a
// stop token, MaxTokens, onToken's ErrStop) or at the script's end.
func (g *model) scripted(ctx context.Context, ids []int, common int, o llama.GenerateOptions, onToken func(int) error) (llama.Result, error) {
	res := llama.Result{PromptTokens: len(ids) - common}
	if o.MaxTokens <= 0 {
		o.MaxTokens = 256 // as Generate
	}
	var shown strings.Builder
	for _, id := range ids {
		shown.Write(g.tok.Piece(tokenizer.Token(id), true))
	}
	answer, err := g.tok.Encode(g.script(shown.String()), false, true)
	if err != nil {
		return res, err
	}
	if g.state.Len()+len(ids)-common >= g.state.Cap() {
		return res, llama.ErrContextFull
	}
	if _, err := g.state.Eval(ctx, ids[common:]); err != nil {
		return res, err
	}
	for _, t := range answer {
		next := int(t)
		if slices.Contains(o.Stop, next) {
			res.StoppedBy = "eos"
			return res, nil
		}
		res.CompletionTokens++
		if err := onToken(next); err != nil {
			if errors.Is(err, llama.ErrStop) {
				res.StoppedBy = "callback"
				return res, nil
			}
			return res, err
		}
		if res.CompletionTokens >= o.MaxTokens || g.state.Len() >= g.state.Cap() {
			res.StoppedBy = "max_tokens"
			return res, nil
		}
		if _, err := g.state.Eval(ctx, []int{next}); err != nil {
			return res, err
		}
	}
	res.StoppedBy = "eos"
	return res, nil
}
