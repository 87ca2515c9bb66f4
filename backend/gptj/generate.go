package gptj

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"sidecar/backend/sample"
)

// Sampling chooses the next token (see package sample).
type Sampling = sample.Sampling

// Sampler draws tokens (see package sample).
type Sampler = sample.Sampler

// NewSampler returns a sampler seeded with s.Seed.
func NewSampler(s Sampling) *Sampler { return sample.NewSampler(s) }

// GenerateOptions control a generation.
type GenerateOptions struct {
	Sampling
	MaxTokens int      // default 256
	Stop      []string // generation ends before any of these
}

// Result summarises a generation.
type Result struct {
	PromptTokens     int
	CompletionTokens int
	StoppedBy        string // "stop", "max_tokens", "context" or "eos"
}

// EOS is GPT-J's end-of-text token in the r50k vocabulary.
const EOS = 50256

// Generate continues prompt in state s (which may hold earlier tokens),
// calling onText with each new piece of text as it is produced. Stop
// sequences are never emitted; a cancelled ctx stops within one token.
func (s *State) Generate(ctx context.Context, prompt []int, o GenerateOptions, onText func(string) error) (Result, error) {
	if o.MaxTokens <= 0 {
		o.MaxTokens = 256
	}
	res := Result{PromptTokens: len(prompt)}
	if len(prompt) == 0 {
		return res, errors.New("gptj: empty prompt")
	}
	if len(prompt) >= s.Cap()-s.Len() {
		return res, ErrContextFull
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	logits, err := s.Eval(prompt)
	if err != nil {
		return res, err
	}
	sp := NewSampler(o.Sampling)
	tok := s.m.Tokenizer
	var generated []int
	emitted := 0 // bytes of the decoded text already sent
	var text []byte
	flush := func(final bool) error {
		out := text[emitted:]
		// Hold back what could still become a stop sequence or an unfinished character.
		hold := 0
		if !final {
			for _, st := range o.Stop {
				for k := min(len(st)-1, len(out)); k > 0; k-- {
					if strings.HasSuffix(string(out), st[:k]) {
						hold = max(hold, k)
						break
					}
				}
			}
			// An unfinished UTF-8 character at the end waits for its
			// next bytes (bytes that can never form one are passed on).
			for k := 1; k <= 3 && k <= len(out); k++ {
				if utf8.RuneStart(out[len(out)-k]) {
					if !utf8.FullRune(out[len(out)-k:]) {
						hold = max(hold, k)
					}
					break
				}
			}
		}
		if send := out[:len(out)-hold]; len(send) > 0 {
			emitted += len(send)
			return onText(string(send))
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		next := sp.Next(logits, s.Tokens())
		if next == EOS && s.m.Config.NVocab > EOS {
			res.StoppedBy = "eos"
			break
		}
		generated = append(generated, next)
		res.CompletionTokens++
		text = tok.Decode(generated)
		stopAt := -1
		for _, st := range o.Stop {
			if st == "" {
				continue
			}
			if i := strings.Index(string(text[max(0, emitted-len(st)):]), st); i >= 0 {
				at := max(0, emitted-len(st)) + i
				if stopAt < 0 || at < stopAt {
					stopAt = at
				}
			}
		}
		if stopAt >= 0 {
			text = text[:stopAt]
			if emitted > len(text) {
				emitted = len(text)
			}
			res.StoppedBy = "stop"
			break
		}
		if err := flush(false); err != nil {
			return res, err
		}
		if res.CompletionTokens >= o.MaxTokens {
			res.StoppedBy = "max_tokens"
			break
		}
		if s.Len() >= s.Cap() {
			res.StoppedBy = "context"
			break
		}
		if logits, err = s.Eval([]int{next}); err != nil {
			return res, err
		}
	}
	return res, flush(true)
}

// FormatPrompt fills a template: {system} and {prompt} are replaced; a
// template without {prompt} gets the prompt appended.
func FormatPrompt(template, system, prompt string) string {
	if template == "" {
		template = DefaultTemplate
	}
	out := strings.ReplaceAll(template, "{system}", system)
	if strings.Contains(out, "{prompt}") {
		return strings.ReplaceAll(out, "{prompt}", prompt)
	}
	return out + prompt
}
