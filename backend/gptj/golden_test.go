package gptj

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testdata = "../../../shared/testdata/gptj"

type golden struct {
	Cases []struct {
		Name        string      `json:"name"`
		Prompt      []int       `json:"prompt"`
		Greedy      []int       `json:"greedy"`
		LogitsSteps [][]float64 `json:"logits_steps"`
	} `json:"cases"`
}

func loadGolden(t *testing.T, name string) golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Skipf("reference data not found (%v): the shared folder must sit beside the repository", err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// check runs every golden case and returns the largest logit difference.
func check(t *testing.T, m *Model, g golden) (float64, int) {
	t.Helper()
	worst, mismatches := 0.0, 0
	for _, c := range g.Cases {
		s := m.NewState(0)
		logits, err := s.Eval(c.Prompt)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < len(c.Greedy); k++ {
			for i, want := range c.LogitsSteps[k] {
				worst = math.Max(worst, math.Abs(float64(logits[i])-want))
			}
			if argmax(logits) != c.Greedy[k] {
				mismatches++
			}
			if logits, err = s.Eval([]int{c.Greedy[k]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return worst, mismatches
}

func TestGoldenExactF32(t *testing.T) {
	g := loadGolden(t, "golden_exact_tinyA_f32.json")
	for _, path := range []string{"gptj-tinyA-f32.bin", "tinyA-hf"} {
		m, err := Load(filepath.Join(testdata, path), Options{WType: F32})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		worst, mism := check(t, m, g)
		t.Logf("%s vs exact golden: max |Δlogit| = %.2e, greedy mismatches %d", path, worst, mism)
		if worst > 1e-4 || mism != 0 {
			t.Errorf("%s: max diff %.2e, %d greedy mismatches", path, worst, mism)
		}
	}
}

func TestGoldenStock(t *testing.T) {
	for _, c := range []struct {
		golden, file string
		wt           WType
	}{
		{"golden_tinyA_f32.json", "gptj-tinyA-f32.bin", F32},
		{"golden_tinyA_f16.json", "gptj-tinyA-f16.bin", F16},
		{"golden_tinyA_f32.json", "tinyA-hf", F32},
	} {
		g := loadGolden(t, c.golden)
		m, err := Load(filepath.Join(testdata, c.file), Options{WType: c.wt})
		if err != nil {
			t.Fatal(err)
		}
		worst, mism := check(t, m, g)
		t.Logf("%s (%s) vs %s: max |Δlogit| = %.2e, greedy mismatches %d", c.file, c.wt, c.golden, worst, mism)
		if worst > 2e-3 {
			t.Errorf("%s vs %s: max diff %.2e", c.file, c.golden, worst)
		}
	}
}

// mapsFiles reports whether this platform memory-maps model files.
func mapsFiles(t *testing.T) bool {
	t.Helper()
	path := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(path, []byte("probe"), 0o644); err != nil {
		t.Fatal(err)
	}
	fm, err := mapFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unmap(fm)
	return fm.mapped
}

// TestFileTypeWeights checks that files loaded in their own type keep
// their F16/F32 rows (KeepFileType too, for folders): read from the file
// into the matrices' own memory where the file is mapped, used from the
// read buffer in place where it is read whole; and that the model
// computes exactly what one with weights copied from a buffer does.
func TestFileTypeWeights(t *testing.T) {
	for _, c := range []struct {
		file string
		wt   WType
	}{{"gptj-tinyA-f16.bin", F16}, {"gptj-tinyA-f32.bin", F32}, {"tinyA-hf", F32}, {torchF32, F32}, {torchSharded, F16}} {
		path := filepath.Join(testdata, c.file)
		if strings.HasPrefix(c.file, "testdata/") { // this package's own
			path = c.file
		}
		if _, err := os.Stat(path); err != nil {
			t.Skip(err)
		}
		m, err := Load(path, Options{WType: KeepFileType})
		if err != nil {
			t.Fatal(err)
		}
		if m.WType != c.wt {
			t.Errorf("%s kept as %s, want %s", c.file, m.WType, c.wt)
		}
		want := 0 // matrices using the file's bytes in place
		if !mapsFiles(t) {
			want = 2 + 6*m.Config.NLayer
		}
		if _, in := weightBytesOf(m); in != want {
			t.Errorf("%s: %d matrices in place, want %d", c.file, in, want)
		}
		if !strings.HasSuffix(c.file, ".bin") {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		copied, err := loadGGML(data, c.wt) // no mapping: the rows are copied
		if err != nil {
			t.Fatal(err)
		}
		if _, in := weightBytesOf(copied); in != 0 {
			t.Fatalf("%d matrices refer to a buffer that may be reused", in)
		}
		a, errA := m.NewState(16).Eval([]int{1, 7, 42, 3})
		b, errB := copied.NewState(16).Eval([]int{1, 7, 42, 3})
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: logit %d is %v loaded from the file, %v copied", c.file, i, a[i], b[i])
			}
		}
	}
}
