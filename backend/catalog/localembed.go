package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sidecar/backend/bert"
	"sidecar/backend/docs"
)

// EmbeddingsFolder holds local sentence-embedding models (BERT family),
// one folder each, inside the models folder.
const EmbeddingsFolder = "embeddings"

// LocalEmbeddingPrefix starts the model name of a local embedding model.
const LocalEmbeddingPrefix = "bert:"

// LocalEmbedding is a sentence-embedding model in the data folder.
type LocalEmbedding struct {
	ID   string `json:"id"` // "bert:all-MiniLM-L6-v2"
	Name string `json:"name"`
	Dims int    `json:"dims"`
}

// ModelsFolder is where downloaded and imported models go, inside the
// data folder.
const ModelsFolder = "models"

func embeddingsDir(dataDir string) string {
	return filepath.Join(dataDir, ModelsFolder, EmbeddingsFolder)
}

// LocalEmbeddings lists the local embedding models (those whose
// config.json reads; weights are checked when a model is loaded).
func LocalEmbeddings(dataDir string) []LocalEmbedding {
	es, _ := os.ReadDir(embeddingsDir(dataDir))
	var out []LocalEmbedding
	for _, e := range es {
		if !e.IsDir() {
			continue
		}
		var c struct {
			Hidden int `json:"hidden_size"`
		}
		b, err := os.ReadFile(filepath.Join(embeddingsDir(dataDir), e.Name(), "config.json"))
		if err != nil || json.Unmarshal(b, &c) != nil || c.Hidden <= 0 {
			continue
		}
		out = append(out, LocalEmbedding{ID: LocalEmbeddingPrefix + e.Name(), Name: e.Name(), Dims: c.Hidden})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// localEmbedder adapts a BERT model to the documents' Embedder.
type localEmbedder struct{ m *bert.Model }

func (e localEmbedder) Name() string { return LocalEmbeddingPrefix + e.m.Name }
func (e localEmbedder) Dims() int    { return e.m.Dims() }
func (e localEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.m.Embed(ctx, texts)
}

// LoadLocalEmbedder loads a local embedding model by its ID.
func LoadLocalEmbedder(dataDir, id string) (docs.Embedder, error) {
	name, ok := strings.CutPrefix(id, LocalEmbeddingPrefix)
	if !ok || name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("not a local embedding model: %q", id)
	}
	m, err := bert.Load(filepath.Join(embeddingsDir(dataDir), name))
	if err != nil {
		return nil, err
	}
	return localEmbedder{m}, nil
}

// ImportLocalEmbedding checks a Hugging Face sentence-embedding folder by
// loading it, then copies the files it needs into the data folder. It
// returns the model's ID.
func ImportLocalEmbedding(dataDir, src string) (string, error) {
	m, err := bert.Load(src)
	if err != nil {
		return "", err
	}
	name := filepath.Base(filepath.Clean(src))
	if name == "." || name == string(filepath.Separator) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("import: cannot name a model after %q", src)
	}
	dst := filepath.Join(embeddingsDir(dataDir), name)
	tmp := dst + ".part"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "vocab.txt"} {
		if err := copyFile(filepath.Join(src, f), filepath.Join(tmp, f)); err != nil && !os.IsNotExist(err) {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("import: %w", err)
		}
	}
	os.RemoveAll(dst)
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("import: %w", err)
	}
	return LocalEmbeddingPrefix + m.Name, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
