package gptj

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"sort"
	"strings"
	"unicode/utf8"
)

// Sampling chooses the next token.
type Sampling struct {
	Temperature   float64 // 0: greedy
	TopK          int     // 0: off
	TopP          float64 // 0 or 1: off
	RepeatPenalty float64 // 1 or 0: off
	RepeatLastN   int     // how many recent tokens the penalty looks at (default 64)
	Seed          int64   // same seed, same output
}

// GenerateOptions control a generation.
type GenerateOptions struct {
	Sampling
	MaxTokens int      // default 256
	Stop      []string // generation ends before any of these
}

// Sampler draws tokens; it keeps its random source between tokens.
type Sampler struct {
	s   Sampling
	rng *rand.Rand
	idx []int
}

// NewSampler returns a sampler seeded with s.Seed.
func NewSampler(s Sampling) *Sampler {
	if s.RepeatLastN == 0 {
		s.RepeatLastN = 64
	}
	return &Sampler{s: s, rng: rand.New(rand.NewSource(s.Seed))}
}

// Next picks a token from logits (which it may modify), given the
// recent tokens for the repetition penalty.
func (sp *Sampler) Next(logits []float32, recent []int) int {
	s := sp.s
	if s.RepeatPenalty > 1 {
		from := max(0, len(recent)-s.RepeatLastN)
		seen := map[int]bool{}
		for _, t := range recent[from:] {
			if seen[t] || t < 0 || t >= len(logits) {
				continue
			}
			seen[t] = true
			if logits[t] > 0 {
				logits[t] /= float32(s.RepeatPenalty)
			} else {
				logits[t] *= float32(s.RepeatPenalty)
			}
		}
	}
	if s.Temperature <= 0 || s.TopK == 1 {
		return argmaxF(logits)
	}
	if cap(sp.idx) < len(logits) {
		sp.idx = make([]int, len(logits))
	}
	idx := sp.idx[:len(logits)]
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return logits[idx[a]] > logits[idx[b]] })
	if s.TopK > 0 && s.TopK < len(idx) {
		idx = idx[:s.TopK]
	}
	probs := make([]float64, len(idx))
	mx := float64(logits[idx[0]])
	var sum float64
	for i, t := range idx {
		probs[i] = math.Exp((float64(logits[t]) - mx) / s.Temperature)
		sum += probs[i]
	}
	if s.TopP > 0 && s.TopP < 1 {
		cum := 0.0
		for i := range probs {
			cum += probs[i] / sum
			if cum >= s.TopP {
				probs, idx = probs[:i+1], idx[:i+1]
				break
			}
		}
		sum = 0
		for _, p := range probs {
			sum += p
		}
	}
	r := sp.rng.Float64() * sum
	for i, p := range probs {
		r -= p
		if r <= 0 {
			return idx[i]
		}
	}
	return idx[len(idx)-1]
}

func argmaxF(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
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
