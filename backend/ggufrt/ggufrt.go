// Package ggufrt adapts the in-process GGUF engine (backend/llama) to the
// local-runtime interface of backend/models: inspect, load with progress
// and cancellation, the file's chat template (backend/chattmpl), its
// tokenizer (backend/tokenizer), stop tokens and fill-in-the-middle.
package ggufrt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"sidecar/backend/chattmpl"
	"sidecar/backend/gguf"
	"sidecar/backend/llama"
	"sidecar/backend/models"
	"sidecar/backend/tokenizer"
	"sidecar/backend/toolparse"
)

// Engine is the name stored with GGUF models.
const Engine = "gguf"

// defaultContext is the KV cache size when the settings give none.
const defaultContext = 4096

// Runtime runs GGUF models of the architectures backend/llama knows.
type Runtime struct {
	// Script is for tests of what surrounds the engine (tool calls,
	// reasoning, fill in the middle) with random-weight models: when set,
	// the answer's tokens are those of Script(prompt) instead of sampled
	// ones. The engine still evaluates the prompt and every answer token,
	// and the answer goes through the same decoding, stop texts and
	// parsing. prompt is the prompt's tokens as text, special ones shown.
	Script func(prompt string) string
}

var _ models.Runtime = Runtime{}

// Engine implements models.Runtime.
func (Runtime) Engine() string { return Engine }

// isGGUF reports whether path is a regular file with the GGUF magic.
func isGGUF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == gguf.Magic
}

// Inspect implements models.Runtime.
func (Runtime) Inspect(_ context.Context, path string) (models.Info, error) {
	if !isGGUF(path) {
		return models.Info{}, fmt.Errorf("ggufrt: %s: %w", path, models.ErrNotMine)
	}
	f, err := gguf.Open(path)
	if err != nil {
		return models.Info{}, err
	}
	defer f.Close()
	info, _, _, err := describe(f)
	return info, err
}

// describe builds the Info of an open file, with its tokenizer and template.
func describe(f *gguf.File) (models.Info, *tokenizer.Tokenizer, *chattmpl.Template, error) {
	d := llama.Describe(f)
	if !d.Supported {
		return models.Info{}, nil, nil, fmt.Errorf("ggufrt: architecture %q is not supported (this engine runs %s)", d.Arch, strings.Join(llama.Architectures(), ", "))
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return models.Info{}, nil, nil, fmt.Errorf("ggufrt: %w", err)
	}
	src, _ := f.StringOr("tokenizer.chat_template", "")
	tmpl, err := chattmpl.Parse(src)
	own := err == nil && src != ""
	if err != nil {
		tmpl = chattmpl.Fallback() // none, or one this engine cannot compile
	}
	info := models.Info{
		Format: "gguf", Architecture: d.Arch, WeightType: weightType(f, d), Params: d.Params,
		ContextMax: d.ContextLength, SizeBytes: d.Bytes, ChatTemplate: src, OwnTemplate: own,
		Capabilities: models.Capabilities{
			FillInMiddle: tok.FIM().OK(),
			// Tools only when the template shows them to the model and
			// the calls it teaches can be read back.
			ToolCalls: src != "" && tmpl.Capabilities().Tools && toolparse.Detect(src) != 0,
			Thinking:  src != "" && strings.Contains(src, "<think>"),
		},
	}
	return info, tok, tmpl, nil
}

// fileTypes are llama.cpp's names of general.file_type values.
var fileTypes = map[int64]string{0: "f32", 1: "f16", 2: "q4_0", 3: "q4_1", 7: "q8_0", 8: "q5_0", 9: "q5_1",
	10: "q2_k", 11: "q3_k_s", 12: "q3_k_m", 13: "q3_k_l", 14: "q4_k_s", 15: "q4_k_m", 16: "q5_k_s", 17: "q5_k_m",
	18: "q6_k", 25: "iq4_nl", 30: "iq4_xs", 32: "bf16"}

func weightType(f *gguf.File, d llama.Info) string {
	if n, err := f.Int("general.file_type"); err == nil {
		if s, ok := fileTypes[n]; ok {
			return s
		}
	}
	return strings.ToLower(d.FileType)
}

// Load implements models.Runtime. Weights stay as stored: a WeightType
// other than the stored one is refused rather than silently ignored.
func (r Runtime) Load(ctx context.Context, path string, o models.LoadOptions) (models.Model, error) {
	if !isGGUF(path) {
		return nil, fmt.Errorf("ggufrt: %s: %w", path, models.ErrNotMine)
	}
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	info, tok, tmpl, err := describe(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	if o.WeightType != "" && !strings.EqualFold(o.WeightType, info.WeightType) {
		f.Close()
		return nil, fmt.Errorf("ggufrt: weights are used as stored (%s); converting to %s is not supported", info.WeightType, o.WeightType)
	}
	progress := o.Progress
	if progress == nil {
		progress = func(float64) {}
	}
	m, err := llama.FromFile(ctx, f, progress)
	if err != nil {
		f.Close()
		return nil, err
	}
	if m.Vocab() < tok.Len() {
		m.Close()
		return nil, fmt.Errorf("ggufrt: the vocabulary has %d tokens but the embeddings only %d rows", tok.Len(), m.Vocab())
	}
	n := o.ContextSize
	if n <= 0 {
		n = defaultContext
	}
	if info.ContextMax > 0 {
		n = min(n, info.ContextMax)
	}
	progress(1)
	return &model{m: m, info: info, tok: tok, tmpl: tmpl, markers: markerTokens(tok), script: r.Script, ctxSize: n, threads: max(1, o.Threads)}, nil
}

// ErrClosed is returned by a model used after Close.
var ErrClosed = errors.New("ggufrt: model closed")
