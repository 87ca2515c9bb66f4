package gptj

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"sidecar/backend/torchfile"
)

// The PyTorch fixtures hold model A's weights (../shared/testdata/gptj)
// as torch.save wrote them (backend/torchfile/testdata/gen.py): F32 in
// one pytorch_model.bin, and F16 in two shards with their index, each
// with the attn.bias / attn.masked_bias buffers of a real GPT-J state dict.
const (
	torchF32     = "testdata/tinyA-torch"
	torchSharded = "testdata/tinyA-torch-f16-sharded"
)

// TestTorchCheckpointsMatchGolden checks the engine fed from PyTorch
// checkpoints against the independent ggml reference, with the
// tolerances of the other golden tests.
func TestTorchCheckpointsMatchGolden(t *testing.T) {
	for _, c := range []struct {
		golden, path string
		wt           WType
		tol          float64
	}{
		{"golden_exact_tinyA_f32.json", torchF32, F32, 1e-4},
		{"golden_exact_tinyA_f32.json", torchF32 + "/pytorch_model.bin", F32, 1e-4},
		{"golden_tinyA_f16.json", torchSharded, F16, 2e-3},
		{"golden_tinyA_f16.json", torchSharded + "/pytorch_model-00002-of-00002.bin", F16, 2e-3},
	} {
		g := loadGolden(t, c.golden)
		m, err := Load(c.path, Options{WType: c.wt})
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if m.Format != "huggingface pytorch" {
			t.Errorf("%s: format %q", c.path, m.Format)
		}
		worst, mism := check(t, m, g)
		t.Logf("%s (%s) vs %s: max |Δlogit| = %.2e, greedy mismatches %d", c.path, c.wt, c.golden, worst, mism)
		if worst > c.tol || (c.tol < 1e-3 && mism != 0) {
			t.Errorf("%s: max diff %.2e, %d greedy mismatches", c.path, worst, mism)
		}
	}
}

// TestTorchEqualsSafetensors: the same weights from pytorch_model.bin and
// from model.safetensors give the same logits, bit for bit, in every
// weight type (the conversion is the same tensor by tensor), and loading
// from the checkpoint allocates no more than from safetensors but for the
// zip directory and the pickle: no copy of the model is made on the way.
func TestTorchEqualsSafetensors(t *testing.T) {
	hf := filepath.Join(testdata, "tinyA-hf")
	if _, err := os.Stat(hf); err != nil {
		t.Skipf("reference data not found (%v)", err)
	}
	prompt := []int{72, 101, 108, 108, 111, 32, 71, 80, 84}
	for _, wt := range []WType{F32, F16, Q8_0, Q4_0} {
		var logits [2][]float32
		var alloc [2]uint64
		for i, path := range []string{hf, torchF32} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := Load(path, Options{WType: wt})
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			alloc[i] = after.TotalAlloc - before.TotalAlloc
			if logits[i], err = m.NewState(0).Eval(prompt); err != nil {
				t.Fatal(err)
			}
		}
		for j := range logits[0] {
			if logits[0][j] != logits[1][j] {
				t.Fatalf("%s: logit %d: safetensors %v, pytorch %v", wt, j, logits[0][j], logits[1][j])
			}
		}
		t.Logf("%s: allocated %d bytes from safetensors, %d from pytorch_model.bin (weights in F32: 531 KB)", wt, alloc[0], alloc[1])
		if alloc[1] > alloc[0]+128<<10 {
			t.Errorf("%s: loading the checkpoint allocated %d bytes more than safetensors", wt, alloc[1]-alloc[0])
		}
	}
}

// TestTorchInspect reads the config and the pickles only: a checkpoint
// whose weight bytes are damaged still inspects (and fails to load).
func TestTorchInspect(t *testing.T) {
	info, err := Inspect(torchSharded)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "huggingface pytorch" || info.FileType != "f16" || info.Config.NLayer != 2 || info.Params == 0 {
		t.Errorf("info = %+v", info)
	}
	dir := t.TempDir()
	copyFile(t, filepath.Join(torchF32, "config.json"), filepath.Join(dir, "config.json"))
	b, err := os.ReadFile(filepath.Join(torchF32, "pytorch_model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte in the middle of the first weight entry's data.
	i := strings.Index(string(b), "pytorch_model/data/0")
	b[i+len("pytorch_model/data/0")+200] ^= 0x55
	if err := os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := Inspect(dir); err != nil || info.FileType != "f32" {
		t.Fatalf("inspect: %+v, %v", info, err)
	}
	if _, err := Load(dir, Options{WType: Q8_0}); !errors.Is(err, torchfile.ErrFormat) || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("load of a damaged checkpoint: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHostileTorchFolders: checkpoints that would run code, a shard
// missing, an index pointing outside the folder, and a checkpoint with a
// tensor of the wrong shape are refused with errors that say so.
func TestHostileTorchFolders(t *testing.T) {
	mk := func(files map[string]string) string {
		dir := t.TempDir()
		copyFile(t, filepath.Join(torchF32, "config.json"), filepath.Join(dir, "config.json"))
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	evil, err := os.ReadFile("../torchfile/testdata/evil_system.pt")
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := os.ReadFile("../torchfile/testdata/legacy.pt")
	if err != nil {
		t.Fatal(err)
	}
	small, err := os.ReadFile("../torchfile/testdata/small.pt")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		dir   string
		is    error
		words string
	}{
		{"os.system", mk(map[string]string{"pytorch_model.bin": string(evil)}), torchfile.ErrNotAllowed, "posix.system"},
		{"missing shard", mk(map[string]string{"pytorch_model.bin.index.json": `{"weight_map":{"lm_head.weight":"pytorch_model-00001-of-00002.bin"}}`}), nil, "no such file"},
		{"index outside", mk(map[string]string{"pytorch_model.bin.index.json": `{"weight_map":{"lm_head.weight":"../x.bin"}}`}), ErrFormat, "outside the folder"},
		{"not a gpt-j state dict", mk(map[string]string{"pytorch_model.bin": string(small)}), ErrFormat, "missing"},
		{"no weights", mk(nil), ErrFormat, "no model.safetensors or pytorch_model.bin"},
		{"legacy format", mk(map[string]string{"pytorch_model.bin": string(legacy)}), torchfile.ErrLegacy, "legacy"},
	}
	for _, c := range cases {
		_, err := Load(c.dir, Options{WType: F32})
		if err == nil || (c.is != nil && !errors.Is(err, c.is)) || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	// Named as a file, a legacy checkpoint is recognised as PyTorch's, not taken for a ggml file.
	if _, err := Load(filepath.Join(cases[len(cases)-1].dir, "pytorch_model.bin"), Options{WType: F32}); !errors.Is(err, torchfile.ErrLegacy) {
		t.Errorf("legacy file: %v", err)
	}
}

func FuzzLoadTorch(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(torchSharded, "pytorch_model-00002-of-00002.bin")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Config{NVocab: 256, NCtx: 128, NEmbd: 64, NHead: 4, NLayer: 2, NRot: 8, Eps: 1e-5}
		b := newBuilder(cfg, Q4_0)
		if _, err := addTorch(b, "fuzz", &fileMap{data: data}, nil); err == nil {
			b.done()
		}
	})
}
