package llama

import (
	"math"
	"math/rand"
	"testing"
)

// TestAttendGroup checks grouped attention (groups of 6: one Dot4 pass
// and two single heads) with a sliding window and a soft-cap against a
// plain computation per head.
func TestAttendGroup(t *testing.T) {
	const heads, kv, hd, pos = 12, 2, 16, 9
	c := Config{Heads: heads, KVHeads: kv, HeadDim: hd, AttnScale: 0.25, AttnSoftCap: 20, SlidingWindow: 5, Sliding: []bool{true}}
	rng := rand.New(rand.NewSource(1))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	s := &State{m: &Model{Config: c}, n: pos, k: [][]float32{fill((pos + 1) * kv * hd)}, v: [][]float32{fill((pos + 1) * kv * hd)},
		scores: [][]float32{make([]float32, heads/kv*(pos+1))}}
	s.buf.q, s.buf.att = fill(heads*hd), make([]float32, heads*hd)
	for g := 0; g < kv; g++ {
		s.attendGroup(0, 0, g, 0)
	}
	for h := 0; h < heads; h++ {
		kvh := h / (heads / kv)
		first := pos - c.SlidingWindow + 1
		var w []float64
		var sum float64
		for j := first; j <= pos; j++ {
			var d float64
			for i := 0; i < hd; i++ {
				d += float64(s.buf.q[h*hd+i]) * float64(s.k[0][j*kv*hd+kvh*hd+i])
			}
			d = 20 * math.Tanh(d*0.25/20)
			w = append(w, math.Exp(d))
			sum += w[len(w)-1]
		}
		for i := 0; i < hd; i++ {
			var want float64
			for j := first; j <= pos; j++ {
				want += w[j-first] / sum * float64(s.v[0][j*kv*hd+kvh*hd+i])
			}
			if got := s.buf.att[h*hd+i]; math.Abs(float64(got)-want) > 1e-5 || math.IsNaN(float64(got)) {
				t.Fatalf("head %d value %d: %g, want %g", h, i, got, want)
			}
		}
	}
}
