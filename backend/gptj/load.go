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

	dry bool // check names and shapes, leave the weights unread (Inspect)
}

// KeepFileType is the WType that keeps a file's own weight type.
const KeepFileType WType = -1

// Load loads a Hugging Face GPT-J folder (safetensors or PyTorch
// checkpoints), one PyTorch checkpoint of such a folder (pytorch_model.bin
// beside its config.json), or a legacy ggml GPT-J file.
func Load(path string, o Options) (*Model, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("gptj: %w", err)
	}
	if fi.IsDir() || isTorchFile(path) {
		if fi.IsDir() {
			return loadHF(path, "", o.WType, o.dry, o.Progress)
		}
		return loadHF(filepath.Dir(path), filepath.Base(path), o.WType, o.dry, o.Progress)
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
	return loadGGMLFile(data, fm, want, o.dry, o.Progress)
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

// Inspect reads path's config and tensor headers, checks every tensor
// GPT-J needs is there with the right shape, and reports what it is. It
// does not read the weights' values (Load does, and checks them).
func Inspect(path string) (Info, error) {
	m, err := Load(path, Options{WType: KeepFileType, dry: true})
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
	} else if ents, err := os.ReadDir(path); err == nil {
		for _, e := range ents { // os.Stat follows symlinks (a Hugging Face cache snapshot's files are links into blobs/)
			if fi, err := os.Stat(filepath.Join(path, e.Name())); err == nil && fi.Mode().IsRegular() {
				size += fi.Size()
			}
		}
	}
	return Info{Format: m.Format, FileType: m.FileType, Config: m.Config, Params: m.Params(), Bytes: size, Tokenizer: m.Tokenizer.Name()}
}
