package chattmpl

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"sidecar/backend/gguf"
)

func openFixture(t *testing.T, name string) *gguf.File {
	t.Helper()
	gz, err := os.ReadFile("../tokenizer/testdata/ggml-vocab-" + name + ".gguf.gz")
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFromGGUF(t *testing.T) {
	tmpl, err := FromGGUF(openFixture(t, "phi-3"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render(Input{Messages: []Message{{Role: "user", Content: "Hi"}}, AddGenerationPrompt: true, BOS: "<s>", EOS: "<|endoftext|>"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "<|user|>\nHi<|end|>\n<|assistant|>\n") {
		t.Fatalf("phi-3 render: %q", got)
	}
	if _, err := FromGGUF(openFixture(t, "llama-spm")); !errors.Is(err, ErrNoTemplate) {
		t.Fatalf("a file without a template: got %v, want ErrNoTemplate", err)
	}
}
