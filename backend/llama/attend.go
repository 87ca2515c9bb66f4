package llama

import (
	"math"

	"sidecar/backend/attn"
)

// attnScratch is one worker's room for attention: the scores of four
// query heads over the whole context, and four padded queries and outputs
// for groups whose size is not a multiple of four.
type attnScratch struct {
	sc, q, o []float32
}

func newAttnScratch(ctx, hd int) attnScratch {
	return attnScratch{sc: make([]float32, attn.Heads*ctx), q: make([]float32, attn.Heads*hd), o: make([]float32, attn.Heads*hd)}
}

// store writes the key and value rows of position pos into layer li's
// cache, head by head (the cache keeps each KV head's positions together).
func (s *State) store(li, pos int, k, v []float32) {
	if s.cache == CacheF16 {
		storeKV(s.k16[li], s.v16[li], s.ctx, s.m.Config.HeadDim, pos, k, v)
	} else {
		storeKV(s.k32[li], s.v32[li], s.ctx, s.m.Config.HeadDim, pos, k, v)
	}
}

func storeKV[T attn.Elem](keys, vals []T, ctx, hd, pos int, k, v []float32) {
	for h := 0; h < len(k)/hd; h++ {
		at := (h*ctx + pos) * hd
		attn.Store(keys[at:at+hd], k[h*hd:(h+1)*hd])
		attn.Store(vals[at:at+hd], v[h*hd:(h+1)*hd])
	}
}

// attendAll computes the attention of the batch's nb positions at layer
// li, sharing (KV head, block of four query heads, position) among the
// workers in that order: the positions of a batch that follow each other
// read the same keys and values, which stay in cache between them.
func (s *State) attendAll(li, nb int) {
	c := s.m.Config
	blocks := (c.Heads/c.KVHeads + attn.Heads - 1) / attn.Heads
	s.pool.run(c.KVHeads*blocks*nb, 1, func(w, lo, hi int) {
		for t := lo; t < hi; t++ {
			g := t / nb
			s.attendGroup(li, t%nb, g/blocks, g%blocks, w)
		}
	})
}

// attendGroup computes up to four of the query heads that share KV head
// kvh (block blk of the group) for batch position i: scores against the
// cached keys they may see (causal, and within the window on sliding
// layers), softmax, and the weighted sum of the values. Each key and value
// row is read once for the four heads.
func (s *State) attendGroup(li, i, kvh, blk, w int) {
	if s.cache == CacheF16 {
		attendGroup(s, s.k16[li], s.v16[li], li, i, kvh, blk, w)
	} else {
		attendGroup(s, s.k32[li], s.v32[li], li, i, kvh, blk, w)
	}
}

func attendGroup[T attn.Elem](s *State, keys, vals []T, li, i, kvh, blk, w int) {
	c, sc := s.m.Config, &s.scratch[w]
	hd, g := c.HeadDim, c.Heads/c.KVHeads
	pos := s.n + i
	first := 0
	if c.Sliding[li] {
		first = max(0, pos-c.SlidingWindow+1)
	}
	n := pos + 1 - first
	at := (kvh*s.ctx + first) * hd
	k, v := keys[at:at+n*hd], vals[at:at+n*hd]
	h0 := kvh*g + blk*attn.Heads
	nh := min(attn.Heads, (kvh+1)*g-h0)
	q := s.buf.q[(i*c.Heads+h0)*hd:]
	o := s.buf.att[(i*c.Heads+h0)*hd:]
	if nh < attn.Heads {
		copy(sc.q, q[:nh*hd])
		clear(sc.q[nh*hd:])
		q, o = sc.q, sc.o
	}
	q, o = q[:attn.Heads*hd], o[:attn.Heads*hd]
	p := sc.sc[:attn.Heads*n]
	attn.Scores(p, k, q, n, hd)
	f := c.AttnScale
	if cp := c.AttnSoftCap; cp > 0 || f <= 0 {
		for j, x := range p {
			x *= f
			if cp > 0 {
				x = cp * float32(math.Tanh(float64(x/cp)))
			}
			p[j] = x
		}
		f = 1
	}
	sum := attn.Softmax(p, n, f)
	clear(o)
	attn.Values(o, v, p, n, hd)
	for h := 0; h < nh; h++ {
		scale(o[h*hd:(h+1)*hd], 1/sum[h])
	}
	if nh < attn.Heads {
		copy(s.buf.att[(i*c.Heads+h0)*hd:(i*c.Heads+h0+nh)*hd], o)
	}
}
