package bert

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var testVocab = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", ",", "!", "un", "##aff", "##able",
	"cafe", "the", "harbour", "bell", "##s", "ring", "at", "dusk", "."}

func TestWordPiece(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tokenizer.json"), tokenizerJSON(testVocab), 0o600)
	tok, err := LoadTokenizer(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := tok.Pieces("Hello, WORLD! Unaffable Café\tbells xyzzy")
	want := []string{"hello", ",", "world", "!", "un", "##aff", "##able", "cafe", "bell", "##s", "[UNK]"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pieces %q, want %q", got, want)
	}
	ids := tok.Encode("the harbour bells ring at dusk.", 6)
	if len(ids) != 6 || ids[0] != 2 || ids[5] != 3 {
		t.Fatalf("truncated encoding %v", ids)
	}
	// vocab.txt works too, with the same answer.
	dir2 := t.TempDir()
	os.WriteFile(filepath.Join(dir2, "vocab.txt"), []byte(strings.Join(testVocab, "\n")+"\n"), 0o600)
	tok2, err := LoadTokenizer(dir2)
	if err != nil {
		t.Fatal(err)
	}
	if got2 := tok2.Pieces("Hello, WORLD! Unaffable Café\tbells xyzzy"); !reflect.DeepEqual(got2, want) {
		t.Fatalf("vocab.txt pieces %q", got2)
	}
}

type tinyWeights map[string][]float32

var tinyConfig = Config{VocabSize: len(testVocab), Hidden: 32, Layers: 2, Heads: 4, Intermediate: 48,
	MaxPositions: 24, TypeVocab: 2, Eps: 1e-12, HiddenAct: "gelu", ModelType: "bert"}

func randomBERT(c Config, seed int64) tinyWeights { return randomWeights(c, seed) }

func writeModel(t *testing.T, c Config, w tinyWeights, prefix string) string {
	dir := filepath.Join(t.TempDir(), "tiny-bert")
	os.MkdirAll(dir, 0o700)
	cb, _ := json.Marshal(c)
	os.WriteFile(filepath.Join(dir, "config.json"), cb, 0o600)
	os.WriteFile(filepath.Join(dir, "tokenizer.json"), tokenizerJSON(testVocab), 0o600)
	os.WriteFile(filepath.Join(dir, "model.safetensors"), safetensorsFile(c, w, prefix), 0o600)
	return dir
}

// reference is BERT in float64, written out independently of the engine.
func reference(c Config, w tinyWeights, ids []int) []float64 {
	h, n, hd := c.Hidden, len(ids), c.Hidden/c.Heads
	at := func(name string, i int) float64 { return float64(w[name][i]) }
	ln := func(x []float64, name string) {
		var m, v float64
		for _, a := range x {
			m += a
		}
		m /= float64(len(x))
		for _, a := range x {
			v += (a - m) * (a - m)
		}
		v /= float64(len(x))
		for i := range x {
			x[i] = (x[i]-m)/math.Sqrt(v+c.Eps)*at(name+".weight", i) + at(name+".bias", i)
		}
	}
	lin := func(x []float64, name string, out int) []float64 {
		in := len(x)
		y := make([]float64, out)
		for r := 0; r < out; r++ {
			s := at(name+".bias", r)
			for i := 0; i < in; i++ {
				s += at(name+".weight", r*in+i) * x[i]
			}
			y[r] = s
		}
		return y
	}
	x := make([][]float64, n)
	for t, id := range ids {
		x[t] = make([]float64, h)
		for i := range x[t] {
			x[t][i] = at("embeddings.word_embeddings.weight", id*h+i) + at("embeddings.position_embeddings.weight", t*h+i) +
				at("embeddings.token_type_embeddings.weight", i)
		}
		ln(x[t], "embeddings.LayerNorm")
	}
	for l := 0; l < c.Layers; l++ {
		p := "encoder.layer." + string(rune('0'+l)) + "."
		q, k, v := make([][]float64, n), make([][]float64, n), make([][]float64, n)
		for t := range x {
			q[t], k[t], v[t] = lin(x[t], p+"attention.self.query", h), lin(x[t], p+"attention.self.key", h), lin(x[t], p+"attention.self.value", h)
		}
		for t := range x {
			a := make([]float64, h)
			for hh := 0; hh < c.Heads; hh++ {
				sc := make([]float64, n)
				mx := math.Inf(-1)
				for u := range x {
					var d float64
					for i := hh * hd; i < (hh+1)*hd; i++ {
						d += q[t][i] * k[u][i]
					}
					sc[u] = d / math.Sqrt(float64(hd))
					mx = math.Max(mx, sc[u])
				}
				var sum float64
				for u := range sc {
					sc[u] = math.Exp(sc[u] - mx)
					sum += sc[u]
				}
				for u := range sc {
					for i := hh * hd; i < (hh+1)*hd; i++ {
						a[i] += sc[u] / sum * v[u][i]
					}
				}
			}
			o := lin(a, p+"attention.output.dense", h)
			for i := range o {
				o[i] += x[t][i]
			}
			ln(o, p+"attention.output.LayerNorm")
			up := lin(o, p+"intermediate.dense", c.Intermediate)
			for i, f := range up {
				up[i] = 0.5 * f * (1 + math.Erf(f/math.Sqrt2))
			}
			d := lin(up, p+"output.dense", h)
			for i := range d {
				d[i] += o[i]
			}
			ln(d, p+"output.LayerNorm")
			x[t] = d
		}
		_ = x
	}
	pooled := make([]float64, h)
	for t := range x {
		for i := range pooled {
			pooled[i] += x[t][i] / float64(n)
		}
	}
	var norm float64
	for _, f := range pooled {
		norm += f * f
	}
	for i := range pooled {
		pooled[i] /= math.Sqrt(norm)
	}
	return pooled
}

// TestMatchesFloat64Reference checks the encoder on a tiny random BERT
// against the float64 reference, with and without the "bert." prefix.
func TestMatchesFloat64Reference(t *testing.T) {
	w := randomBERT(tinyConfig, 5)
	for _, prefix := range []string{"", "bert."} {
		m, err := Load(writeModel(t, tinyConfig, w, prefix))
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"hello world", "The harbour bells ring at dusk. Unaffable, the bell rings!", "xyzzy"} {
			ids := m.Tokenize(text)
			got := m.EmbedTokens(ids)
			want := reference(tinyConfig, w, ids)
			worst := 0.0
			for i := range want {
				worst = math.Max(worst, math.Abs(float64(got[i])-want[i]))
			}
			if worst > 2e-6 {
				t.Errorf("%q (prefix %q, %d tokens): max |Δ| %.2e", text, prefix, len(ids), worst)
			}
		}
	}
	m, _ := Load(writeModel(t, tinyConfig, w, ""))
	vs, err := m.Embed(context.Background(), []string{"hello world", "hello world", "the harbour bell"})
	if err != nil || len(vs) != 3 || len(vs[0]) != 32 {
		t.Fatalf("embed: %v %d", err, len(vs))
	}
	if !reflect.DeepEqual(vs[0], vs[1]) || reflect.DeepEqual(vs[0], vs[2]) {
		t.Error("embeddings are not a function of the text")
	}
	// Long texts are cut to the model's positions.
	long := strings.Repeat("the harbour bell ", 100)
	if ids := m.Tokenize(long); len(ids) != tinyConfig.MaxPositions {
		t.Errorf("long text: %d ids", len(ids))
	}
	m.EmbedTokens(m.Tokenize(long))
}

// TestHostileModels refuses broken folders with ErrFormat.
func TestHostileModels(t *testing.T) {
	w := randomBERT(tinyConfig, 6)
	good := writeModel(t, tinyConfig, w, "")
	cases := map[string]func(dir string){
		"truncated weights": func(dir string) {
			p := filepath.Join(dir, "model.safetensors")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
		},
		"huge header": func(dir string) {
			p := filepath.Join(dir, "model.safetensors")
			b, _ := os.ReadFile(p)
			binary.LittleEndian.PutUint64(b, 1<<40)
			os.WriteFile(p, b, 0o600)
		},
		"NaN weight": func(dir string) {
			w2 := tinyWeights{}
			for k, v := range w {
				w2[k] = append([]float32(nil), v...)
			}
			w2["encoder.layer.1.output.dense.weight"][7] = float32(math.NaN())
			copyDir(writeModel(t, tinyConfig, w2, ""), dir)
		},
		"missing tensor": func(dir string) {
			w2 := tinyWeights{}
			for k, v := range w {
				if k != "encoder.layer.0.attention.self.key.bias" {
					w2[k] = v
				}
			}
			copyDir(writeModel(t, tinyConfig, w2, ""), dir)
		},
		"absurd config": func(dir string) {
			os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"vocab_size": 20, "hidden_size": 1000000, "num_hidden_layers": 2, "num_attention_heads": 4}`), 0o600)
		},
		"not WordPiece": func(dir string) {
			os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(`{"model": {"type": "BPE", "vocab": {}}}`), 0o600)
		},
	}
	for name, damage := range cases {
		dir := filepath.Join(t.TempDir(), "m")
		copyDir(good, dir)
		damage(dir)
		if _, err := Load(dir); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func copyDir(from, to string) {
	os.MkdirAll(to, 0o700)
	es, _ := os.ReadDir(from)
	for _, e := range es {
		b, _ := os.ReadFile(filepath.Join(from, e.Name()))
		os.WriteFile(filepath.Join(to, e.Name()), b, 0o600)
	}
}
