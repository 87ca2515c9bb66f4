package ggufrt

import (
	"context"
	"errors"
	"fmt"

	"sidecar/backend/llm"
	"sidecar/backend/models"
	"sidecar/backend/tokenizer"
)

// ErrNoFIM is returned for a fill-in-the-middle request to a model whose
// vocabulary has no FIM tokens.
var ErrNoFIM = errors.New("ggufrt: this model has no fill-in-the-middle tokens")

// fimTokens is the prompt llama.cpp's infill builds: BOS when the
// vocabulary adds one, then FIM_PRE, the prefix, FIM_SUF, the suffix and
// FIM_MID. Prefix and suffix are the user's text, so special-token text
// in them is not parsed: "<|fim_middle|>" in a file stays characters.
func fimTokens(tok *tokenizer.Tokenizer, prefix, suffix string) ([]int, error) {
	f := tok.FIM()
	if !f.OK() {
		return nil, ErrNoFIM
	}
	pre, err := tok.Encode(prefix, false, false)
	if err != nil {
		return nil, fmt.Errorf("ggufrt: prefix: %w", err)
	}
	suf, err := tok.Encode(suffix, false, false)
	if err != nil {
		return nil, fmt.Errorf("ggufrt: suffix: %w", err)
	}
	var ids []int
	if tok.AddBOS() {
		ids = append(ids, int(tok.BOS()))
	}
	ids = append(ids, int(f.Prefix))
	for _, t := range pre {
		ids = append(ids, int(t))
	}
	ids = append(ids, int(f.Suffix))
	for _, t := range suf {
		ids = append(ids, int(t))
	}
	return append(ids, int(f.Middle)), nil
}

// Infill implements models.Infiller: the text between prefix and suffix.
func (g *model) Infill(ctx context.Context, prefix, suffix string, s models.Sampling, onToken llm.TokenFunc) (llm.Usage, error) {
	ids, err := fimTokens(g.tok, prefix, suffix)
	if err != nil {
		return llm.Usage{}, err
	}
	return g.generateIDs(ctx, ids, s, false, onToken)
}
