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

	"sidecar/backend/gptj"
)

const gptjData = "../../../shared/testdata/gptj"

func TestModelEvalMatchesGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(gptjData, "golden_exact_tinyA_f32.json"))
	if err != nil {
		t.Skipf("reference data not found: %v", err)
	}
	var g struct {
		Cases []struct {
			Prompt      []int       `json:"prompt"`
			Greedy      []int       `json:"greedy"`
			LogitsSteps [][]float64 `json:"logits_steps"`
		} `json:"cases"`
	}
	json.Unmarshal(b, &g)
	c := g.Cases[1]
	toks := make([]string, len(c.Prompt))
	for i, x := range c.Prompt {
		toks[i] = itoa(x)
	}
	// The legacy ggml file and a Hugging Face folder of PyTorch checkpoints.
	for _, path := range []string{filepath.Join(gptjData, "gptj-tinyA-f32.bin"), "../gptj/testdata/tinyA-torch"} {
		var out bytes.Buffer
		err = runModel(context.Background(), Env{Args: []string{"eval", "--model", path,
			"--tokens", strings.Join(toks, ","), "--steps", "16"}, Stdout: &out, Stderr: &out})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Greedy      []int       `json:"greedy"`
			LogitsSteps [][]float64 `json:"logits_steps"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%s: not one JSON object: %v\n%s", path, err, out.String())
		}
		if len(got.Greedy) != 16 || len(got.LogitsSteps) != 16 {
			t.Fatalf("%s: shape: %d greedy, %d steps", path, len(got.Greedy), len(got.LogitsSteps))
		}
		worst := 0.0
		for k := range got.Greedy {
			if got.Greedy[k] != c.Greedy[k] {
				t.Fatalf("%s: greedy[%d] = %d, want %d", path, k, got.Greedy[k], c.Greedy[k])
			}
			for i := range c.LogitsSteps[k] {
				worst = math.Max(worst, math.Abs(got.LogitsSteps[k][i]-c.LogitsSteps[k][i]))
			}
		}
		if worst > 1e-4 {
			t.Fatalf("%s: max diff %.2e", path, worst)
		}
	}
}

func TestModelInfoTorchCheckpoint(t *testing.T) {
	var out bytes.Buffer
	if err := runModel(context.Background(), Env{Args: []string{"info", "../gptj/testdata/tinyA-torch-f16-sharded"}, Stdout: &out, Stderr: &out}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"format:      huggingface pytorch", "weight type: f16", "n_layer 2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("info lacks %q:\n%s", want, out.String())
		}
	}
}

func itoa(x int) string {
	b, _ := json.Marshal(x)
	return string(b)
}

func TestModelInfoAndGenerate(t *testing.T) {
	path := filepath.Join(gptjData, "gptj-tinyA-f16.bin")
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	var out bytes.Buffer
	if err := runModel(context.Background(), Env{Args: []string{"info", path}, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"format:      ggml", "weight type: f16", "n_embd 64", "n_layer 2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("info lacks %q:\n%s", want, out.String())
		}
	}
	gen := func(seed string) string {
		var o bytes.Buffer
		err := runGenerate(context.Background(), Env{Args: []string{"--model", path, "--prompt", "hello", "--max-tokens", "8", "--temperature", "0.9", "--seed", seed}, Stdout: &o})
		if err != nil {
			t.Fatal(err)
		}
		return o.String()
	}
	if a, b := gen("3"), gen("3"); a != b || len(a) == 0 {
		t.Fatalf("same seed: %q vs %q", a, b)
	}
	if err := runModel(context.Background(), Env{Args: []string{"info", "/nonexistent"}, Stdout: &out}); err == nil {
		t.Fatal("missing file accepted")
	}
	if err := runGenerate(context.Background(), Env{Args: []string{"--model", path}, Stdout: &out}); !errors.Is(err, ErrUsage) {
		t.Fatalf("no prompt: %v", err)
	}
}

func TestModelBenchPrintsFigures(t *testing.T) {
	path := filepath.Join(gptjData, "gptj-tinyA-f32.bin")
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	var out bytes.Buffer
	if err := runModel(context.Background(), Env{Args: []string{"bench", "--model", path, "--wtype", "q8_0", "--prompt", "4", "--gen", "4", "--runs", "1"}, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	for _, k := range []string{"prompt_ms_per_token", "gen_ms_per_token", "peak_rss_mib", "load_ms"} {
		if v, ok := r[k].(float64); !ok || v <= 0 {
			t.Errorf("%s = %v", k, r[k])
		}
	}
	if err := runModel(context.Background(), Env{Args: []string{"bench"}, Stdout: &out}); !errors.Is(err, ErrUsage) {
		t.Errorf("bench without a model: %v", err)
	}
}

// TestModelBenchMeasuresTheFileType checks bench measures a file's own
// weight type unless --wtype says otherwise, and says which it measured.
func TestModelBenchMeasuresTheFileType(t *testing.T) {
	dir := t.TempDir()
	q4 := filepath.Join(dir, "q4.bin")
	tiny := gptj.Config{NVocab: 64, NCtx: 32, NEmbd: 64, NHead: 4, NLayer: 2, NRot: 8, Eps: 1e-5}
	if err := gptj.WriteRandomFile(q4, tiny, gptj.Q4_0, 1); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, args := range [][]string{{"--shape", "6b2l", "--wtype", "q4_0", "--out", q4}, {"--shape", "7b", "--wtype", "q4_0", "--out", q4 + "2"},
		{"--shape", "6b2l", "--wtype", "q5", "--out", q4 + "2"}, {"--shape", "6b2l", "--wtype", "q4_0"}} {
		if err := runModel(context.Background(), Env{Args: append([]string{"write-random"}, args...), Stdout: &out}); !errors.Is(err, ErrUsage) {
			t.Errorf("write-random %v: %v", args, err)
		}
	}
	if _, err := os.Stat(q4 + "2"); err == nil {
		t.Error("a refused write-random left a file")
	}
	f16 := filepath.Join(gptjData, "gptj-tinyA-f16.bin")
	if _, err := os.Stat(f16); err != nil {
		t.Skip(err)
	}
	for _, c := range []struct {
		args           []string
		wtype, fileTyp string
	}{
		{[]string{"--model", f16}, "f16", "f16"},
		{[]string{"--model", f16, "--wtype", "q8_0"}, "q8_0", "f16"},
		{[]string{"--model", filepath.Join(gptjData, "gptj-tinyA-f32.bin")}, "f32", "f32"},
		{[]string{"--model", q4}, "q4_0", "q4_0"},
	} {
		out.Reset()
		args := append([]string{"bench", "--prompt", "2", "--gen", "2", "--runs", "1"}, c.args...)
		if err := runModel(context.Background(), Env{Args: args, Stdout: &out}); err != nil {
			t.Fatal(err)
		}
		var r struct {
			WType    string `json:"wtype"`
			FileType string `json:"file_type"`
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, out.String())
		}
		if r.WType != c.wtype || r.FileType != c.fileTyp {
			t.Errorf("bench %v measured %s weights of a %s file, want %s of %s", c.args, r.WType, r.FileType, c.wtype, c.fileTyp)
		}
	}
}
