package gptj

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
)

// Options control loading.
type Options struct {
	// WType is the weight type in memory; -1 keeps the file's (F32 files
	// become F32, F16/BF16 become F16, quantized stay quantized).
	WType WType
	// Progress, if set, is called as tensors load with the fraction done.
	Progress func(float64)
}

// KeepFileType is the WType that keeps a file's own weight type.
const KeepFileType WType = -1

// Load loads a Hugging Face GPT-J folder or a legacy ggml GPT-J file.
func Load(path string, o Options) (*Model, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("gptj: %w", err)
	}
	if fi.IsDir() {
		return loadHF(path, o.WType, o.Progress)
	}
	fm, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("gptj: %w", err)
	}
	defer unmap(fm) // now, or when the last matrix using it in place goes
	data := fm.data
	want := o.WType
	if want == KeepFileType && len(data) >= 32 {
		switch binary.LittleEndian.Uint32(data[28:]) % 1000 {
		case 1:
			want = F16
		case 2:
			want = Q4_0
		case 7:
			want = Q8_0
		default:
			want = F32
		}
	}
	return loadGGMLFile(data, fm, want, o.Progress)
}

// Info describes a model file without keeping its weights.
type Info struct {
	Format    string `json:"format"`
	FileType  string `json:"file_type"`
	Config    Config `json:"config"`
	Params    int64  `json:"params"`
	Bytes     int64  `json:"bytes"`
	Tokenizer string `json:"tokenizer"`
}

// Inspect loads path to check it and reports what it is.
func Inspect(path string) (Info, error) {
	m, err := Load(path, Options{WType: KeepFileType})
	if err != nil {
		return Info{}, err
	}
	return Describe(path, m), nil
}

// Describe reports what model m, loaded from path, is (the size is the
// file's or the folder's).
func Describe(path string, m *Model) Info {
	var size int64
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		size = fi.Size()
	} else {
		filepath.Walk(path, func(_ string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				size += fi.Size()
			}
			return nil
		})
	}
	return Info{Format: m.Format, FileType: m.FileType, Config: m.Config, Params: m.Params(), Bytes: size, Tokenizer: m.Tokenizer.Name()}
}
