package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vocabFixture writes one of the tokenizer's llama.cpp vocabulary
// fixtures to a temporary GGUF file.
func vocabFixture(t *testing.T, name string) string {
	t.Helper()
	gz, err := os.ReadFile("../tokenizer/testdata/ggml-vocab-" + name + ".gguf.gz")
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".gguf")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The ids are those llama.cpp's llama-tokenize prints with its defaults
// (../tokenizer/testdata/hard_golden.json).
func TestModelTokenize(t *testing.T) {
	cases := []struct {
		vocab, text, want string
	}{
		{"qwen2", "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n", "[151644,872,198,13048,1052,151645,198,151644,77091,198]"},
		{"llama-spm", "<s>[INST] Hello [/INST] Hi</s><s>[INST] again [/INST]", "[1,1,518,25580,29962,15043,518,29914,25580,29962,6324,2,1,518,25580,29962,1449,518,29914,25580,29962]"},
		{"llama-spm", "", "[1]"},
	}
	for _, c := range cases {
		model := vocabFixture(t, c.vocab)
		var out bytes.Buffer
		if err := runModel(context.Background(), Env{Args: []string{"tokenize", "--model", model, "--text", c.text}, Stdout: &out}); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out.String()); got != c.want {
			t.Errorf("%s %q: got %s, want %s", c.vocab, c.text, got, c.want)
		}
		file := filepath.Join(t.TempDir(), "in.txt")
		if err := os.WriteFile(file, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := runModel(context.Background(), Env{Args: []string{"tokenize", "--model", model, "--file", file}, Stdout: &out}); err != nil {
			t.Fatal(err)
		}
		var ids []int
		if err := json.Unmarshal(out.Bytes(), &ids); err != nil || strings.TrimSpace(out.String()) != c.want {
			t.Errorf("--file: got %s (%v), want %s", out.String(), err, c.want)
		}
	}
}

func TestModelTokenizeRefusesBadUse(t *testing.T) {
	model := vocabFixture(t, "llama-spm")
	for _, args := range [][]string{
		{"tokenize", "--text", "x"},
		{"tokenize", "--model", model},
		{"tokenize", "--model", model, "--text", "x", "--file", "y"},
	} {
		err := runModel(context.Background(), Env{Args: args, Stdout: &bytes.Buffer{}})
		if !errors.Is(err, ErrUsage) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
	notGGUF := filepath.Join(t.TempDir(), "x.gguf")
	os.WriteFile(notGGUF, []byte("not a model"), 0o600)
	if err := runModel(context.Background(), Env{Args: []string{"tokenize", "--model", notGGUF, "--text", "x"}, Stdout: &bytes.Buffer{}}); err == nil {
		t.Error("a file that is not GGUF was accepted")
	}
	big := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 64<<20+1); err != nil {
		t.Fatal(err)
	}
	err := runModel(context.Background(), Env{Args: []string{"tokenize", "--model", model, "--file", big}, Stdout: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("an oversized file: got %v", err)
	}
}
