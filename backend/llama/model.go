// Package llama runs GGUF models of the llama family in-process, in pure
// Go: Llama 2 and 3 (and Mistral, TinyLlama, SmolLM2, which share the
// llama architecture), Qwen2, Qwen3, Gemma 2, Gemma 3 and Phi-3. One graph
// serves them all, the differences between architectures held as data
// (RoPE style, norms, biases, soft-caps, sliding windows, fused tensors).
// Weights stay in the file's types and are read in place from its memory
// mapping; products go through the kernels of package quant.
package llama

import (
	"context"
	"fmt"

	"sidecar/backend/gguf"
	"sidecar/backend/quant"
)

// layer holds one block's weights. Matrices alias the file's mapping;
// norms and biases, a few thousand values each, are decoded to float32.
type layer struct {
	attnNorm, ffnNorm          []float32
	attnPostNorm, ffnPostNorm  []float32
	qNorm, kNorm               []float32
	q, k, v, qkv, o            quant.Matrix
	qBias, kBias, vBias, oBias []float32
	gate, up, gateUp, down     quant.Matrix
}

// Model is a loaded model. It is read-only and may serve many States.
type Model struct {
	Config Config
	File   *gguf.File

	embd       quant.Matrix
	output     quant.Matrix
	outputNorm []float32
	ropeFreqs  []float32 // rope_freqs (Llama 3), or the long or short factors (Phi-3) chosen per context
	ropeLong   []float32
	ropeShort  []float32
	layers     []layer
}

// Vocab is the number of rows of the embedding and of the logits.
func (m *Model) Vocab() int { return m.Config.Vocab }

// Close releases the file mapping; the model must not be used afterwards.
func (m *Model) Close() error { return m.File.Close() }

// Load maps a GGUF file and checks every tensor the graph will use.
// progress, if not nil, is called with the fraction of layers checked.
func Load(ctx context.Context, path string, progress func(float64)) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := FromFile(ctx, f, progress)
	if err != nil {
		f.Close()
		return nil, err
	}
	return m, nil
}

// FromFile builds a model over an open GGUF file, which it then owns.
func FromFile(ctx context.Context, f *gguf.File, progress func(float64)) (*Model, error) {
	c, err := readConfig(f)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: c, File: f}
	t := tensors{f: f}
	m.embd = t.matrix("token_embd.weight", c.Embd, -1)
	m.Config.Vocab = m.embd.Rows()
	if t.err == nil && (m.Config.Vocab <= 0 || m.Config.Vocab > maxVocab) {
		return nil, fmt.Errorf("%w: vocabulary of %d", ErrFormat, m.Config.Vocab)
	}
	m.outputNorm = t.vector("output_norm.weight", c.Embd)
	if t.has("output.weight") {
		m.output = t.matrix("output.weight", c.Embd, m.Config.Vocab)
	} else {
		m.output = m.embd // tied embeddings
	}
	half := c.Rot / 2
	m.ropeFreqs = t.optVector("rope_freqs.weight", half)
	m.ropeLong = t.optVector("rope_factors_long.weight", half)
	m.ropeShort = t.optVector("rope_factors_short.weight", half)
	m.layers = make([]layer, c.Layers)
	for i := range m.layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t.layer(&m.layers[i], i, c)
		if t.err != nil {
			return nil, t.err
		}
		if progress != nil {
			progress(float64(i+1) / float64(c.Layers))
		}
	}
	if t.err != nil {
		return nil, t.err
	}
	return m, nil
}

// tensors finds and checks tensors, keeping the first error.
type tensors struct {
	f   *gguf.File
	err error
}

func (t *tensors) fail(format string, a ...any) {
	if t.err == nil {
		t.err = fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
	}
}

func (t *tensors) has(name string) bool { _, ok := t.f.Tensor(name); return ok }

// matrix returns a rows×cols view of a 2-D tensor (rows -1: any).
func (t *tensors) matrix(name string, cols, rows int) quant.Matrix {
	if t.err != nil {
		return quant.Matrix{}
	}
	ti, ok := t.f.Tensor(name)
	if !ok {
		t.fail("tensor %s is missing", name)
		return quant.Matrix{}
	}
	if len(ti.Dims) != 2 || ti.Dims[0] != int64(cols) || (rows >= 0 && ti.Dims[1] != int64(rows)) {
		t.fail("tensor %s has shape %v, want [%d %d]", name, ti.Dims, cols, rows)
		return quant.Matrix{}
	}
	m, err := quant.NewMatrix(ti.Type, int(ti.Dims[1]), cols, t.f.Data(ti))
	if err != nil {
		t.fail("tensor %s: %v", name, err)
	}
	return m
}

// vector decodes a 1-D tensor of n values.
func (t *tensors) vector(name string, n int) []float32 {
	if t.err != nil {
		return nil
	}
	ti, ok := t.f.Tensor(name)
	if !ok {
		t.fail("tensor %s is missing", name)
		return nil
	}
	if ti.Elements() != int64(n) || len(ti.Dims) > 2 || (len(ti.Dims) == 2 && ti.Dims[1] != 1) {
		t.fail("tensor %s has shape %v, want [%d]", name, ti.Dims, n)
		return nil
	}
	out := make([]float32, n)
	if err := quant.Dequantize(ti.Type, t.f.Data(ti), out); err != nil {
		t.fail("tensor %s: %v", name, err)
	}
	return out
}

func (t *tensors) optVector(name string, n int) []float32 {
	if !t.has(name) {
		return nil
	}
	return t.vector(name, n)
}

func (t *tensors) layer(l *layer, i int, c Config) {
	n := func(s string) string { return fmt.Sprintf("blk.%d.%s", i, s) }
	qDim, kvDim := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	l.attnNorm = t.vector(n("attn_norm.weight"), c.Embd)
	l.ffnNorm = t.vector(n("ffn_norm.weight"), c.Embd)
	if c.a.fused {
		l.qkv = t.matrix(n("attn_qkv.weight"), c.Embd, qDim+2*kvDim)
		l.gateUp = t.matrix(n("ffn_up.weight"), c.Embd, 2*c.FF)
	} else {
		l.q = t.matrix(n("attn_q.weight"), c.Embd, qDim)
		l.k = t.matrix(n("attn_k.weight"), c.Embd, kvDim)
		l.v = t.matrix(n("attn_v.weight"), c.Embd, kvDim)
		l.gate = t.matrix(n("ffn_gate.weight"), c.Embd, c.FF)
		l.up = t.matrix(n("ffn_up.weight"), c.Embd, c.FF)
	}
	l.qBias = t.optVector(n("attn_q.bias"), qDim)
	l.kBias = t.optVector(n("attn_k.bias"), kvDim)
	l.vBias = t.optVector(n("attn_v.bias"), kvDim)
	l.o = t.matrix(n("attn_output.weight"), qDim, c.Embd)
	l.oBias = t.optVector(n("attn_output.bias"), c.Embd)
	l.down = t.matrix(n("ffn_down.weight"), c.FF, c.Embd)
	if c.a.qkNorm {
		l.qNorm = t.vector(n("attn_q_norm.weight"), c.HeadDim)
		l.kNorm = t.vector(n("attn_k_norm.weight"), c.HeadDim)
	}
	if c.a.postNorms {
		l.attnPostNorm = t.vector(n("post_attention_norm.weight"), c.Embd)
		l.ffnPostNorm = t.vector(n("post_ffw_norm.weight"), c.Embd)
	}
}
