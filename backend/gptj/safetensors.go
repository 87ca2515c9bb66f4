package gptj

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type hfConfig struct {
	VocabSize  int     `json:"vocab_size"`
	NPositions int     `json:"n_positions"`
	NEmbd      int     `json:"n_embd"`
	NHead      int     `json:"n_head"`
	NLayer     int     `json:"n_layer"`
	RotaryDim  int     `json:"rotary_dim"`
	Eps        float32 `json:"layer_norm_epsilon"`
	ModelType  string  `json:"model_type"`
}

type stEntry struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// loadHF loads a Hugging Face GPT-J folder: config.json and one or more
// safetensors files.
func loadHF(dir string, want WType, progress func(float64)) (*Model, error) {
	cb, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("gptj: %w", err)
	}
	var hc hfConfig
	if err := json.Unmarshal(cb, &hc); err != nil {
		return nil, fmt.Errorf("%w: config.json: %v", ErrFormat, err)
	}
	if hc.ModelType != "" && hc.ModelType != "gptj" {
		return nil, fmt.Errorf("%w: config.json says model_type %q, not gptj", ErrFormat, hc.ModelType)
	}
	if hc.Eps == 0 {
		hc.Eps = 1e-5
	}
	cfg := Config{NVocab: hc.VocabSize, NCtx: hc.NPositions, NEmbd: hc.NEmbd, NHead: hc.NHead, NLayer: hc.NLayer, NRot: hc.RotaryDim, Eps: hc.Eps}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	files := []string{"model.safetensors"}
	if ib, err := os.ReadFile(filepath.Join(dir, "model.safetensors.index.json")); err == nil {
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if err := json.Unmarshal(ib, &idx); err != nil {
			return nil, fmt.Errorf("%w: model.safetensors.index.json: %v", ErrFormat, err)
		}
		set := map[string]bool{}
		for _, f := range idx.WeightMap {
			if filepath.Base(f) != f {
				return nil, fmt.Errorf("%w: the index names a file outside the folder: %q", ErrFormat, f)
			}
			set[f] = true
		}
		files = files[:0]
		for f := range set {
			files = append(files, f)
		}
		sort.Strings(files)
	}
	b := newBuilder(cfg, want)
	b.m.Format = "huggingface"
	for i, f := range files {
		fm, err := mapFile(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("gptj: %w", err)
		}
		ft, err := addSafetensors(b, f, fm.data, fm)
		unmap(fm) // now, or when the last matrix using it in place goes
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(float64(i+1) / float64(len(files)))
		}
		b.m.FileType = ft
	}
	m, err := b.done()
	if err != nil {
		return nil, err
	}
	tok, err := loadHFTokenizer(dir, cfg.NVocab)
	if err != nil {
		return nil, err
	}
	m.Tokenizer = tok
	return m, nil
}

// addSafetensors adds the tensors of one safetensors file held in data;
// fm, if set, is the mapping data is (see rawTensor.file).
func addSafetensors(b *builder, file string, data []byte, fm *fileMap) (string, error) {
	if len(data) < 8 {
		return "", fmt.Errorf("%w: %s is too short", ErrFormat, file)
	}
	hlen := binary.LittleEndian.Uint64(data)
	if hlen > 100<<20 || 8+hlen > uint64(len(data)) {
		return "", fmt.Errorf("%w: %s: header of %d bytes does not fit the file", ErrFormat, file, hlen)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hlen], &header); err != nil {
		return "", fmt.Errorf("%w: %s: header: %v", ErrFormat, file, err)
	}
	body := data[8+hlen:]
	names := make([]string, 0, len(header))
	for k := range header {
		if k != "__metadata__" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	ftype := ""
	for _, name := range names {
		var e stEntry
		if err := json.Unmarshal(header[name], &e); err != nil {
			return "", fmt.Errorf("%w: %s: tensor %s: %v", ErrFormat, file, name, err)
		}
		var tt fileType
		switch e.DType {
		case "F32":
			tt = ftF32
		case "F16":
			tt = ftF16
		case "BF16":
			tt = ftBF16
		default:
			if !wanted(name) {
				continue
			}
			return "", fmt.Errorf("%w: tensor %s has dtype %s (F32, F16, BF16 are supported)", ErrFormat, name, e.DType)
		}
		ftype = tt.String()
		if len(e.Shape) < 1 || len(e.Shape) > 2 {
			return "", fmt.Errorf("%w: tensor %s has %d dimensions", ErrFormat, name, len(e.Shape))
		}
		rows, cols := 1, e.Shape[len(e.Shape)-1]
		if len(e.Shape) == 2 {
			rows = e.Shape[0]
		}
		if rows <= 0 || cols <= 0 || rows > maxVocab*4 || cols > maxVocab*4 {
			return "", fmt.Errorf("%w: tensor %s has shape %v", ErrFormat, name, e.Shape)
		}
		size := int64(tensorBytes(tt, rows*cols))
		if e.Offsets[0] < 0 || e.Offsets[1]-e.Offsets[0] != size || e.Offsets[1] > int64(len(body)) {
			return "", fmt.Errorf("%w: tensor %s: offsets %v do not match its shape or the file", ErrFormat, name, e.Offsets)
		}
		t := &rawTensor{name: name, typ: tt, rows: rows, cols: cols, dims: len(e.Shape), data: body[e.Offsets[0]:e.Offsets[1]], file: fm}
		if err := b.add(t); err != nil {
			return "", err
		}
		if !t.kept {
			t.consumed(len(t.data))
		}
	}
	return ftype, nil
}

// wanted reports whether GPT-J uses a tensor of this name (the causal
// masks HF stores as attn.bias are not weights).
func wanted(name string) bool {
	if strings.HasSuffix(name, ".attn.bias") || strings.HasSuffix(name, ".attn.masked_bias") {
		return false
	}
	return strings.HasPrefix(name, "transformer.") || strings.HasPrefix(name, "lm_head.")
}
