// Package gptj runs GPT-J models in-process, in pure Go: it loads Hugging
// Face GPT-J folders (safetensors or PyTorch pytorch_model.bin checkpoints
// read by backend/torchfile, single or sharded, F32/F16/BF16) and legacy ggml GPT-J
// files (F32, F16, Q4_0, Q8_0), keeps the weights as F32, F16, Q8_0 or Q4_0
// (ggml block layouts), evaluates the model with a KV cache and samples
// text from it.
package gptj

import (
	"errors"
	"fmt"
	"time"

	"sidecar/backend/simd"
)

// Config is a model's shape.
type Config struct {
	NVocab int     `json:"n_vocab"`
	NCtx   int     `json:"n_ctx"`
	NEmbd  int     `json:"n_embd"`
	NHead  int     `json:"n_head"`
	NLayer int     `json:"n_layer"`
	NRot   int     `json:"n_rot"`
	Eps    float32 `json:"layer_norm_eps"`
}

// Limits on shapes a file may declare (far above GPT-J-6B: 50400 × 4096 ×
// 28 layers × 2048 context).
const (
	maxVocab = 1 << 20
	maxEmbd  = 1 << 15
	maxLayer = 256
	maxCtx   = 1 << 17
)

// ErrFormat is wrapped by every error about a malformed model file.
var ErrFormat = errors.New("gptj: malformed model")

func (c Config) validate() error {
	switch {
	case c.NVocab <= 0 || c.NVocab > maxVocab:
		return fmt.Errorf("%w: n_vocab %d out of range", ErrFormat, c.NVocab)
	case c.NEmbd <= 0 || c.NEmbd > maxEmbd:
		return fmt.Errorf("%w: n_embd %d out of range", ErrFormat, c.NEmbd)
	case c.NHead <= 0 || c.NEmbd%c.NHead != 0:
		return fmt.Errorf("%w: n_head %d does not divide n_embd %d", ErrFormat, c.NHead, c.NEmbd)
	case c.NLayer <= 0 || c.NLayer > maxLayer:
		return fmt.Errorf("%w: n_layer %d out of range", ErrFormat, c.NLayer)
	case c.NCtx <= 0 || c.NCtx > maxCtx:
		return fmt.Errorf("%w: n_ctx %d out of range", ErrFormat, c.NCtx)
	case c.NRot < 0 || c.NRot > c.NEmbd/c.NHead || c.NRot%2 != 0:
		return fmt.Errorf("%w: n_rot %d must be even and at most the head size %d", ErrFormat, c.NRot, c.NEmbd/c.NHead)
	}
	return nil
}

// HeadDim is the size of one attention head.
func (c Config) HeadDim() int { return c.NEmbd / c.NHead }

type layer struct {
	ln1W, ln1B    []float32
	q, k, v, out  *Matrix
	fcIn, fcOut   *Matrix
	fcInB, fcOutB []float32
}

// Model is a loaded GPT-J model.
type Model struct {
	Config    Config
	Format    string // "ggml", "huggingface safetensors" or "huggingface pytorch"
	FileType  string // weight type in the file: f32, f16, bf16, q8_0, q4_0
	WType     WType  // weight type in memory
	Tokenizer Tokenizer
	Template  string // prompt template, see DefaultTemplate

	wte        *Matrix
	layers     []layer
	lnfW, lnfB []float32
	lmHead     *Matrix
	lmHeadB    []float32
}

// DefaultTemplate is the prompt style of GPT-J instruction tunes
// (GPT4All-J); {prompt} is replaced by the user's text.
const DefaultTemplate = "### Prompt:\n{prompt}\n### Response:\n"

// Params counts the model's parameters.
func (m *Model) Params() int64 {
	c := m.Config
	per := int64(4*c.NEmbd*c.NEmbd) + int64(2*4*c.NEmbd*c.NEmbd) + int64(2*c.NEmbd+4*c.NEmbd+c.NEmbd)
	return int64(c.NVocab*c.NEmbd)*2 + int64(c.NVocab) + per*int64(c.NLayer) + int64(2*c.NEmbd)
}

// StreamedBytes is how many bytes of weights one generated token reads:
// every matrix but the embedding table, from which it takes one row.
func (m *Model) StreamedBytes() int64 {
	n := int64(len(m.lmHead.data)) + int64(rowBytes(m.wte.Type, m.wte.Cols))
	for i := range m.layers {
		l := &m.layers[i]
		for _, w := range []*Matrix{l.q, l.k, l.v, l.out, l.fcIn, l.fcOut} {
			n += int64(len(w.data))
		}
	}
	return n
}

// ReadFloor measures how long reading every weight a generated token
// needs takes on threads threads, with nothing else done: the memory
// bandwidth floor of generation on this machine, measured now (the
// benchmark reports generation against it, so a busy or slow machine
// shows in both figures). With fiveStreams false each thread reads one
// sequential stream (a plain read loop); with it true each reads five
// regions side by side, which keeps more reads in flight and is faster on
// some machines.
func (m *Model) ReadFloor(threads int, fiveStreams bool) time.Duration {
	parts := [][]byte{m.lmHead.data}
	for i := range m.layers {
		l := &m.layers[i]
		for _, w := range []*Matrix{l.q, l.k, l.v, l.out, l.fcIn, l.fcOut} {
			parts = append(parts, w.data)
		}
	}
	return simd.ReadTime(parts, threads, fiveStreams)
}
