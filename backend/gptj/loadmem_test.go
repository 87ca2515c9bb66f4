package gptj

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"sidecar/backend/procmem"
)

// memShape is large enough for the resident set to show a model's size
// (F16 268 MB, Q4_0 75 MB) and small enough to write in a few seconds.
var memShape = Config{NVocab: 16384, NCtx: 256, NEmbd: 1024, NHead: 8, NLayer: 8, NRot: 32, Eps: 1e-5}

// loadMem is what the child process reports: its resident memory just
// before Load, its peak during it, and the model's weight bytes.
type loadMem struct {
	Before, Peak, Weights int64
	InPlace               int
}

// weightBytesOf is the memory the model's weights take: matrices (wherever
// they are: a file's read buffer or their own) and float32 vectors; and
// how many matrices use a file's bytes in place.
func weightBytesOf(m *Model) (total int64, inPlace int) {
	mats := []*Matrix{m.wte, m.lmHead}
	vecs := [][]float32{m.lnfW, m.lnfB, m.lmHeadB}
	for i := range m.layers {
		l := &m.layers[i]
		mats = append(mats, l.q, l.k, l.v, l.out, l.fcIn, l.fcOut)
		vecs = append(vecs, l.ln1W, l.ln1B, l.fcInB, l.fcOutB)
	}
	for _, x := range mats {
		total += int64(len(x.data))
		if x.file != nil {
			inPlace++
		}
	}
	for _, v := range vecs {
		total += 4 * int64(len(v))
	}
	return total, inPlace
}

// TestLoadMemoryChild loads one file when run by TestLoadPeakMemory (in
// a process of its own, so the peak is this load's alone).
func TestLoadMemoryChild(t *testing.T) {
	path := os.Getenv("SIDECAR_GPTJ_LOADMEM_FILE")
	if path == "" {
		t.Skip("run by TestLoadPeakMemory")
	}
	wt, err := ParseWType(os.Getenv("SIDECAR_GPTJ_LOADMEM_WTYPE"))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	if err := procmem.ResetPeak(); err != nil {
		t.Fatal(err)
	}
	before := procmem.RSS()
	m, err := Load(path, Options{WType: wt})
	if err != nil {
		t.Fatal(err)
	}
	peak := procmem.PeakRSS()
	w, inPlace := weightBytesOf(m)
	b, _ := json.Marshal(loadMem{Before: before, Peak: peak, Weights: w, InPlace: inPlace})
	fmt.Printf("LOADMEM %s\n", b)
	runtime.KeepAlive(m)
}

// TestLoadPeakMemory checks that loading holds about the weights, not the
// file and the weights: F16 rows are read from the file into the
// matrices (the page cache is not resident in the process), and the
// pages of tensors that are converted (Q4_0 regrouped, F16 quantized to
// Q8_0) are handed back as they are read.
func TestLoadPeakMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident set from /proc")
	}
	if testing.Short() || raceEnabled {
		t.Skip("writes and loads 350 MB of model files")
	}
	dir := t.TempDir()
	files := map[WType]string{}
	for _, ft := range []WType{F16, Q4_0} {
		files[ft] = filepath.Join(dir, ft.String()+".bin")
		if err := WriteRandomFile(files[ft], memShape, ft, 1); err != nil {
			t.Fatal(err)
		}
	}
	// Slack over the weights: the Go runtime, the vocabulary, a row
	// buffer, the 8 MiB chunks of a tensor not yet handed back.
	const margin = 24 << 20
	for _, c := range []struct{ file, load WType }{{F16, F16}, {Q4_0, Q4_0}, {F16, Q8_0}} {
		t.Run(c.file.String()+"_as_"+c.load.String(), func(t *testing.T) {
			fi, err := os.Stat(files[c.file])
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestLoadMemoryChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "SIDECAR_GPTJ_LOADMEM_FILE="+files[c.file], "SIDECAR_GPTJ_LOADMEM_WTYPE="+c.load.String())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			_, js, ok := strings.Cut(string(out), "LOADMEM ")
			if !ok {
				t.Fatalf("child printed no figures:\n%s", out)
			}
			var r loadMem
			if err := json.Unmarshal([]byte(strings.SplitN(js, "\n", 2)[0]), &r); err != nil {
				t.Fatal(err)
			}
			grew := r.Peak - r.Before
			t.Logf("file %d MiB, weights %d MiB, resident before %d MiB, peak growth %d MiB, %d matrices in place",
				fi.Size()>>20, r.Weights>>20, r.Before>>20, grew>>20, r.InPlace)
			if grew > r.Weights+margin {
				t.Errorf("loading grew the resident set by %d MiB: more than the weights' %d MiB + %d MiB", grew>>20, r.Weights>>20, margin>>20)
			}
			// The figure measures the load: the weights are resident.
			if grew < r.Weights*9/10 {
				t.Errorf("peak growth %d MiB is below the weights' %d MiB: the measure is off", grew>>20, r.Weights>>20)
			}
			if r.InPlace != 0 { // the weights are the process's own memory
				t.Errorf("%d of %d matrices used from the file in place", r.InPlace, 2+6*memShape.NLayer)
			}
		})
	}
}

func TestWriteRandomFileLoads(t *testing.T) {
	c := Config{NVocab: 100, NCtx: 32, NEmbd: 64, NHead: 4, NLayer: 3, NRot: 8, Eps: 1e-5}
	for _, wt := range []WType{F32, F16, Q8_0, Q4_0} {
		path := filepath.Join(t.TempDir(), "m.bin")
		if err := WriteRandomFile(path, c, wt, 7); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path, Options{WType: KeepFileType})
		if err != nil {
			t.Fatalf("%s: %v", wt, err)
		}
		if m.WType != wt || m.FileType != wt.String() || m.Config != c {
			t.Errorf("%s file loaded as %s (file type %s), config %+v", wt, m.WType, m.FileType, m.Config)
		}
		if got := string(m.Tokenizer.Decode([]int{42})); got != "t42" {
			t.Errorf("token 42 is %q", got)
		}
		// Weights of the drawn spread (std 0.02), whatever the type.
		row := make([]float32, c.NEmbd)
		var sum2 float64
		for r := 0; r < c.NEmbd; r++ {
			m.layers[1].q.Row(r, row)
			for _, x := range row {
				sum2 += float64(x) * float64(x)
			}
		}
		if std := math.Sqrt(sum2 / float64(c.NEmbd*c.NEmbd)); std < 0.017 || std > 0.023 {
			t.Errorf("%s: weights' spread %.4f, want about 0.02", wt, std)
		}
	}
}
