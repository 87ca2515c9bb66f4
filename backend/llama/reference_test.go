package llama

import (
	"context"
	"fmt"
	"math"
	"testing"

	"sidecar/backend/quant"
)

// ref64 is a plain float64 forward pass of the llama architecture written
// from the model's definition (RMS norm, adjacent-pair RoPE with
// frequency factors, grouped-query causal attention, SwiGLU, tied
// output), independent of the engine's code.
type ref64 struct {
	m *Model
	w map[string][]float64
}

func (r *ref64) tensor(t *testing.T, name string) []float64 {
	if v, ok := r.w[name]; ok {
		return v
	}
	ti, ok := r.m.File.Tensor(name)
	if !ok {
		t.Fatalf("no tensor %s", name)
	}
	f := make([]float32, ti.Elements())
	if err := quant.Dequantize(ti.Type, r.m.File.Data(ti), f); err != nil {
		t.Fatal(err)
	}
	v := make([]float64, len(f))
	for i, x := range f {
		v[i] = float64(x)
	}
	r.w[name] = v
	return v
}

// matvec returns W·x for W stored as rows of len(x) values.
func matvec(w, x []float64) []float64 {
	out := make([]float64, len(w)/len(x))
	for r := range out {
		var s float64
		for i, v := range x {
			s += w[r*len(x)+i] * v
		}
		out[r] = s
	}
	return out
}

func rms64(x, w []float64, eps float64) []float64 {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	sc := 1 / math.Sqrt(ss/float64(len(x))+eps)
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] * sc * w[i]
	}
	return out
}

// logits runs the whole sequence and returns the logits of every position.
func (r *ref64) logits(t *testing.T, tokens []int) [][]float64 {
	c := r.m.Config
	E, H, KV, hd := c.Embd, c.Heads, c.KVHeads, c.HeadDim
	eps := float64(c.Eps)
	emb := r.tensor(t, "token_embd.weight")
	freqs := r.tensor(t, "rope_freqs.weight")
	x := make([][]float64, len(tokens))
	for p, tok := range tokens {
		x[p] = append([]float64(nil), emb[tok*E:(tok+1)*E]...)
	}
	rotate := func(v []float64, heads, pos int) {
		for h := 0; h < heads; h++ {
			for i := 0; i < hd/2; i++ {
				theta := float64(pos) * math.Pow(c.RopeBase, -2*float64(i)/float64(hd)) / freqs[i]
				a, b := v[h*hd+2*i], v[h*hd+2*i+1]
				v[h*hd+2*i] = a*math.Cos(theta) - b*math.Sin(theta)
				v[h*hd+2*i+1] = a*math.Sin(theta) + b*math.Cos(theta)
			}
		}
	}
	for l := 0; l < c.Layers; l++ {
		w := func(s string) []float64 { return r.tensor(t, fmt.Sprintf("blk.%d.%s.weight", l, s)) }
		qs, ks, vs := make([][]float64, len(tokens)), make([][]float64, len(tokens)), make([][]float64, len(tokens))
		for p := range tokens {
			h := rms64(x[p], w("attn_norm"), eps)
			qs[p], ks[p], vs[p] = matvec(w("attn_q"), h), matvec(w("attn_k"), h), matvec(w("attn_v"), h)
			rotate(qs[p], H, p)
			rotate(ks[p], KV, p)
		}
		for p := range tokens {
			att := make([]float64, H*hd)
			for h := 0; h < H; h++ {
				kv := h / (H / KV)
				sc := make([]float64, p+1)
				mx := math.Inf(-1)
				for j := 0; j <= p; j++ {
					var d float64
					for i := 0; i < hd; i++ {
						d += qs[p][h*hd+i] * ks[j][kv*hd+i]
					}
					sc[j] = d / math.Sqrt(float64(hd))
					mx = math.Max(mx, sc[j])
				}
				var sum float64
				for j := range sc {
					sc[j] = math.Exp(sc[j] - mx)
					sum += sc[j]
				}
				for j := range sc {
					for i := 0; i < hd; i++ {
						att[h*hd+i] += sc[j] / sum * vs[j][kv*hd+i]
					}
				}
			}
			o := matvec(w("attn_output"), att)
			for i := range o {
				x[p][i] += o[i]
			}
			h := rms64(x[p], w("ffn_norm"), eps)
			g, u := matvec(w("ffn_gate"), h), matvec(w("ffn_up"), h)
			for i := range g {
				g[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
			}
			d := matvec(w("ffn_down"), g)
			for i := range d {
				x[p][i] += d[i]
			}
		}
	}
	out := make([][]float64, len(tokens))
	for p := range tokens {
		out[p] = matvec(emb, rms64(x[p], r.tensor(t, "output_norm.weight"), eps))
	}
	return out
}

// TestFloat64Reference checks the llama model with an F32 cache against
// the float64 pass, and the float64 pass against llama.cpp (also run with
// an F32 cache), both within 1e-3.
func TestFloat64Reference(t *testing.T) {
	m := loadTest(t, "llama-w64-f32")
	g := readGolden(t, "testdata/llama-w64-f32.json")
	r := &ref64{m: m, w: map[string][]float64{}}
	want := r.logits(t, g.Tokens)
	s, err := m.NewStateCache(32, 2, CacheF32)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetAllLogits(true)
	if _, err := s.Eval(context.Background(), g.Tokens); err != nil {
		t.Fatal(err)
	}
	var engine, cpp float64
	for p := range g.Tokens {
		for i, v := range want[p] {
			engine = max(engine, math.Abs(float64(s.PositionLogits(p)[i])-v))
			cpp = max(cpp, math.Abs(float64(g.Logits[p][i])-v))
		}
	}
	t.Logf("max |Δ| from float64: engine %.2e, llama.cpp %.2e", engine, cpp)
	if engine > 1e-3 || cpp > 1e-3 {
		t.Fatalf("engine %g, llama.cpp %g from the float64 reference", engine, cpp)
	}
}

// TestLongContextReference checks attention over a long cache against the
// float64 pass: a 600-token prompt (ten batches, so later batches attend
// to the cache the earlier ones wrote) and four generated tokens, with
// both cache types. The F32 cache stays within 1e-3; the F16 one within
// 3 × llama.cpp's spread on this model (which includes its own F16 cache's
// difference from its F32 one), as TestGolden allows.
func TestLongContextReference(t *testing.T) {
	m := loadTest(t, "llama-w64-f32")
	g := readGolden(t, "testdata/llama-w64-f32.json")
	tokens := make([]int, 604)
	for i := range tokens {
		tokens[i] = (i*131 + 17) % m.Vocab()
	}
	r := &ref64{m: m, w: map[string][]float64{}}
	want := r.logits(t, tokens)
	for _, c := range []struct {
		cache CacheType
		tol   float64
	}{{CacheF32, 1e-3}, {CacheF16, 3 * g.Spread}} {
		s, err := m.NewStateCache(len(tokens), 2, c.cache)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.SetAllLogits(true)
		if _, err := s.Eval(context.Background(), tokens[:600]); err != nil {
			t.Fatal(err)
		}
		var worst float64
		check := func(p int, got []float32) {
			for i, v := range want[p] {
				worst = max(worst, math.Abs(float64(got[i])-v))
			}
			if argmax(got) != argmax64(want[p]) && margin64(want[p]) > c.tol {
				t.Errorf("%v cache, position %d: argmax %d, float64 %d", c.cache, p, argmax(got), argmax64(want[p]))
			}
		}
		for p := 0; p < 600; p++ {
			check(p, s.PositionLogits(p))
		}
		for p := 600; p < len(tokens); p++ {
			got, err := s.Eval(context.Background(), tokens[p:p+1])
			if err != nil {
				t.Fatal(err)
			}
			check(p, got)
		}
		t.Logf("%v cache: max |Δ| from float64 %.2e", c.cache, worst)
		if worst > c.tol {
			t.Errorf("%v cache: max |Δ| %g > %g", c.cache, worst, c.tol)
		}
	}
}

func argmax64(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// margin64 is how far the largest value is above the second.
func margin64(v []float64) float64 {
	first, second := math.Inf(-1), math.Inf(-1)
	for _, x := range v {
		if x > first {
			first, second = x, first
		} else if x > second {
			second = x
		}
	}
	return first - second
}
