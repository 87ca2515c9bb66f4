package bert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteRandom writes a BERT folder with random weights of shape c and a
// WordPiece vocabulary (config.json, model.safetensors, tokenizer.json),
// for tests of the code that loads and uses such models. q and k weights
// are large, so attention is sharp.
func WriteRandom(dir string, c Config, vocab []string, seed int64) error {
	if c.VocabSize != len(vocab) {
		return fmt.Errorf("bert: %d tokens for a vocabulary of %d", len(vocab), c.VocabSize)
	}
	w := randomWeights(c, seed)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cb, _ := json.Marshal(c)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cb, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), tokenizerJSON(vocab), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "model.safetensors"), safetensorsFile(c, w, ""), 0o600)
}

func tokenizerJSON(vocab []string) []byte {
	v := map[string]int{}
	for i, s := range vocab {
		v[s] = i
	}
	b, _ := json.Marshal(map[string]any{
		"normalizer": map[string]any{"type": "BertNormalizer", "lowercase": true, "strip_accents": nil, "clean_text": true},
		"model":      map[string]any{"type": "WordPiece", "vocab": v, "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100},
	})
	return b
}

func shapes(c Config) map[string][]int {
	h, in := c.Hidden, c.Intermediate
	s := map[string][]int{
		"embeddings.word_embeddings.weight":       {c.VocabSize, h},
		"embeddings.position_embeddings.weight":   {c.MaxPositions, h},
		"embeddings.token_type_embeddings.weight": {c.TypeVocab, h},
		"embeddings.LayerNorm.weight":             {h},
		"embeddings.LayerNorm.bias":               {h},
	}
	for i := 0; i < c.Layers; i++ {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		for _, n := range []string{"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"} {
			s[p+n+".weight"], s[p+n+".bias"] = []int{h, h}, []int{h}
		}
		s[p+"intermediate.dense.weight"], s[p+"intermediate.dense.bias"] = []int{in, h}, []int{in}
		s[p+"output.dense.weight"], s[p+"output.dense.bias"] = []int{h, in}, []int{h}
		for _, n := range []string{"attention.output.LayerNorm", "output.LayerNorm"} {
			s[p+n+".weight"], s[p+n+".bias"] = []int{h}, []int{h}
		}
	}
	return s
}

func randomWeights(c Config, seed int64) map[string][]float32 {
	rng := rand.New(rand.NewSource(seed))
	w := map[string][]float32{}
	sh := shapes(c)
	names := make([]string, 0, len(sh))
	for n := range sh {
		names = append(names, n)
	}
	sort.Strings(names) // the same weights for the same seed
	for _, name := range names {
		n := 1
		for _, d := range sh[name] {
			n *= d
		}
		v := make([]float32, n)
		std, mean := 0.3, 0.0
		if strings.Contains(name, "LayerNorm.weight") {
			std, mean = 0.1, 1
		}
		if strings.Contains(name, "query.weight") || strings.Contains(name, "key.weight") {
			std = 0.9
		}
		for i := range v {
			v[i] = float32(mean + rng.NormFloat64()*std)
		}
		w[name] = v
	}
	return w
}

// safetensorsFile encodes w as F32 tensors, names prefixed, plus an int64
// tensor of the kind Hugging Face files carry (which loaders must skip).
func safetensorsFile(c Config, w map[string][]float32, prefix string) []byte {
	sh := shapes(c)
	names := make([]string, 0, len(w))
	for n := range w {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var body []byte
	for _, n := range names {
		start := len(body)
		for _, f := range w[n] {
			body = binary.LittleEndian.AppendUint32(body, math.Float32bits(f))
		}
		header[prefix+n] = map[string]any{"dtype": "F32", "shape": sh[n], "data_offsets": []int{start, len(body)}}
	}
	header["embeddings.position_ids"] = map[string]any{"dtype": "I64", "shape": []int{1, 2}, "data_offsets": []int{len(body), len(body) + 16}}
	body = append(body, make([]byte, 16)...)
	hb, _ := json.Marshal(header)
	file := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
	return append(append(file, hb...), body...)
}
