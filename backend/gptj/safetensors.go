package gptj

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// loadHF loads a Hugging Face GPT-J folder: config.json and its weights,
// safetensors or PyTorch checkpoints (pytorch_model.bin), single or
// sharded. only, if not "", is the one weights file to read (a checkpoint
// the user named rather than its folder). With dry set, tensors are
// checked against the config but their values are not read.
func loadHF(dir, only string, want WType, dry bool, progress func(float64)) (*Model, error) {
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
	files, torch, err := hfWeightFiles(dir, only)
	if err != nil {
		return nil, err
	}
	b := newBuilder(cfg, want)
	b.dry = dry
	b.m.Format = "huggingface safetensors"
	if torch {
		b.m.Format = "huggingface pytorch"
	}
	for i, f := range files {
		fm, err := mapFile(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("gptj: %w", err)
		}
		var ft string
		if torch {
			ft, err = addTorch(b, f, fm, func(part float64) {
				if progress != nil {
					progress((float64(i) + part) / float64(len(files)))
				}
			})
		} else {
			ft, err = addSafetensors(b, f, fm.data, fm)
		}
		unmap(fm) // now, or when the last matrix using it in place goes
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(float64(i+1) / float64(len(files)))
		}
		if ft != "" {
			b.m.FileType = ft
		}
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

// hfWeightFiles lists the weights files of a Hugging Face folder, in the
// order Hugging Face prefers them: safetensors (sharded, then single),
// then PyTorch checkpoints (sharded, then single). torch reports the
// latter. With only set, that file (and the other shards of its index,
// if an index names it) is read instead.
func hfWeightFiles(dir, only string) (files []string, torch bool, err error) {
	type source struct {
		index, single string
		torch         bool
	}
	sources := []source{{"model.safetensors.index.json", "model.safetensors", false}, {"pytorch_model.bin.index.json", "pytorch_model.bin", true}}
	for _, s := range sources {
		if only != "" && s.torch != isTorchFile(filepath.Join(dir, only)) {
			continue
		}
		ib, err := os.ReadFile(filepath.Join(dir, s.index))
		if err == nil {
			shards, err := indexFiles(s.index, ib)
			if err != nil {
				return nil, false, err
			}
			if only == "" || slices.Contains(shards, only) {
				return shards, s.torch, nil
			}
		}
		if only != "" {
			return []string{only}, s.torch, nil
		}
		if _, err := os.Stat(filepath.Join(dir, s.single)); err == nil {
			return []string{s.single}, s.torch, nil
		}
	}
	return nil, false, fmt.Errorf("%w: %s holds no model.safetensors or pytorch_model.bin (nor their .index.json)", ErrFormat, dir)
}

func indexFiles(name string, ib []byte) ([]string, error) {
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(ib, &idx); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
	}
	set := map[string]bool{}
	for _, f := range idx.WeightMap {
		if filepath.Base(f) != f || f == "." || f == ".." {
			return nil, fmt.Errorf("%w: %s names a file outside the folder: %q", ErrFormat, name, f)
		}
		set[f] = true
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("%w: %s maps no tensors", ErrFormat, name)
	}
	files := make([]string, 0, len(set))
	for f := range set {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, nil
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
