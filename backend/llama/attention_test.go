package llama

import (
	"math"
	"math/rand"
	"testing"

	"sidecar/backend/quant"
)

// TestAttendGroup checks grouped attention (groups of 6: a block of four
// heads and a padded block of two) with a sliding window and a soft-cap,
// for both cache types, against a plain float64 computation per head over
// the keys and values as the cache holds them.
func TestAttendGroup(t *testing.T) {
	const heads, kv, hd, pos = 12, 2, 16, 9
	c := Config{Heads: heads, KVHeads: kv, HeadDim: hd, AttnScale: 0.25, AttnSoftCap: 20, SlidingWindow: 5, Sliding: []bool{true}}
	for _, cache := range []CacheType{CacheF16, CacheF32} {
		t.Run(cache.String(), func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			fill := func(n int) []float32 {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(rng.NormFloat64())
				}
				return v
			}
			s := &State{m: &Model{Config: c}, n: pos, ctx: pos + 1, cache: cache, scratch: []attnScratch{newAttnScratch(pos+1, hd)}}
			if cache == CacheF16 {
				s.k16, s.v16 = [][]uint16{make([]uint16, (pos+1)*kv*hd)}, [][]uint16{make([]uint16, (pos+1)*kv*hd)}
			} else {
				s.k32, s.v32 = [][]float32{make([]float32, (pos+1)*kv*hd)}, [][]float32{make([]float32, (pos+1)*kv*hd)}
			}
			keys, vals := fill((pos+1)*kv*hd), fill((pos+1)*kv*hd) // position-major, as the model makes them
			for p := 0; p <= pos; p++ {
				s.store(0, p, keys[p*kv*hd:(p+1)*kv*hd], vals[p*kv*hd:(p+1)*kv*hd])
			}
			held := func(x float32) float64 {
				if cache == CacheF16 {
					return float64(quant.F16ToF32(quant.F32ToF16(x)))
				}
				return float64(x)
			}
			s.buf.q, s.buf.att = fill(heads*hd), make([]float32, heads*hd)
			for g := 0; g < kv; g++ {
				for blk := 0; blk < 2; blk++ {
					s.attendGroup(0, 0, g, blk, 0)
				}
			}
			for h := 0; h < heads; h++ {
				kvh := h / (heads / kv)
				first := pos - c.SlidingWindow + 1
				var w []float64
				var sum float64
				for j := first; j <= pos; j++ {
					var d float64
					for i := 0; i < hd; i++ {
						d += float64(s.buf.q[h*hd+i]) * held(keys[j*kv*hd+kvh*hd+i])
					}
					d = 20 * math.Tanh(d*0.25/20)
					w = append(w, math.Exp(d))
					sum += w[len(w)-1]
				}
				for i := 0; i < hd; i++ {
					var want float64
					for j := first; j <= pos; j++ {
						want += w[j-first] / sum * held(vals[j*kv*hd+kvh*hd+i])
					}
					if got := s.buf.att[h*hd+i]; math.Abs(float64(got)-want) > 1e-5 || math.IsNaN(float64(got)) {
						t.Fatalf("head %d value %d: %g, want %g", h, i, got, want)
					}
				}
			}
		})
	}
}
