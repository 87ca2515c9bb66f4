package gptj

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// weights of a random model, in float32, by tensor name.
type weights map[string][]float32

type shape struct{ rows, cols int }

func tensorShapes(c Config) ([]string, map[string]shape) {
	e, v := c.NEmbd, c.NVocab
	names := []string{"transformer.wte.weight"}
	sh := map[string]shape{"transformer.wte.weight": {v, e}}
	for i := 0; i < c.NLayer; i++ {
		p := "transformer.h." + string(rune('0'+i)) + "."
		for _, n := range []struct {
			name string
			s    shape
		}{{"ln_1.weight", shape{1, e}}, {"ln_1.bias", shape{1, e}}, {"attn.k_proj.weight", shape{e, e}}, {"attn.v_proj.weight", shape{e, e}},
			{"attn.q_proj.weight", shape{e, e}}, {"attn.out_proj.weight", shape{e, e}}, {"mlp.fc_in.weight", shape{4 * e, e}},
			{"mlp.fc_in.bias", shape{1, 4 * e}}, {"mlp.fc_out.weight", shape{e, 4 * e}}, {"mlp.fc_out.bias", shape{1, e}}} {
			names = append(names, p+n.name)
			sh[p+n.name] = n.s
		}
	}
	for _, n := range []struct {
		name string
		s    shape
	}{{"transformer.ln_f.weight", shape{1, e}}, {"transformer.ln_f.bias", shape{1, e}}, {"lm_head.weight", shape{v, e}}, {"lm_head.bias", shape{1, v}}} {
		names = append(names, n.name)
		sh[n.name] = n.s
	}
	return names, sh
}

// randomModel draws weights; qkScale sharpens attention.
func randomModel(c Config, seed int64, qkScale float64) weights {
	rng := rand.New(rand.NewSource(seed))
	names, sh := tensorShapes(c)
	w := weights{}
	for _, n := range names {
		s := sh[n]
		v := make([]float32, s.rows*s.cols)
		std := 0.05
		if strings.Contains(n, "q_proj") || strings.Contains(n, "k_proj") {
			std *= qkScale
		}
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
			if strings.Contains(n, "ln_") && strings.HasSuffix(n, "weight") {
				v[i] = float32(1 + 0.1*rng.NormFloat64())
			}
		}
		w[n] = v
	}
	return w
}

// ggmlFile writes w as a legacy ggml F32 file.
func ggmlFile(c Config, w weights) []byte {
	var b bytes.Buffer
	put := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	put(uint32(ggmlMagic))
	for _, x := range []int32{int32(c.NVocab), int32(c.NCtx), int32(c.NEmbd), int32(c.NHead), int32(c.NLayer), int32(c.NRot), 0} {
		put(x)
	}
	put(int32(c.NVocab))
	for i := 0; i < c.NVocab; i++ {
		put(uint32(1))
		b.WriteByte(byte(i))
	}
	names, sh := tensorShapes(c)
	for _, n := range names {
		s := sh[n]
		nd := int32(2)
		if s.rows == 1 {
			nd = 1
		}
		put(nd)
		put(int32(len(n)))
		put(int32(0))
		put(int32(s.cols))
		if nd == 2 {
			put(int32(s.rows))
		}
		b.WriteString(n)
		put(w[n])
	}
	return b.Bytes()
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "model.bin")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// reference is a plain float64 GPT-J written from the math, token by token
// over the whole sequence each time (no cache), to check the engine.
func reference(c Config, w weights, tokens []int) []float64 {
	e, hd := c.NEmbd, c.NEmbd/c.NHead
	f := func(n string) []float64 {
		out := make([]float64, len(w[n]))
		for i, v := range w[n] {
			out[i] = float64(v)
		}
		return out
	}
	mat := func(n string, rows, cols int, x []float64) []float64 {
		m := f(n)
		out := make([]float64, rows)
		for r := 0; r < rows; r++ {
			for j := 0; j < cols; j++ {
				out[r] += m[r*cols+j] * x[j]
			}
		}
		return out
	}
	ln := func(x, g, b []float64) []float64 {
		var mean, vr float64
		for _, v := range x {
			mean += v
		}
		mean /= float64(len(x))
		for _, v := range x {
			vr += (v - mean) * (v - mean)
		}
		vr /= float64(len(x))
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = (v-mean)/math.Sqrt(vr+1e-5)*g[i] + b[i]
		}
		return out
	}
	rot := func(v []float64, pos int) {
		for h := 0; h < c.NHead; h++ {
			for i := 0; i < c.NRot/2; i++ {
				th := float64(pos) * math.Pow(10000, -2*float64(i)/float64(c.NRot))
				a, b := v[h*hd+2*i], v[h*hd+2*i+1]
				v[h*hd+2*i], v[h*hd+2*i+1] = a*math.Cos(th)-b*math.Sin(th), a*math.Sin(th)+b*math.Cos(th)
			}
		}
	}
	wte := f("transformer.wte.weight")
	xs := make([][]float64, len(tokens))
	for p, t := range tokens {
		xs[p] = append([]float64(nil), wte[t*e:(t+1)*e]...)
	}
	for l := 0; l < c.NLayer; l++ {
		p := "transformer.h." + string(rune('0'+l)) + "."
		hs := make([][]float64, len(xs))
		qs, ks, vs := make([][]float64, len(xs)), make([][]float64, len(xs)), make([][]float64, len(xs))
		for i, x := range xs {
			hs[i] = ln(x, f(p+"ln_1.weight"), f(p+"ln_1.bias"))
			qs[i], ks[i], vs[i] = mat(p+"attn.q_proj.weight", e, e, hs[i]), mat(p+"attn.k_proj.weight", e, e, hs[i]), mat(p+"attn.v_proj.weight", e, e, hs[i])
			rot(qs[i], i)
			rot(ks[i], i)
		}
		next := make([][]float64, len(xs))
		for i := range xs {
			a := make([]float64, e)
			for h := 0; h < c.NHead; h++ {
				sc := make([]float64, i+1)
				mx := math.Inf(-1)
				for j := 0; j <= i; j++ {
					for d := 0; d < hd; d++ {
						sc[j] += qs[i][h*hd+d] * ks[j][h*hd+d]
					}
					sc[j] /= math.Sqrt(float64(hd))
					mx = math.Max(mx, sc[j])
				}
				var sum float64
				for j := range sc {
					sc[j] = math.Exp(sc[j] - mx)
					sum += sc[j]
				}
				for j := range sc {
					for d := 0; d < hd; d++ {
						a[h*hd+d] += sc[j] / sum * vs[j][h*hd+d]
					}
				}
			}
			att := mat(p+"attn.out_proj.weight", e, e, a)
			ff := mat(p+"mlp.fc_in.weight", 4*e, e, hs[i])
			bin := f(p + "mlp.fc_in.bias")
			for k := range ff {
				x := ff[k] + bin[k]
				ff[k] = 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
			}
			mo := mat(p+"mlp.fc_out.weight", e, 4*e, ff)
			bout := f(p + "mlp.fc_out.bias")
			next[i] = make([]float64, e)
			for k := range next[i] {
				next[i][k] = xs[i][k] + att[k] + mo[k] + bout[k]
			}
		}
		xs = next
	}
	h := ln(xs[len(xs)-1], f("transformer.ln_f.weight"), f("transformer.ln_f.bias"))
	out := mat("lm_head.weight", c.NVocab, e, h)
	lb := f("lm_head.bias")
	for i := range out {
		out[i] += lb[i]
	}
	return out
}

func TestForwardMatchesFloat64ReferenceWithSharpAttention(t *testing.T) {
	c := Config{NVocab: 256, NCtx: 160, NEmbd: 48, NHead: 3, NLayer: 2, NRot: 6, Eps: 1e-5}
	w := randomModel(c, 7, 6) // q/k six times larger: peaked attention
	m, err := Load(writeTemp(t, ggmlFile(c, w)), Options{WType: F32})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(3))
	tokens := make([]int, 110)
	for i := range tokens {
		tokens[i] = rng.Intn(c.NVocab)
	}
	// Batched prompt, then the last tokens one by one, must both match.
	s := m.NewState(0)
	got, err := s.Eval(tokens[:100])
	if err != nil {
		t.Fatal(err)
	}
	check := func(at int, got []float32) {
		want := reference(c, w, tokens[:at])
		worst := 0.0
		for i := range want {
			worst = math.Max(worst, math.Abs(float64(got[i])-want[i]))
		}
		if worst > 1e-4 {
			t.Fatalf("after %d tokens: max |Δ| = %.2e", at, worst)
		}
	}
	check(100, got)
	for i := 100; i < 110; i++ {
		got, _ = s.Eval(tokens[i : i+1])
	}
	check(110, got)
	// Truncate and re-evaluate gives the same answer.
	s.Truncate(100)
	for i := 100; i < 110; i++ {
		got, _ = s.Eval(tokens[i : i+1])
	}
	check(110, got)
	s.Reset()
	if _, err := s.Eval(tokens[:5]); err != nil || s.Len() != 5 {
		t.Fatalf("after reset: %v len %d", err, s.Len())
	}
	// Four threads give the same logits.
	par := m.NewStateThreads(0, 4)
	defer par.Close()
	got, _ = par.Eval(tokens[:110])
	check(110, got)
	// The context limit is enforced.
	if _, err := m.NewState(8).Eval(tokens[:9]); !errors.Is(err, ErrContextFull) {
		t.Fatalf("overfull context: %v", err)
	}
}

func TestQuantizedWeightsStayClose(t *testing.T) {
	c := Config{NVocab: 256, NCtx: 64, NEmbd: 64, NHead: 4, NLayer: 2, NRot: 8, Eps: 1e-5}
	path := writeTemp(t, ggmlFile(c, randomModel(c, 11, 1)))
	ref, _ := Load(path, Options{WType: F32})
	toks := []int{1, 50, 99, 200, 7, 3}
	want, _ := ref.NewState(0).Eval(toks)
	want = append([]float32(nil), want...)
	for _, wt := range []WType{F16, Q8_0, Q4_0} {
		m, err := Load(path, Options{WType: wt})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := m.NewState(0).Eval(toks)
		var num, den float64
		for i := range want {
			num += float64((got[i] - want[i]) * (got[i] - want[i]))
			den += float64(want[i] * want[i])
		}
		rel := math.Sqrt(num / den)
		t.Logf("%s: relative logit error %.4f", wt, rel)
		limit := map[WType]float64{F16: 0.002, Q8_0: 0.02, Q4_0: 0.25}[wt] // 4-bit blocks of random weights: ~0.18 measured
		if rel > limit {
			t.Errorf("%s: relative error %.4f over %.3f", wt, rel, limit)
		}
	}
}

func TestQuantBlocksMatchGGMLLayout(t *testing.T) {
	v := make([]float32, 32)
	for i := range v {
		v[i] = float32(i-16) / 4
	}
	m8, _ := newMatrix(Q8_0, 1, 32)
	m8.setRow(0, v)
	if len(m8.data) != 34 || f16ToF32(binary.LittleEndian.Uint16(m8.data)) != float32(4)/127 && math.Abs(float64(f16ToF32(binary.LittleEndian.Uint16(m8.data)))-4.0/127) > 1e-4 {
		t.Fatalf("q8 scale %v", f16ToF32(binary.LittleEndian.Uint16(m8.data)))
	}
	if int8(m8.data[2]) != -127 {
		t.Fatalf("q8 first value %d, want -127 (the largest magnitude)", int8(m8.data[2]))
	}
	m4, _ := newMatrix(Q4_0, 1, 32)
	m4.setRow(0, v)
	d := f16ToF32(binary.LittleEndian.Uint16(m4.data))
	if len(m4.data) != 18 || math.Abs(float64(d)-0.5) > 1e-3 || m4.data[2]&0xF != 0 {
		t.Fatalf("q4 block: d=%v first nibble %d (the -4.0 maps to 0)", d, m4.data[2]&0xF)
	}
	back := make([]float32, 32)
	m4.Row(0, back)
	if back[0] != -4 || back[16] != 0 {
		t.Fatalf("q4 decode: %v", back[:4])
	}
	for _, x := range []float32{0, 1, -2.5, 65504, 1e-7, 0.1} {
		if got := f16ToF32(f32ToF16(x)); math.Abs(float64(got-x)) > math.Abs(float64(x))*1e-3+1e-7 {
			t.Errorf("f16 round trip %v -> %v", x, got)
		}
	}
}

func TestSampling(t *testing.T) {
	path := filepath.Join(testdata, "gptj-tinyA-f32.bin")
	m, err := Load(path, Options{WType: F32})
	if err != nil {
		t.Skip(err)
	}
	gen := func(o GenerateOptions) (string, Result) {
		var b strings.Builder
		r, err := m.NewState(0).Generate(context.Background(), []int{42, 7, 9}, o, func(s string) error { b.WriteString(s); return nil })
		if err != nil {
			t.Fatal(err)
		}
		return b.String(), r
	}
	greedy, r := gen(GenerateOptions{MaxTokens: 12})
	if r.CompletionTokens != 12 || r.StoppedBy != "max_tokens" {
		t.Fatalf("greedy: %+v", r)
	}
	if k1, _ := gen(GenerateOptions{MaxTokens: 12, Sampling: Sampling{Temperature: 1.5, TopK: 1, Seed: 9}}); k1 != greedy {
		t.Errorf("top-k 1 differs from greedy")
	}
	a, _ := gen(GenerateOptions{MaxTokens: 20, Sampling: Sampling{Temperature: 1.2, TopP: 0.9, TopK: 40, RepeatPenalty: 1.3, Seed: 5}})
	b, _ := gen(GenerateOptions{MaxTokens: 20, Sampling: Sampling{Temperature: 1.2, TopP: 0.9, TopK: 40, RepeatPenalty: 1.3, Seed: 5}})
	c, _ := gen(GenerateOptions{MaxTokens: 20, Sampling: Sampling{Temperature: 1.2, TopP: 0.9, TopK: 40, RepeatPenalty: 1.3, Seed: 6}})
	if a != b {
		t.Error("same seed, different output")
	}
	if a == c {
		t.Error("different seeds, same output")
	}
	// A stop sequence taken from the greedy text ends the generation before it.
	stop := greedy[4:6]
	out, r := gen(GenerateOptions{MaxTokens: 12, Stop: []string{stop}})
	if r.StoppedBy != "stop" || strings.Contains(out, stop) || !strings.HasPrefix(greedy, out) {
		t.Fatalf("stop %q: got %q (%+v), greedy %q", stop, out, r, greedy)
	}
	// Cancellation stops within a token.
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = m.NewState(0).Generate(ctx, []int{1}, GenerateOptions{MaxTokens: 100}, func(string) error {
		n++
		if n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > 4 {
		t.Fatalf("cancel: %v after %d pieces", err, n)
	}
	_ = time.Now
}

func TestHostileFiles(t *testing.T) {
	c := Config{NVocab: 256, NCtx: 16, NEmbd: 32, NHead: 2, NLayer: 1, NRot: 4, Eps: 1e-5}
	good := ggmlFile(c, randomModel(c, 1, 1))
	if _, err := loadGGML(good, F32); err != nil {
		t.Fatal(err)
	}
	set := func(off int, v int32) []byte {
		b := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(b[off:], uint32(v))
		return b
	}
	nan := append([]byte(nil), good...)
	// The last tensor is lm_head.bias: its last value becomes NaN.
	binary.LittleEndian.PutUint32(nan[len(nan)-4:], 0x7fc00000)
	cases := map[string][]byte{
		"empty":          {},
		"bad magic":      set(0, 0x12345678),
		"truncated":      good[:len(good)-10],
		"header only":    good[:20],
		"absurd vocab":   set(4, 1<<30),
		"absurd layers":  set(20, 100000),
		"zero heads":     set(16, 0),
		"heads mismatch": set(16, 7),
		"odd n_rot":      set(24, 3),
		"bad ftype":      set(28, 5),
		"nan weights":    nan,
		"trailing junk":  append(append([]byte(nil), good...), 1, 2, 3),
	}
	for name, data := range cases {
		_, err := loadGGML(data, Q8_0)
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v does not wrap ErrFormat", name, err)
		}
	}
}

// TestNonFiniteFileTypeWeights: a NaN or infinity in rows kept in the
// file's type is refused when it lies past the first chunk read from the
// file, in F16 and F32, and the file is not held open or mapped after.
func TestNonFiniteFileTypeWeights(t *testing.T) {
	c := Config{NVocab: 4096, NCtx: 8, NEmbd: 256, NHead: 4, NLayer: 1, NRot: 8, Eps: 1e-5}
	name := []byte("transformer.wte.weight")
	for _, wt := range []WType{F16, F32} {
		path := filepath.Join(t.TempDir(), "m.bin")
		if err := WriteRandomFile(path, c, wt, 3); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		at := bytes.Index(data, name) + len(name) // wte's values
		size := c.NVocab * c.NEmbd * 2
		bad := []byte{0x00, 0x7c} // F16 +Inf
		if wt == F32 {
			size *= 2
			bad = []byte{0x00, 0x00, 0xc0, 0x7f} // F32 NaN
		}
		if size <= readChunk {
			t.Fatalf("wte is %d bytes: not past the first chunk", size)
		}
		copy(data[at+size-len(bad):], bad) // wte's last value
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path, Options{WType: KeepFileType}); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "transformer.wte.weight") {
			t.Errorf("%s: %v, want a format error naming the tensor", wt, err)
		}
		// Loaded as another type, the value is refused as it is converted.
		other := map[WType]WType{F16: F32, F32: F16}[wt]
		if _, err := Load(path, Options{WType: other}); !errors.Is(err, ErrFormat) {
			t.Errorf("%s as %s: %v, want a format error", wt, other, err)
		}
	}
}

func FuzzLoadGGML(f *testing.F) {
	c := Config{NVocab: 256, NCtx: 8, NEmbd: 32, NHead: 2, NLayer: 1, NRot: 4}
	f.Add(ggmlFile(c, randomModel(c, 1, 1)))
	if b, err := os.ReadFile(filepath.Join(testdata, "gptj-tinyA-f16.bin")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := loadGGML(data, Q4_0)
		if err == nil {
			m.NewState(4).Eval([]int{0})
		}
	})
}

func FuzzLoadSafetensors(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(testdata, "tinyA-hf", "model.safetensors")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":{}}        "))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Config{NVocab: 256, NCtx: 128, NEmbd: 64, NHead: 4, NLayer: 2, NRot: 8, Eps: 1e-5}
		b := newBuilder(cfg, Q8_0)
		if _, err := addSafetensors(b, "fuzz", data, nil); err == nil {
			b.done()
		}
	})
}
