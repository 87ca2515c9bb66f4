package docs

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// Embedder turns texts into vectors of Dims() numbers.
type Embedder interface {
	// Name identifies the model; vectors of different names never mix.
	Name() string
	Dims() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Lexical is the built-in embedder: it needs no model file, so search
// works on the first start. It is a lexical embedder, honestly: signed
// feature hashing of words, word pairs and character trigrams (with
// identifiers split at camelCase and snake_case), sublinear term weights,
// L2-normalised. It finds shared vocabulary, not paraphrases.
type Lexical struct{}

// LexicalName is the built-in embedder's model name.
const LexicalName = "sidecar-lexical-384"

const lexicalDims = 384

// Name implements Embedder.
func (Lexical) Name() string { return LexicalName }

// Dims implements Embedder.
func (Lexical) Dims() int { return lexicalDims }

// Embed implements Embedder.
func (l Lexical) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = l.embedOne(t)
	}
	return out, nil
}

func (Lexical) embedOne(text string) []float32 {
	counts := map[string]float64{}
	words := Words(text)
	for i, w := range words {
		counts["w:"+w] += 1
		if i > 0 {
			counts["b:"+words[i-1]+" "+w] += 0.5
		}
		if len(w) >= 4 {
			p := " " + w + " "
			for j := 0; j+3 <= len(p); j++ {
				counts["c:"+p[j:j+3]] += 0.25
			}
		}
	}
	v := make([]float64, lexicalDims)
	h := fnv.New64a()
	for f, c := range counts {
		h.Reset()
		h.Write([]byte(f))
		x := h.Sum64()
		idx := int(x % lexicalDims)
		sign := 1.0
		if x>>63 == 1 {
			sign = -1
		}
		v[idx] += sign * (1 + math.Log(c+1))
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, lexicalDims)
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

var stop = map[string]bool{"the": true, "a": true, "an": true, "and": true, "or": true, "of": true, "to": true, "in": true,
	"is": true, "it": true, "for": true, "on": true, "with": true, "as": true, "be": true, "by": true, "this": true,
	"that": true, "are": true, "at": true, "from": true, "how": true, "do": true, "i": true, "what": true, "can": true}

// Words lowercases text into words, splitting identifiers (camelCase,
// snake_case, kebab-case) into their parts and dropping stop words.
func Words(text string) []string {
	var out []string
	add := func(w string) {
		w = strings.ToLower(w)
		if len(w) > 1 && !stop[w] {
			out = append(out, w)
		}
	}
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		// camelCase and PascalCase parts, plus the whole identifier.
		var parts []string
		start := 0
		rs := []rune(tok)
		for i := 1; i < len(rs); i++ {
			if unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				parts = append(parts, string(rs[start:i]))
				start = i
			}
		}
		parts = append(parts, string(rs[start:]))
		if len(parts) > 1 {
			for _, p := range parts {
				add(p)
			}
		}
		add(tok)
	}
	return out
}
