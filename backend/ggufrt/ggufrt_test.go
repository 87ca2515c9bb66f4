package ggufrt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/llm"
	"sidecar/backend/models"
)

const testModel = "../llama/testdata/qwen2-w64-f32.gguf"

func TestInspect(t *testing.T) {
	info, err := Runtime{}.Inspect(context.Background(), "../llama/testdata/phi3-w256-Q4_K_M.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "gguf" || info.Architecture != "phi3" || info.WeightType != "q4_k_m" || info.ContextMax != 256 || info.Params == 0 {
		t.Fatalf("info %+v", info)
	}
	other := filepath.Join(t.TempDir(), "model.bin")
	os.WriteFile(other, []byte("ggml0000"), 0o600)
	if _, err := (Runtime{}).Inspect(context.Background(), other); !errors.Is(err, models.ErrNotMine) {
		t.Fatalf("a non-GGUF file: %v", err)
	}
	b, _ := os.ReadFile(testModel)
	bad := filepath.Join(t.TempDir(), "bad.gguf")
	os.WriteFile(bad, []byte(strings.Replace(string(b), "qwen2", "mamba", 1)), 0o600)
	if _, err := (Runtime{}).Inspect(context.Background(), bad); err == nil || errors.Is(err, models.ErrNotMine) || !strings.Contains(err.Error(), `"mamba"`) {
		t.Fatalf("an unsupported architecture: %v", err)
	}
}

func load(t *testing.T, o models.LoadOptions) models.Model {
	t.Helper()
	m, err := Runtime{}.Load(context.Background(), testModel, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestLoadAndStream(t *testing.T) {
	var progress []float64
	m := load(t, models.LoadOptions{ContextSize: 128, Threads: 2, Progress: func(f float64) { progress = append(progress, f) }})
	if len(progress) == 0 || progress[len(progress)-1] != 1 {
		t.Fatalf("progress %v", progress)
	}
	p := models.Prompt{Messages: []llm.Message{{Role: llm.RoleSystem, Content: "Be brief."}, {Role: llm.RoleUser, Content: "hello there"}}}
	n, err := m.CountTokens(p)
	if err != nil || n < 3 {
		t.Fatalf("CountTokens = %d, %v", n, err)
	}
	var text strings.Builder
	use, err := m.Stream(context.Background(), p, models.Sampling{MaxTokens: 6}, func(s string) error { text.WriteString(s); return nil })
	if err != nil || use.CompletionTokens != 6 || use.PromptTokens < n {
		t.Fatalf("Stream: %+v, %v", use, err)
	}
	// The same prompt again, greedy, reuses the cache and gives the same text.
	var again strings.Builder
	if _, err := m.Stream(context.Background(), p, models.Sampling{MaxTokens: 6}, func(s string) error { again.WriteString(s); return nil }); err != nil {
		t.Fatal(err)
	}
	if text.String() == "" || again.String() != text.String() {
		t.Fatalf("greedy answers %q and %q", text.String(), again.String())
	}
	// A stop text ends the answer before it.
	stop := text.String()[len(text.String())/2:]
	var cut strings.Builder
	if _, err := m.Stream(context.Background(), p, models.Sampling{MaxTokens: 6, Stop: []string{stop}}, func(s string) error { cut.WriteString(s); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := text.String()[:strings.Index(text.String(), stop)]; cut.String() != want {
		t.Fatalf("with stop %q: %q, want %q", stop, cut.String(), want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Stream(ctx, p, models.Sampling{MaxTokens: 6}, func(string) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestLoadRefusals(t *testing.T) {
	if _, err := (Runtime{}).Load(context.Background(), testModel, models.LoadOptions{WeightType: "q8_0"}); err == nil {
		t.Fatal("an F32 file loaded as q8_0")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Runtime{}).Load(ctx, testModel, models.LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled load: %v", err)
	}
	m := load(t, models.LoadOptions{ContextSize: 8})
	long := models.Prompt{Messages: []llm.Message{{Role: llm.RoleUser, Content: strings.Repeat("word ", 20)}}}
	if _, err := m.Stream(context.Background(), long, models.Sampling{MaxTokens: 2}, func(string) error { return nil }); err == nil {
		t.Fatal("a prompt longer than the context was accepted")
	}
}
