package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/ggufrt/ggufrttest"
	"sidecar/backend/llama"
)

const llamaData = "../llama/testdata/"

func TestModelEvalGGUF(t *testing.T) {
	b, err := os.ReadFile(llamaData + "qwen3-w64-f32.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Tokens []int       `json:"tokens"`
		Logits [][]float64 `json:"logits"`
		Greedy []int       `json:"greedy"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	toks := make([]string, len(g.Tokens))
	for i, x := range g.Tokens {
		toks[i] = itoa(x)
	}
	var out bytes.Buffer
	err = runModel(context.Background(), Env{Args: []string{"eval", "--model", llamaData + "qwen3-w64-f32.gguf",
		"--tokens", strings.Join(toks, ","), "--steps", "4", "--cache", "f32"}, Stdout: &out, Stderr: &out}) // llama.cpp's run had an F32 cache
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Greedy      []int       `json:"greedy"`
		LogitsSteps [][]float64 `json:"logits_steps"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 4; k++ {
		if got.Greedy[k] != g.Greedy[k] {
			t.Fatalf("greedy %v, llama.cpp %v", got.Greedy, g.Greedy[:4])
		}
	}
	last := g.Logits[len(g.Logits)-1] // the prompt's last position, fed without BOS
	for i, w := range last {
		if d := math.Abs(got.LogitsSteps[0][i] - w); d > 1e-3 {
			t.Fatalf("logit %d: %g, llama.cpp %g", i, got.LogitsSteps[0][i], w)
		}
	}
	err = runModel(context.Background(), Env{Args: []string{"eval", "--model", llamaData + "qwen3-w64-f32.gguf",
		"--tokens", "1,2", "--cache", "q8"}, Stdout: &out, Stderr: &out})
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "--cache") {
		t.Fatalf("--cache q8: %v", err)
	}
}

func TestModelInfoGGUF(t *testing.T) {
	var out bytes.Buffer
	if err := runModel(context.Background(), Env{Args: []string{"info", llamaData + "phi3-w256-Q4_K_M.gguf"}, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GGUF v3", "architecture:  phi3", "supported:     yes", "Q4_K ×", "context:       256", "fim:           no\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("info does not say %q:\n%s", want, out.String())
		}
	}
	// FIM tokens found by their text (the file names none), as the
	// runtime finds them.
	qwen := filepath.Join(t.TempDir(), "qwen.gguf")
	if err := ggufrttest.Qwen(qwen, ""); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runModel(context.Background(), Env{Args: []string{"info", qwen}, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if want := "fim:           yes (prefix 285, suffix 284, middle 283)\n"; !strings.Contains(out.String(), want) {
		t.Errorf("info does not say %q:\n%s", want, out.String())
	}
}

func TestModelBenchGGUF(t *testing.T) {
	var out bytes.Buffer
	err := runModel(context.Background(), Env{Args: []string{"bench", "--model", llamaData + "llama-w256-Q4_K.gguf", "--wtype", "q8_0"}, Stdout: &out})
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "--wtype does not apply") {
		t.Fatalf("--wtype with a GGUF file: %v", err)
	}
	out.Reset()
	err = runModel(context.Background(), Env{Args: []string{"bench", "--model", llamaData + "llama-w256-Q4_K.gguf",
		"--prompt", "8", "--gen", "2", "--runs", "1"}, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res["wtype"] != "Q4_K" || res["gen_ms_per_token"].(float64) <= 0 || res["peak_rss_mib"].(float64) <= 0 {
		t.Fatalf("bench printed %v", res)
	}
}

// TestModelBenchCtxFill checks that --ctx-fill measures after that many
// cached positions (the state holds them as well as prompt and generation),
// without a warm-up run when --warmup is 0, and with the speed of
// generation without them measured in the same runs, and that the JSON
// reports the F16 cache's size.
func TestModelBenchCtxFill(t *testing.T) {
	path := llamaData + "llama-w256-Q4_K.gguf"
	var out bytes.Buffer
	err := runModel(context.Background(), Env{Args: []string{"bench", "--model", path, "--ctx-fill", "-1"}, Stdout: &out})
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("--ctx-fill -1: %v", err)
	}
	err = runModel(context.Background(), Env{Args: []string{"bench", "--model", path,
		"--ctx-fill", "40", "--prompt", "8", "--gen", "2", "--runs", "1", "--warmup", "0"}, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	m, err := llama.Load(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := m.Config
	want := float64(2*c.Layers*(40+8+2+1)*c.KVHeads*c.HeadDim*2) / (1 << 20)
	unfilled, _ := res["gen_ms_per_token_unfilled"].(float64)
	ratio, _ := res["gen_filled_vs_unfilled"].(float64)
	if unfilled <= 0 || math.Abs(ratio-res["gen_ms_per_token"].(float64)/unfilled) > 1e-9 {
		t.Fatalf("generation without the filled positions: %v ms, ratio %v", res["gen_ms_per_token_unfilled"], res["gen_filled_vs_unfilled"])
	}
	if res["ctx_fill"] != 40.0 || res["ctx_fill_ms"].(float64) <= 0 || res["read_floor_ms"].(float64) <= 0 || res["kv_cache"] != "f16" || res["kv_cache_mib"] != want ||
		!strings.Contains(res["kernels"].(string), "attn:") {
		t.Fatalf("bench printed %v (want a cache of %g MiB)", res, want)
	}
}

func TestGenerateGGUF(t *testing.T) {
	var out bytes.Buffer
	args := []string{"--model", llamaData + "qwen2-w64-f32.gguf", "--prompt", "hello", "--max-tokens", "4", "--temperature", "0"}
	if err := runGenerate(context.Background(), Env{Args: args, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	first := out.String()
	out.Reset()
	if err := runGenerate(context.Background(), Env{Args: append(args, "--raw"), Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(first) == "" || strings.TrimSpace(out.String()) == "" {
		t.Fatalf("no text: %q, raw %q", first, out.String())
	}
	err := runGenerate(context.Background(), Env{Args: append(args, "--wtype", "f16"), Stdout: &out})
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("--wtype with a GGUF file: %v", err)
	}
}
