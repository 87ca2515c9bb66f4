package llama

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/gguf"
	"sidecar/backend/sample"
)

func loadTest(t *testing.T, name string) *Model {
	t.Helper()
	m, err := Load(context.Background(), "testdata/"+name+".gguf", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func newTestState(t *testing.T, m *Model, ctx, threads int) *State {
	t.Helper()
	s, err := m.NewState(ctx, threads)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func maxDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestGenerateGreedy generates with temperature 0 and checks llama.cpp's
// greedy tokens, a stop token and the token limit.
func TestGenerateGreedy(t *testing.T) {
	g := readGolden(t, "testdata/qwen2-w64-f32.json")
	m := loadTest(t, "qwen2-w64-f32")
	s := newTestState(t, m, 64, 2)
	var got []int
	res, err := s.Generate(context.Background(), g.Tokens, GenerateOptions{MaxTokens: len(g.Greedy)}, func(tok int) error {
		got = append(got, tok)
		return nil
	})
	if err != nil || res.StoppedBy != "max_tokens" || !equalInts(got, g.Greedy) {
		t.Fatalf("got %v (%+v, %v), want %v", got, res, err, g.Greedy)
	}
	s.Reset()
	got = nil
	res, err = s.Generate(context.Background(), g.Tokens, GenerateOptions{MaxTokens: 50, Stop: []int{g.Greedy[3]}}, func(tok int) error {
		got = append(got, tok)
		return nil
	})
	if err != nil || res.StoppedBy != "eos" || !equalInts(got, g.Greedy[:3]) {
		t.Fatalf("with stop token %d: %v (%+v, %v)", g.Greedy[3], got, res, err)
	}
	s.Reset()
	sampled, err := s.Generate(context.Background(), g.Tokens, GenerateOptions{MaxTokens: 5,
		Sampling: sample.Sampling{Temperature: 1, TopK: 20, Seed: 4}}, func(int) error { return ErrStop })
	if err != nil || sampled.StoppedBy != "callback" || sampled.CompletionTokens != 1 {
		t.Fatalf("callback stop: %+v, %v", sampled, err)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCacheReuse checks that a prompt evaluated in pieces, one token at a
// time, after a truncation or with one thread gives the logits of the
// whole prompt at once.
func TestCacheReuse(t *testing.T) {
	g := readGolden(t, "testdata/gemma3-w64-f32.json")
	m := loadTest(t, "gemma3-w64-f32")
	whole := newTestState(t, m, 32, 2)
	want, err := whole.Eval(context.Background(), g.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	want = append([]float32(nil), want...)
	s := newTestState(t, m, 32, 1)
	for _, tok := range g.Tokens {
		if _, err := s.Eval(context.Background(), []int{tok}); err != nil {
			t.Fatal(err)
		}
	}
	if d := maxDiff(s.PositionLogits(0), want); d > 1e-5 {
		t.Errorf("token by token: max |Δ| %g", d)
	}
	s.Truncate(5)
	if s.Len() != 5 || len(s.Tokens()) != 5 {
		t.Fatalf("after Truncate(5): %d positions", s.Len())
	}
	got, err := s.Eval(context.Background(), g.Tokens[5:])
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(got, want); d > 1e-5 {
		t.Errorf("after truncation: max |Δ| %g", d)
	}
}

func TestEvalLimits(t *testing.T) {
	m := loadTest(t, "llama-w64-f32")
	s := newTestState(t, m, 8, 2)
	if _, err := s.Eval(context.Background(), make([]int, 9)); !errors.Is(err, ErrContextFull) {
		t.Fatalf("9 tokens in a context of 8: %v", err)
	}
	if _, err := s.Eval(context.Background(), []int{m.Vocab()}); err == nil {
		t.Fatal("a token outside the vocabulary was evaluated")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Eval(ctx, []int{1, 2}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled eval: %v", err)
	}
	if _, err := m.NewState(0, 1); err == nil {
		t.Fatal("a context of 0 positions")
	}
}

// patched writes a copy of a test model with one byte string replaced.
func patched(t *testing.T, name, old, new string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".gguf")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(old))
	if i < 0 || len(old) != len(new) {
		t.Fatalf("cannot patch %q", old)
	}
	copy(b[i:], new)
	p := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name, model, old, new, want string
	}{
		// The architecture value follows its key, a type and a length.
		{"unknown architecture", "qwen2-w64-f32", "general.architecture\x08\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00qwen2", "general.architecture\x08\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00mamba", `architecture "mamba"`},
		{"missing tensor", "llama-w64-f32", "blk.1.ffn_up.weight", "blk.1.ffn_uq.weight", "blk.1.ffn_up.weight is missing"},
		{"missing key", "llama-w64-f32", "llama.block_count", "llama.block_cnnnt", "missing key llama.block_count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(context.Background(), patched(t, c.model, c.old, c.new), nil)
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want ErrFormat saying %q", err, c.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, "testdata/llama-w64-f32.gguf", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled load: %v", err)
	}
}

func TestLoadProgress(t *testing.T) {
	var got []float64
	m, err := Load(context.Background(), "testdata/llama-w64-f32.gguf", func(f float64) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if len(got) != 2 || got[1] != 1 {
		t.Fatalf("progress %v", got)
	}
}

// TestSlidingPatternArray reads the per-layer form of the sliding-window
// pattern, and refuses one that does not cover every layer.
func TestSlidingPatternArray(t *testing.T) {
	f, err := gguf.Open("testdata/gemma3-w64-f32.gguf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range f.KV {
		if f.KV[i].Key == "gemma3.attention.sliding_window_pattern" {
			f.KV[i].Type, f.KV[i].Value = gguf.TypeArray, gguf.Array{Elem: gguf.TypeBool, Values: []bool{false, true}}
		}
	}
	c, err := readConfig(f)
	if err != nil || c.Sliding[0] || !c.Sliding[1] {
		t.Fatalf("sliding %v, %v", c.Sliding, err)
	}
	for i := range f.KV {
		if f.KV[i].Key == "gemma3.attention.sliding_window_pattern" {
			f.KV[i].Value = gguf.Array{Elem: gguf.TypeBool, Values: []bool{true}}
		}
	}
	if _, err := readConfig(f); err == nil {
		t.Fatal("a pattern of one flag for two layers was accepted")
	}
}
