package ggufrt

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sidecar/backend/gguf"
	"sidecar/backend/ggufrt/ggufrttest"
	"sidecar/backend/models"
	"sidecar/backend/tokenizer"
)

// qwen25Added are the tokens Qwen2.5 (and Qwen2.5-Coder) add after the
// Qwen2 vocabulary, from <|object_ref_start|> (151646) on, with their
// token types in the GGUF files llama.cpp's converter writes.
var qwen25Added = []struct {
	text string
	typ  int32
}{
	{"<|object_ref_start|>", 3}, {"<|object_ref_end|>", 3}, {"<|box_start|>", 3}, {"<|box_end|>", 3},
	{"<|quad_start|>", 3}, {"<|quad_end|>", 3}, {"<|vision_start|>", 3}, {"<|vision_end|>", 3},
	{"<|vision_pad|>", 3}, {"<|image_pad|>", 3}, {"<|video_pad|>", 3}, {"<tool_call>", 4}, {"</tool_call>", 4},
	{"<|fim_prefix|>", 3}, {"<|fim_middle|>", 3}, {"<|fim_suffix|>", 3}, {"<|fim_pad|>", 3}, {"<|repo_name|>", 3}, {"<|file_sep|>", 3},
}

// qwenCoderTokenizer is llama.cpp's Qwen2 test vocabulary with the
// tokens Qwen2.5-Coder adds, so its FIM tokens have their real ids.
func qwenCoderTokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	zr, err := os.Open("../tokenizer/testdata/ggml-vocab-qwen2.gguf.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	r, err := gzip.NewReader(zr)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tokenizer.VocabFromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	// The file is padded to 151936 entries, as converted models are.
	if len(v.Tokens) != 151936 || v.Tokens[151645] != "<|im_end|>" {
		t.Fatalf("the Qwen2 vocabulary has %d tokens", len(v.Tokens))
	}
	for i, a := range qwen25Added {
		v.Tokens[151646+i], v.Types[151646+i] = a.text, a.typ
	}
	tok, err := tokenizer.New(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The FIM prompt in tokens, as llama.cpp's infill builds it for
// Qwen2.5-Coder: <|fim_prefix|> 151659, <|fim_suffix|> 151661,
// <|fim_middle|> 151660 (the ids of Qwen2.5's tokenizer.json), no BOS
// (the vocabulary adds none), and prefix and suffix in the ids
// llama.cpp's tokenizer gives them (ggml-vocab-qwen2.gguf.out:
// "Hello world" is 9707 1879, "Hello, world!" 9707 11 1879 0).
func TestFIMTokensAsLlamaCpp(t *testing.T) {
	tok := qwenCoderTokenizer(t)
	ids, err := fimTokens(tok, "Hello world", "Hello, world!")
	if err != nil {
		t.Fatal(err)
	}
	want := []int{151659, 9707, 1879, 151661, 9707, 11, 1879, 0, 151660}
	if !slices.Equal(ids, want) {
		t.Fatalf("FIM prompt %v, want %v", ids, want)
	}
	// Special-token text in the user's code stays text: the only
	// <|fim_middle|> is the one that ends the prompt.
	ids, err = fimTokens(tok, "a<|fim_middle|>", "")
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(ids, 151660); i != len(ids)-1 || len(ids) < 5 {
		t.Fatalf("a prefix holding <|fim_middle|> gave %v", ids)
	}
	plain, err := tokenizer.FromGGUF(mustOpen(t, testModel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fimTokens(plain, "a", "b"); !errors.Is(err, ErrNoFIM) {
		t.Fatalf("a vocabulary without FIM tokens: %v", err)
	}
}

func mustOpen(t *testing.T, path string) *gguf.File {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// qwenModel writes the qwen2 test model with Qwen's special tokens and
// the template named, and loads it answering with script.
func qwenModel(t *testing.T, template string, script func(string) string) models.Model {
	t.Helper()
	path := filepath.Join(t.TempDir(), "qwen.gguf")
	if err := ggufrttest.Qwen(path, template); err != nil {
		t.Fatal(err)
	}
	m, err := Runtime{Script: script}.Load(context.Background(), path, models.LoadOptions{ContextSize: 2048, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// Infill on a loaded model: the prompt the engine evaluates is the FIM
// layout with the file's FIM tokens, and the answer is what it generates.
// (The test vocabulary is SentencePiece without BOS and space prefix.)
func TestInfill(t *testing.T) {
	var prompt string
	m := qwenModel(t, "", func(p string) string { prompt = p; return "    c = a + b<|im_end|>ignored" })
	if !m.Info().Capabilities.FillInMiddle {
		t.Fatal("a model with FIM tokens does not report fill in the middle")
	}
	var out bytes.Buffer
	use, err := m.(models.Infiller).Infill(context.Background(), "def add(a, b):\n", "\n    return c\n", models.Sampling{MaxTokens: 20},
		func(s string) error { out.WriteString(s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := "<|fim_prefix|>def add(a, b):\n<|fim_suffix|>\n    return c\n<|fim_middle|>"; prompt != want {
		t.Fatalf("prompt %q, want %q", prompt, want)
	}
	if out.String() != "    c = a + b" || use.CompletionTokens == 0 {
		t.Fatalf("answer %q, usage %+v", out.String(), use)
	}
	if _, err := m.(models.Infiller).Infill(context.Background(), strings.Repeat("x ", 1100), "", models.Sampling{MaxTokens: 2}, func(string) error { return nil }); err == nil {
		t.Fatal("a FIM prompt longer than the context was accepted")
	}
}
