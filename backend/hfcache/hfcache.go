// Package hfcache finds models in the Hugging Face hub cache that Sidecar
// can run: GPT-J checkpoints (a snapshot folder with a config.json of
// model_type "gptj" and safetensors or pytorch_model.bin weights, single
// or sharded) and GGUF files. It reads the cache's own layout
// (<cache>/models--<owner>--<name>/snapshots/<commit>/..., files there
// being symlinks into ../../blobs) and never writes to it.
package hfcache

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Kinds of model found.
const (
	KindGPTJ = "gptj" // a Hugging Face GPT-J folder (import the folder)
	KindGGUF = "gguf" // a GGUF file (import the file)
)

// Model is one runnable model in the cache.
type Model struct {
	Name      string `json:"name"`      // "EleutherAI/gpt-j-6b", plus the revision or file when needed
	Repo      string `json:"repo"`      // "EleutherAI/gpt-j-6b"
	Revision  string `json:"revision"`  // the ref that points at the snapshot ("main"), else the commit
	Path      string `json:"path"`      // what to import: the snapshot folder (gptj) or the file (gguf)
	SizeBytes int64  `json:"sizeBytes"` // bytes of the files the model reads (symlinks followed)
	Kind      string `json:"kind"`      // KindGPTJ or KindGGUF
	Format    string `json:"format"`    // "safetensors", "pytorch" or "gguf"
}

// Bounds on what a scan walks, far above any real cache.
const (
	maxRepos     = 4096
	maxSnapshots = 64   // per repository
	maxFiles     = 4096 // per snapshot
	maxModels    = 2048
)

// Dirs lists the hub cache folders to scan, the way huggingface_hub
// resolves them: $HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub,
// $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub (each once;
// folders that do not exist are left out by Find).
func Dirs(getenv func(string) string, home string) []string {
	var dirs []string
	add := func(d string) {
		if d == "" {
			return
		}
		d = filepath.Clean(d)
		for _, x := range dirs {
			if x == d {
				return
			}
		}
		dirs = append(dirs, d)
	}
	add(getenv("HF_HUB_CACHE"))
	add(getenv("HUGGINGFACE_HUB_CACHE"))
	if h := getenv("HF_HOME"); h != "" {
		add(filepath.Join(h, "hub"))
	}
	if x := getenv("XDG_CACHE_HOME"); x != "" {
		add(filepath.Join(x, "huggingface", "hub"))
	}
	if home != "" {
		add(filepath.Join(home, ".cache", "huggingface", "hub"))
	}
	return dirs
}

// Find scans the cache folders for runnable models, sorted by name.
// Folders that do not exist are skipped; snapshots whose files are not
// all present (an interrupted download) are left out.
func Find(ctx context.Context, dirs []string) ([]Model, error) {
	var out []Model
	for _, dir := range dirs {
		repos, err := os.ReadDir(dir)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("hfcache: %w", err)
		}
		if len(repos) > maxRepos {
			repos = repos[:maxRepos]
		}
		for _, r := range repos {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			rest, ok := strings.CutPrefix(r.Name(), "models--")
			if !ok || !r.IsDir() {
				continue
			}
			repo := strings.ReplaceAll(rest, "--", "/")
			out = append(out, scanRepo(filepath.Join(dir, r.Name()), repo)...)
			if len(out) >= maxModels {
				out = out[:maxModels]
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

// refs maps a commit to the ref names pointing at it (refs/main holds
// the commit of main).
func refs(repoDir string) map[string]string {
	m := map[string]string{}
	filepath.WalkDir(filepath.Join(repoDir, "refs"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := readSmall(p, 256)
		if err != nil {
			return nil
		}
		name, _ := filepath.Rel(filepath.Join(repoDir, "refs"), p)
		commit := strings.TrimSpace(string(b))
		if old, ok := m[commit]; !ok || name == "main" || (old != "main" && name < old) {
			m[commit] = filepath.ToSlash(name)
		}
		return nil
	})
	return m
}

func scanRepo(repoDir, repo string) []Model {
	snaps, err := os.ReadDir(filepath.Join(repoDir, "snapshots"))
	if err != nil {
		return nil
	}
	if len(snaps) > maxSnapshots {
		snaps = snaps[:maxSnapshots]
	}
	rs := refs(repoDir)
	var out []Model
	for _, s := range snaps {
		if !s.IsDir() {
			continue
		}
		rev, ok := rs[s.Name()]
		if !ok {
			rev = s.Name()
			if len(rev) > 12 {
				rev = rev[:12]
			}
		}
		name := repo
		if len(snaps) > 1 && rev != "main" {
			name += " (" + rev + ")"
		}
		dir := filepath.Join(repoDir, "snapshots", s.Name())
		if m, ok := gptjSnapshot(dir); ok {
			m.Name, m.Repo, m.Revision = name, repo, rev
			out = append(out, m)
		}
		for _, g := range ggufFiles(dir) {
			g.Repo, g.Revision = repo, rev
			g.Name = name + " " + strings.TrimSuffix(filepath.ToSlash(mustRel(dir, g.Path)), ".gguf")
			out = append(out, g)
		}
	}
	return out
}

func mustRel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return filepath.Base(p)
	}
	return r
}

// size is the size of the file path names, following symlinks (a
// snapshot's files point into blobs/); -1 if it is missing or not a file.
func size(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	return fi.Size()
}

func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, err
}

// gptjSnapshot recognises a GPT-J folder whose weights are all present.
func gptjSnapshot(dir string) (Model, bool) {
	cb, err := readSmall(filepath.Join(dir, "config.json"), 1<<20)
	if err != nil {
		return Model{}, false
	}
	var cfg struct {
		ModelType string `json:"model_type"`
	}
	if json.Unmarshal(cb, &cfg) != nil || cfg.ModelType != "gptj" {
		return Model{}, false
	}
	total := int64(len(cb))
	for _, src := range []struct{ index, single, format string }{
		{"model.safetensors.index.json", "model.safetensors", "safetensors"},
		{"pytorch_model.bin.index.json", "pytorch_model.bin", "pytorch"},
	} {
		files, sum := []string{src.single}, total
		if ib, err := readSmall(filepath.Join(dir, src.index), 64<<20); err == nil {
			var idx struct {
				WeightMap map[string]string `json:"weight_map"`
			}
			if json.Unmarshal(ib, &idx) != nil {
				continue
			}
			set := map[string]bool{}
			for _, f := range idx.WeightMap {
				set[f] = true
			}
			files = files[:0]
			for f := range set {
				if filepath.Base(f) != f || len(files) >= maxFiles {
					return Model{}, false
				}
				files = append(files, f)
			}
			if len(files) == 0 {
				continue
			}
			sum += int64(len(ib))
		}
		for _, f := range files {
			n := size(filepath.Join(dir, f))
			if n < 0 {
				sum = -1
				break
			}
			sum += n
		}
		if sum >= 0 {
			for _, tok := range []string{"vocab.json", "merges.txt", "tokenizer.json"} {
				if n := size(filepath.Join(dir, tok)); n > 0 {
					sum += n
				}
			}
			return Model{Path: dir, SizeBytes: sum, Kind: KindGPTJ, Format: src.format}, true
		}
	}
	return Model{}, false
}

// splitGGUF matches the files of a GGUF split into several
// ("-00001-of-00003.gguf"), which the GGUF runtime does not load.
var splitGGUF = regexp.MustCompile(`-[0-9]+-of-0*([2-9]|[1-9][0-9]+)\.gguf$`)

// ggufFiles lists the GGUF files of a snapshot, at its top level and one
// folder down (repositories that keep each quantization in a folder).
func ggufFiles(dir string) []Model {
	var out []Model
	var visit func(d string, depth int)
	seen := 0
	visit = func(d string, depth int) {
		ents, err := os.ReadDir(d)
		if err != nil {
			return
		}
		for _, e := range ents {
			if seen++; seen > maxFiles {
				return
			}
			p := filepath.Join(d, e.Name())
			if e.IsDir() { // real folders only: a symlinked folder is not followed
				if depth == 0 {
					visit(p, 1)
				}
				continue
			}
			if !strings.HasSuffix(strings.ToLower(e.Name()), ".gguf") || splitGGUF.MatchString(strings.ToLower(e.Name())) {
				continue
			}
			n := size(p)
			if n < 8 || !hasMagic(p, "GGUF") {
				continue
			}
			out = append(out, Model{Path: p, SizeBytes: n, Kind: KindGGUF, Format: "gguf"})
		}
	}
	visit(dir, 0)
	return out
}

func hasMagic(path, magic string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(magic))
	_, err = io.ReadFull(f, b)
	return err == nil && bytes.Equal(b, []byte(magic))
}
