package tokenizer

import (
	"fmt"

	"sidecar/backend/gguf"
)

// FromGGUF builds the tokenizer of a GGUF file from its tokenizer.ggml.*
// metadata.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	v, err := VocabFromGGUF(f)
	if err != nil {
		return nil, err
	}
	return New(v)
}

// VocabFromGGUF reads the vocabulary metadata of a GGUF file.
func VocabFromGGUF(f *gguf.File) (Vocab, error) {
	v := NewVocab()
	var err error
	wrap := func(e error) error { return fmt.Errorf("tokenizer: %w", e) }
	if v.Model, err = f.String("tokenizer.ggml.model"); err != nil {
		return v, wrap(err)
	}
	if v.Pre, err = f.StringOr("tokenizer.ggml.pre", ""); err != nil {
		return v, wrap(err)
	}
	if v.ModelName, err = f.StringOr("general.name", ""); err != nil {
		return v, wrap(err)
	}
	if v.Tokens, err = f.Strings("tokenizer.ggml.tokens"); err != nil {
		return v, wrap(err)
	}
	if f.Has("tokenizer.ggml.scores") {
		if v.Scores, err = f.Float32s("tokenizer.ggml.scores"); err != nil {
			return v, wrap(err)
		}
	}
	if f.Has("tokenizer.ggml.token_type") {
		types, err := f.Ints("tokenizer.ggml.token_type")
		if err != nil {
			return v, wrap(err)
		}
		v.Types = make([]int32, len(types))
		for i, t := range types {
			v.Types[i] = int32(max(min(t, 1<<20), -1))
		}
	}
	if f.Has("tokenizer.ggml.merges") {
		if v.Merges, err = f.Strings("tokenizer.ggml.merges"); err != nil {
			return v, wrap(err)
		}
	}
	ids := []struct {
		key string
		dst *Token
	}{
		{"tokenizer.ggml.bos_token_id", &v.BOS}, {"tokenizer.ggml.eos_token_id", &v.EOS},
		{"tokenizer.ggml.eot_token_id", &v.EOT}, {"tokenizer.ggml.eom_token_id", &v.EOM},
		{"tokenizer.ggml.unknown_token_id", &v.UNK}, {"tokenizer.ggml.padding_token_id", &v.PAD},
		{"tokenizer.ggml.fim_pre_token_id", &v.FIMPrefix}, {"tokenizer.ggml.fim_suf_token_id", &v.FIMSuffix},
		{"tokenizer.ggml.fim_mid_token_id", &v.FIMMiddle}, {"tokenizer.ggml.fim_pad_token_id", &v.FIMPad},
		{"tokenizer.ggml.fim_rep_token_id", &v.FIMRep}, {"tokenizer.ggml.fim_sep_token_id", &v.FIMSep},
		{"tokenizer.ggml.prefix_token_id", &v.FIMPrefix}, {"tokenizer.ggml.suffix_token_id", &v.FIMSuffix},
		{"tokenizer.ggml.middle_token_id", &v.FIMMiddle},
	}
	for _, id := range ids {
		if !f.Has(id.key) || *id.dst != None {
			continue
		}
		n, err := f.Int(id.key)
		if err != nil {
			return v, wrap(err)
		}
		if n >= 0 && n < int64(len(v.Tokens)) {
			*id.dst = Token(n)
		}
	}
	flags := []struct {
		key string
		dst **bool
	}{
		{"tokenizer.ggml.add_bos_token", &v.AddBOS}, {"tokenizer.ggml.add_eos_token", &v.AddEOS},
		{"tokenizer.ggml.add_space_prefix", &v.AddSpacePrefix},
	}
	for _, fl := range flags {
		if !f.Has(fl.key) {
			continue
		}
		b, err := f.Bool(fl.key)
		if err != nil {
			return v, wrap(err)
		}
		*fl.dst = &b
	}
	return v, nil
}
