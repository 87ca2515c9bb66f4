// Package bert runs BERT-family sentence-embedding models (such as
// all-MiniLM-L6-v2) in process: a Hugging Face folder with config.json,
// model.safetensors and tokenizer.json (or vocab.txt). Texts are
// tokenized with WordPiece, encoded, mean-pooled and L2-normalised. The
// matrix products use the kernels of package simd, shared with the GPT-J
// engine.
package bert

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"sidecar/backend/simd"
)

// ErrFormat means the folder is not a usable BERT model.
var ErrFormat = errors.New("bert: not a usable BERT model")

// Config is the part of config.json the encoder needs.
type Config struct {
	VocabSize    int     `json:"vocab_size"`
	Hidden       int     `json:"hidden_size"`
	Layers       int     `json:"num_hidden_layers"`
	Heads        int     `json:"num_attention_heads"`
	Intermediate int     `json:"intermediate_size"`
	MaxPositions int     `json:"max_position_embeddings"`
	TypeVocab    int     `json:"type_vocab_size"`
	Eps          float64 `json:"layer_norm_eps"`
	HiddenAct    string  `json:"hidden_act"`
	ModelType    string  `json:"model_type"`
}

func (c Config) validate() error {
	switch {
	case c.VocabSize < 8 || c.VocabSize > 1<<20, c.Hidden < 8 || c.Hidden > 8192 || c.Hidden%8 != 0,
		c.Layers < 1 || c.Layers > 64, c.Heads < 1 || c.Hidden%c.Heads != 0,
		c.Intermediate < 1 || c.Intermediate > 65536, c.MaxPositions < 2 || c.MaxPositions > 1<<16,
		c.TypeVocab < 1 || c.TypeVocab > 16:
		return fmt.Errorf("%w: config.json has sizes this engine does not accept", ErrFormat)
	case c.HiddenAct != "" && c.HiddenAct != "gelu":
		return fmt.Errorf("%w: activation %q (only gelu)", ErrFormat, c.HiddenAct)
	}
	return nil
}

type linear struct {
	w    []float32 // out × in, row-major
	b    []float32
	in   int
	outN int
}

type layer struct {
	q, k, v, o, up, down   linear
	ln1W, ln1B, ln2W, ln2B []float32
}

// Model is a loaded encoder with its tokenizer.
type Model struct {
	Config         Config
	Name           string // the folder's name
	tok            *WordPiece
	word, pos, typ []float32
	lnW, lnB       []float32
	layers         []layer
}

// MaxTokens is the longest input, in word pieces with [CLS] and [SEP]:
// longer texts are cut (sentence-transformers uses 256 for MiniLM).
const MaxTokens = 256

// Load reads a model folder.
func Load(dir string) (*Model, error) {
	var c Config
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: config.json: %v", ErrFormat, err)
	}
	if c.Eps == 0 {
		c.Eps = 1e-12
	}
	if c.TypeVocab == 0 {
		c.TypeVocab = 2
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	tok, err := LoadTokenizer(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	ts, err := readSafetensors(data)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: c, Name: filepath.Base(dir), tok: tok}
	get := func(name string, shape ...int) ([]float32, error) {
		t, ok := ts["bert."+name]
		if !ok {
			t, ok = ts[name]
		}
		if !ok {
			return nil, fmt.Errorf("%w: tensor %s is missing", ErrFormat, name)
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if len(t.shape) != len(shape) || len(t.values) != n {
			return nil, fmt.Errorf("%w: tensor %s has shape %v, want %v", ErrFormat, name, t.shape, shape)
		}
		for i, d := range shape {
			if t.shape[i] != d {
				return nil, fmt.Errorf("%w: tensor %s has shape %v, want %v", ErrFormat, name, t.shape, shape)
			}
		}
		return t.values, nil
	}
	lin := func(prefix string, out, in int) (linear, error) {
		w, err := get(prefix+".weight", out, in)
		if err != nil {
			return linear{}, err
		}
		bias, err := get(prefix+".bias", out)
		return linear{w: w, b: bias, in: in, outN: out}, err
	}
	h, inter := c.Hidden, c.Intermediate
	var errs []error
	must := func(v []float32, err error) []float32 { errs = append(errs, err); return v }
	mustL := func(v linear, err error) linear { errs = append(errs, err); return v }
	m.word = must(get("embeddings.word_embeddings.weight", c.VocabSize, h))
	m.pos = must(get("embeddings.position_embeddings.weight", c.MaxPositions, h))
	m.typ = must(get("embeddings.token_type_embeddings.weight", c.TypeVocab, h))
	m.lnW = must(get("embeddings.LayerNorm.weight", h))
	m.lnB = must(get("embeddings.LayerNorm.bias", h))
	for i := 0; i < c.Layers; i++ {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		l := layer{
			q:    mustL(lin(p+"attention.self.query", h, h)),
			k:    mustL(lin(p+"attention.self.key", h, h)),
			v:    mustL(lin(p+"attention.self.value", h, h)),
			o:    mustL(lin(p+"attention.output.dense", h, h)),
			up:   mustL(lin(p+"intermediate.dense", inter, h)),
			down: mustL(lin(p+"output.dense", h, inter)),
			ln1W: must(get(p+"attention.output.LayerNorm.weight", h)),
			ln1B: must(get(p+"attention.output.LayerNorm.bias", h)),
			ln2W: must(get(p+"output.LayerNorm.weight", h)),
			ln2B: must(get(p+"output.LayerNorm.bias", h)),
		}
		m.layers = append(m.layers, l)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if tok.Size() > c.VocabSize {
		return nil, fmt.Errorf("%w: the tokenizer has %d tokens, the model %d", ErrFormat, tok.Size(), c.VocabSize)
	}
	return m, nil
}

// Dims is the size of the embeddings.
func (m *Model) Dims() int { return m.Config.Hidden }

// Tokenize returns the ids the model sees for text ([CLS] … [SEP], cut
// to MaxTokens and to the model's positions).
func (m *Model) Tokenize(text string) []int {
	return m.tok.Encode(text, min(MaxTokens, m.Config.MaxPositions))
}

// Embed returns the mean-pooled, L2-normalised embedding of each text.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i] = m.EmbedTokens(m.Tokenize(t))
	}
	return out, nil
}

// EmbedTokens encodes token ids and mean-pools the last hidden states,
// L2-normalised.
func (m *Model) EmbedTokens(ids []int) []float32 {
	x := m.Encode(ids)
	h := m.Config.Hidden
	v := make([]float32, h)
	for t := range ids {
		simd.Axpy(1/float32(len(ids)), x[t*h:(t+1)*h], v)
	}
	var n float64
	for _, f := range v {
		n += float64(f) * float64(f)
	}
	if n > 0 {
		inv := float32(1 / math.Sqrt(n))
		for i := range v {
			v[i] *= inv
		}
	}
	return v
}

// Encode returns the last hidden states (len(ids) × Hidden).
func (m *Model) Encode(ids []int) []float32 {
	c := m.Config
	h, n := c.Hidden, len(ids)
	x := make([]float32, n*h)
	for t, id := range ids {
		row := x[t*h : (t+1)*h]
		copy(row, m.word[id*h:(id+1)*h])
		simd.Axpy(1, m.pos[t*h:(t+1)*h], row)
		simd.Axpy(1, m.typ[:h], row)
		layerNorm(row, m.lnW, m.lnB, c.Eps)
	}
	q, k, v := make([]float32, n*h), make([]float32, n*h), make([]float32, n*h)
	att, tmp := make([]float32, n*h), make([]float32, n*h)
	up := make([]float32, n*c.Intermediate)
	scores := make([]float32, n)
	hd := h / c.Heads
	scale := float32(1 / math.Sqrt(float64(hd)))
	for li := range m.layers {
		l := &m.layers[li]
		l.q.apply(q, x, n)
		l.k.apply(k, x, n)
		l.v.apply(v, x, n)
		clear(att)
		for t := 0; t < n; t++ {
			for hh := 0; hh < c.Heads; hh++ {
				qh := q[t*h+hh*hd : t*h+(hh+1)*hd]
				mx := float32(math.Inf(-1))
				for u := 0; u < n; u++ {
					s := simd.Dot(qh, k[u*h+hh*hd:u*h+(hh+1)*hd]) * scale
					scores[u] = s
					mx = max(mx, s)
				}
				var sum float64
				for u := 0; u < n; u++ {
					p := math.Exp(float64(scores[u] - mx))
					scores[u] = float32(p)
					sum += p
				}
				ah := att[t*h+hh*hd : t*h+(hh+1)*hd]
				for u := 0; u < n; u++ {
					simd.Axpy(scores[u]/float32(sum), v[u*h+hh*hd:u*h+(hh+1)*hd], ah)
				}
			}
		}
		l.o.apply(tmp, att, n)
		for t := 0; t < n; t++ {
			row := x[t*h : (t+1)*h]
			simd.Axpy(1, tmp[t*h:(t+1)*h], row)
			layerNorm(row, l.ln1W, l.ln1B, c.Eps)
		}
		l.up.apply(up, x, n)
		for i, f := range up {
			up[i] = gelu(f)
		}
		l.down.apply(tmp, up, n)
		for t := 0; t < n; t++ {
			row := x[t*h : (t+1)*h]
			simd.Axpy(1, tmp[t*h:(t+1)*h], row)
			layerNorm(row, l.ln2W, l.ln2B, c.Eps)
		}
	}
	return x
}

// apply computes out = X·Wᵀ + b for n input rows; each weight row is
// read once for four inputs at a time.
func (l *linear) apply(out, x []float32, n int) {
	var o [4]float32
	for r := 0; r < l.outN; r++ {
		w := l.w[r*l.in : (r+1)*l.in]
		t := 0
		for ; t+4 <= n; t += 4 {
			simd.Dot4(w, x[t*l.in:(t+4)*l.in], l.in, &o)
			for i, s := range o {
				out[(t+i)*l.outN+r] = s + l.b[r]
			}
		}
		for ; t < n; t++ {
			out[t*l.outN+r] = simd.Dot(w, x[t*l.in:(t+1)*l.in]) + l.b[r]
		}
	}
}

func layerNorm(x, w, b []float32, eps float64) {
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
	inv := 1 / math.Sqrt(variance+eps)
	for i, v := range x {
		x[i] = float32((float64(v)-mean)*inv)*w[i] + b[i]
	}
}

// gelu is BERT's exact GELU, x·Φ(x).
func gelu(x float32) float32 {
	return float32(0.5 * float64(x) * (1 + math.Erf(float64(x)/math.Sqrt2)))
}

type tensor struct {
	shape  []int
	values []float32
}

// readSafetensors decodes every F32, F16 or BF16 tensor of a file, with
// every size and offset checked.
func readSafetensors(data []byte) (map[string]tensor, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: model.safetensors is too short", ErrFormat)
	}
	hlen := binary.LittleEndian.Uint64(data)
	if hlen > 100<<20 || 8+hlen > uint64(len(data)) {
		return nil, fmt.Errorf("%w: model.safetensors: header of %d bytes does not fit the file", ErrFormat, hlen)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hlen], &header); err != nil {
		return nil, fmt.Errorf("%w: model.safetensors header: %v", ErrFormat, err)
	}
	body := data[8+hlen:]
	names := make([]string, 0, len(header))
	for k := range header {
		if k != "__metadata__" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	out := map[string]tensor{}
	for _, name := range names {
		var e struct {
			DType   string  `json:"dtype"`
			Shape   []int   `json:"shape"`
			Offsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(header[name], &e); err != nil || len(e.Offsets) != 2 {
			return nil, fmt.Errorf("%w: tensor %s: bad header entry", ErrFormat, name)
		}
		size := map[string]int64{"F32": 4, "F16": 2, "BF16": 2}[e.DType]
		if size == 0 {
			continue // other tensors (e.g. int64 position ids) are not weights
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d <= 0 || d > 1<<24 {
				return nil, fmt.Errorf("%w: tensor %s has shape %v", ErrFormat, name, e.Shape)
			}
			n *= int64(d)
		}
		if n > 1<<31 || e.Offsets[0] < 0 || e.Offsets[1]-e.Offsets[0] != n*size || e.Offsets[1] > int64(len(body)) {
			return nil, fmt.Errorf("%w: tensor %s: offsets %v do not match its shape or the file", ErrFormat, name, e.Offsets)
		}
		raw := body[e.Offsets[0]:e.Offsets[1]]
		v := make([]float32, n)
		for i := range v {
			var f float32
			switch e.DType {
			case "F32":
				f = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			case "F16":
				f = halfToFloat(binary.LittleEndian.Uint16(raw[2*i:]))
			default:
				f = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
			}
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("%w: tensor %s holds NaN or infinite values", ErrFormat, name)
			}
			v[i] = f
		}
		out[name] = tensor{shape: e.Shape, values: v}
	}
	return out, nil
}

func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}
