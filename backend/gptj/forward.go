package gptj

import (
	"errors"
	"fmt"
	"math"
)

// State is one conversation's evaluation state: the KV cache and the
// position. A model can serve several States.
type State struct {
	m      *Model
	n      int         // tokens in the cache
	k, v   [][]float32 // per layer: NCtx × NEmbd
	tokens []int

	// scratch, allocated once
	x, h, q, kk, vv, att, out, ff, ff2, tmp, logits, scores []float32
	rows                                                    [][]float32 // per worker, for decoding rows
	pool                                                    *pool
}

// ErrContextFull means the cache holds NCtx tokens already.
var ErrContextFull = errors.New("gptj: the context is full")

// NewState returns an empty state with a cache for ctxSize tokens (at most
// the model's n_ctx), computing on one thread.
func (m *Model) NewState(ctxSize int) *State { return m.NewStateThreads(ctxSize, 1) }

// NewStateThreads is NewState with matrix products split over threads
// goroutines; Close releases them.
func (m *Model) NewStateThreads(ctxSize, threads int) *State {
	c := m.Config
	if ctxSize <= 0 || ctxSize > c.NCtx {
		ctxSize = c.NCtx
	}
	s := &State{m: m}
	s.k = make([][]float32, c.NLayer)
	s.v = make([][]float32, c.NLayer)
	for i := range s.k {
		s.k[i] = make([]float32, ctxSize*c.NEmbd)
		s.v[i] = make([]float32, ctxSize*c.NEmbd)
	}
	e := c.NEmbd
	s.x, s.h, s.q, s.kk, s.vv, s.att, s.out = make([]float32, e), make([]float32, e), make([]float32, e), make([]float32, e), make([]float32, e), make([]float32, e), make([]float32, e)
	s.ff, s.ff2, s.tmp = make([]float32, 4*e), make([]float32, e), make([]float32, e)
	s.logits = make([]float32, c.NVocab)
	s.scores = make([]float32, ctxSize)
	s.pool = newPool(threads)
	s.rows = make([][]float32, s.pool.n)
	for i := range s.rows {
		s.rows[i] = make([]float32, 4*e)
	}
	return s
}

// Close stops the state's worker goroutines.
func (s *State) Close() { s.pool.close() }

func (s *State) mv(m *Matrix, out, x []float32) { s.pool.matVec(m, out, x, s.rows) }

// Len is the number of tokens in the cache.
func (s *State) Len() int { return s.n }

// Cap is the cache size.
func (s *State) Cap() int { return len(s.k[0]) / s.m.Config.NEmbd }

// Tokens returns the tokens in the cache.
func (s *State) Tokens() []int { return s.tokens }

// Reset empties the cache.
func (s *State) Reset() { s.n, s.tokens = 0, s.tokens[:0] }

// Truncate keeps the first n tokens (later positions are recomputed).
func (s *State) Truncate(n int) {
	if n < s.n {
		s.n, s.tokens = n, s.tokens[:n]
	}
}

// Eval feeds tokens after what is in the cache and returns the logits
// after the last one (valid until the next call).
func (s *State) Eval(tokens []int) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, errors.New("gptj: nothing to evaluate")
	}
	if s.n+len(tokens) > s.Cap() {
		return nil, fmt.Errorf("%w (%d tokens, room for %d)", ErrContextFull, s.n+len(tokens), s.Cap())
	}
	for i, t := range tokens {
		if t < 0 || t >= s.m.Config.NVocab {
			return nil, fmt.Errorf("gptj: token %d out of range", t)
		}
		s.step(t, i == len(tokens)-1)
	}
	return s.logits, nil
}

func layerNorm(dst, x, w, b []float32, eps float32) {
	var mean float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	var variance float64
	for _, v := range x {
		d := float64(v) - mean
		variance += d * d
	}
	variance /= float64(len(x))
	inv := 1 / math.Sqrt(variance+float64(eps))
	for i, v := range x {
		dst[i] = float32((float64(v)-mean)*inv)*w[i] + b[i]
	}
}

func gelu(x float32) float32 {
	const c = 0.7978845608028654 // sqrt(2/pi)
	xf := float64(x)
	return float32(0.5 * xf * (1 + math.Tanh(c*(xf+0.044715*xf*xf*xf))))
}

// rope rotates pairs (2i, 2i+1) of the first nRot dims of each head.
func rope(v []float32, pos, nHead, hd, nRot int) {
	for h := 0; h < nHead; h++ {
		base := h * hd
		for i := 0; i < nRot/2; i++ {
			theta := float64(pos) * math.Pow(10000, -2*float64(i)/float64(nRot))
			sin, cos := math.Sincos(theta)
			a, b := float64(v[base+2*i]), float64(v[base+2*i+1])
			v[base+2*i] = float32(a*cos - b*sin)
			v[base+2*i+1] = float32(a*sin + b*cos)
		}
	}
}

// step runs one token through the model at position s.n.
func (s *State) step(token int, wantLogits bool) {
	m, c := s.m, s.m.Config
	e, hd, pos := c.NEmbd, c.HeadDim(), s.n
	m.wte.Row(token, s.x)
	scale := float32(1 / math.Sqrt(float64(hd)))
	for li := range m.layers {
		l := &m.layers[li]
		layerNorm(s.h, s.x, l.ln1W, l.ln1B, c.Eps)
		s.mv(l.q, s.q, s.h)
		s.mv(l.k, s.kk, s.h)
		s.mv(l.v, s.vv, s.h)
		rope(s.q, pos, c.NHead, hd, c.NRot)
		rope(s.kk, pos, c.NHead, hd, c.NRot)
		copy(s.k[li][pos*e:], s.kk)
		copy(s.v[li][pos*e:], s.vv)
		kc, vc := s.k[li], s.v[li]
		for h := 0; h < c.NHead; h++ {
			qh := s.q[h*hd : (h+1)*hd]
			mx := float32(math.Inf(-1))
			for t := 0; t <= pos; t++ {
				kh := kc[t*e+h*hd : t*e+(h+1)*hd]
				var d float32
				for i, qv := range qh {
					d += qv * kh[i]
				}
				d *= scale
				s.scores[t] = d
				mx = max(mx, d)
			}
			var sum float64
			for t := 0; t <= pos; t++ {
				p := math.Exp(float64(s.scores[t] - mx))
				s.scores[t] = float32(p)
				sum += p
			}
			ah := s.att[h*hd : (h+1)*hd]
			clear(ah)
			for t := 0; t <= pos; t++ {
				p := s.scores[t] / float32(sum)
				vh := vc[t*e+h*hd : t*e+(h+1)*hd]
				for i := range ah {
					ah[i] += p * vh[i]
				}
			}
		}
		s.mv(l.out, s.out, s.att)
		s.mv(l.fcIn, s.ff, s.h)
		for i := range s.ff {
			s.ff[i] = gelu(s.ff[i] + l.fcInB[i])
		}
		s.mv(l.fcOut, s.ff2, s.ff)
		for i := range s.x {
			s.x[i] += s.out[i] + s.ff2[i] + l.fcOutB[i]
		}
	}
	s.n++
	s.tokens = append(s.tokens, token)
	if !wantLogits {
		return
	}
	layerNorm(s.tmp, s.x, m.lnfW, m.lnfB, c.Eps)
	s.mv(m.lmHead, s.logits, s.tmp)
	for i := range s.logits {
		s.logits[i] += m.lmHeadB[i]
	}
}
