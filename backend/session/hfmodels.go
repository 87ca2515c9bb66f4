package session

import (
	"context"
	"fmt"
	"os"

	"sidecar/backend/hfcache"
)

// HuggingFaceModel is a model in the Hugging Face hub cache that the
// local runtimes can run, as the Models screen offers it for import
// (ImportLocalModel with Path).
type HuggingFaceModel struct {
	Name      string `json:"name"`      // "EleutherAI/gpt-j-6b", with the revision or file when needed
	Repo      string `json:"repo"`      // "EleutherAI/gpt-j-6b"
	Revision  string `json:"revision"`  // "main", another ref, or the start of the commit
	Path      string `json:"path"`      // the snapshot folder (gptj) or the .gguf file
	SizeBytes int64  `json:"sizeBytes"` // bytes of the files it reads
	Kind      string `json:"kind"`      // "gptj" or "gguf"
	Format    string `json:"format"`    // "safetensors", "pytorch" or "gguf"
	// ImportedID is the id of the local model already added from Path, "" if none.
	ImportedID string `json:"importedId"`
}

// HuggingFaceModels scans the Hugging Face cache ($HF_HUB_CACHE,
// $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub) for
// GPT-J checkpoints and GGUF files, marking those already imported.
func (s *Session) HuggingFaceModels(ctx context.Context) ([]HuggingFaceModel, error) {
	return with(s, func(o *open) ([]HuggingFaceModel, error) {
		home, _ := os.UserHomeDir()
		found, err := hfcache.Find(ctx, hfcache.Dirs(os.Getenv, home))
		if err != nil {
			return nil, err
		}
		local, err := o.cat.LocalModels(ctx)
		if err != nil {
			return nil, err
		}
		byPath := map[string]string{}
		for _, m := range local {
			byPath[m.Path] = m.ID
		}
		out := make([]HuggingFaceModel, len(found))
		for i, m := range found {
			out[i] = HuggingFaceModel{Name: m.Name, Repo: m.Repo, Revision: m.Revision, Path: m.Path, SizeBytes: m.SizeBytes,
				Kind: m.Kind, Format: m.Format, ImportedID: byPath[m.Path]}
		}
		return out, nil
	})
}

// ImportHuggingFaceModel adds the model HuggingFaceModels lists at path
// (it stays in the cache), named after its repository. Only a path the
// scan finds is accepted.
func (s *Session) ImportHuggingFaceModel(ctx context.Context, path string) (LocalModelView, error) {
	return with(s, func(o *open) (LocalModelView, error) {
		home, _ := os.UserHomeDir()
		found, err := hfcache.Find(ctx, hfcache.Dirs(os.Getenv, home))
		if err != nil {
			return LocalModelView{}, err
		}
		local, err := o.cat.LocalModels(ctx)
		if err != nil {
			return LocalModelView{}, err
		}
		for _, v := range local {
			if v.Path == path {
				return v, nil // already imported: keep the name the user may have given it
			}
		}
		for _, m := range found {
			if m.Path != path {
				continue
			}
			v, err := o.cat.ImportLocalModel(ctx, path)
			if err != nil {
				return LocalModelView{}, err
			}
			name := m.Name
			if r := []rune(name); len(r) > 120 {
				name = string(r[:120])
			}
			return o.cat.UpdateLocalModel(ctx, v.ID, name, v.Settings)
		}
		return LocalModelView{}, fmt.Errorf("session: %s is not a model of the Hugging Face cache", path)
	})
}
