// Package sample chooses the next token from a model's logits: greedy,
// or with temperature, top-k, top-p and a repetition penalty, from a
// seeded source so that the same seed gives the same text. The local
// engines share it.
package sample

import (
	"math"
	"math/rand"
	"sort"
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
		return Argmax(logits)
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

// Argmax is the index of the largest value (the first of equals).
func Argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
