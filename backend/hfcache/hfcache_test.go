package hfcache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/gptj"
)

// cache builds a hub cache the way huggingface_hub lays it out: file
// contents in blobs/<sha256>, snapshots/<commit>/<name> symlinks to
// ../../blobs/<sha256> (relative), refs/<ref> holding the commit.
type cache struct {
	t    *testing.T
	root string
}

func (c cache) snapshot(repo, ref, commit string, files map[string][]byte) string {
	c.t.Helper()
	rd := filepath.Join(c.root, "models--"+strings.ReplaceAll(repo, "/", "--"))
	snap := filepath.Join(rd, "snapshots", commit)
	for _, d := range []string{filepath.Join(rd, "blobs"), filepath.Join(rd, "refs"), snap} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			c.t.Fatal(err)
		}
	}
	if ref != "" {
		if err := os.WriteFile(filepath.Join(rd, "refs", ref), []byte(commit), 0o644); err != nil {
			c.t.Fatal(err)
		}
	}
	for name, content := range files {
		link := filepath.Join(snap, name)
		os.MkdirAll(filepath.Dir(link), 0o755)
		if content == nil { // a link to a blob that never finished downloading
			if err := os.Symlink("../../blobs/missing", link); err != nil {
				c.t.Fatal(err)
			}
			continue
		}
		sum := sha256.Sum256(content)
		blob := filepath.Join(rd, "blobs", hex.EncodeToString(sum[:]))
		if err := os.WriteFile(blob, content, 0o644); err != nil {
			c.t.Fatal(err)
		}
		rel, _ := filepath.Rel(filepath.Dir(link), blob)
		if err := os.Symlink(rel, link); err != nil {
			c.t.Fatal(err)
		}
	}
	return snap
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFindInHubCache(t *testing.T) {
	home := t.TempDir()
	c := cache{t, filepath.Join(home, ".cache", "huggingface", "hub")}
	td := "../gptj/testdata/"
	sharded := map[string][]byte{}
	for _, f := range []string{"config.json", "pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"} {
		sharded[f] = read(t, td+"tinyA-torch-f16-sharded/"+f)
	}
	mainSnap := c.snapshot("EleutherAI/gpt-j-6b", "main", "0123456789abcdef0123456789abcdef01234567", sharded)
	f32Snap := c.snapshot("EleutherAI/gpt-j-6b", "float32", "89abcdef0123456789abcdef0123456789abcdef", map[string][]byte{
		"config.json": read(t, td+"tinyA-torch/config.json"), "pytorch_model.bin": read(t, td+"tinyA-torch/pytorch_model.bin"),
	})
	gguf := append([]byte("GGUF\x03\x00\x00\x00"), make([]byte, 100)...)
	ggufSnap := c.snapshot("someone/tiny-GGUF", "main", "aaaa", map[string][]byte{
		"tiny.Q8_0.gguf": gguf, "big-00001-of-00002.gguf": gguf, "big-00002-of-00002.gguf": gguf,
		"Q4/tiny.Q4_0.gguf": gguf, "fake.gguf": []byte("not a gguf file"), "README.md": []byte("# hi"),
	})
	c.snapshot("meta/llama", "main", "bbbb", map[string][]byte{"config.json": []byte(`{"model_type":"llama"}`), "model.safetensors": []byte("x")})
	c.snapshot("broken/gptj", "main", "cccc", map[string][]byte{"config.json": read(t, td+"tinyA-torch/config.json"), "pytorch_model.bin": nil})
	os.MkdirAll(filepath.Join(c.root, "datasets--x--y", "snapshots", "dddd"), 0o755)
	// A second cache named by HF_HOME.
	hfHome := t.TempDir()
	c2 := cache{t, filepath.Join(hfHome, "hub")}
	otherSnap := c2.snapshot("nomic-ai/gpt4all-j", "main", "eeee", map[string][]byte{
		"config.json": read(t, td+"tinyA-torch/config.json"), "pytorch_model.bin": read(t, td+"tinyA-torch/pytorch_model.bin"),
	})

	env := map[string]string{"HF_HOME": hfHome}
	dirs := Dirs(func(k string) string { return env[k] }, home)
	got, err := Find(context.Background(), dirs)
	if err != nil {
		t.Fatal(err)
	}
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	var shardedSize int64
	for f := range sharded {
		shardedSize += size(filepath.Join(mainSnap, f))
	}
	want := []Model{
		{Name: "EleutherAI/gpt-j-6b", Repo: "EleutherAI/gpt-j-6b", Revision: "main", Path: mainSnap, SizeBytes: shardedSize, Kind: KindGPTJ, Format: "pytorch"},
		{Name: "EleutherAI/gpt-j-6b (float32)", Repo: "EleutherAI/gpt-j-6b", Revision: "float32", Path: f32Snap,
			SizeBytes: size(filepath.Join(f32Snap, "config.json")) + size(filepath.Join(f32Snap, "pytorch_model.bin")), Kind: KindGPTJ, Format: "pytorch"},
		{Name: "nomic-ai/gpt4all-j", Repo: "nomic-ai/gpt4all-j", Revision: "main", Path: otherSnap,
			SizeBytes: size(filepath.Join(otherSnap, "config.json")) + size(filepath.Join(otherSnap, "pytorch_model.bin")), Kind: KindGPTJ, Format: "pytorch"},
		{Name: "someone/tiny-GGUF Q4/tiny.Q4_0", Repo: "someone/tiny-GGUF", Revision: "main", Path: filepath.Join(ggufSnap, "Q4", "tiny.Q4_0.gguf"), SizeBytes: int64(len(gguf)), Kind: KindGGUF, Format: "gguf"},
		{Name: "someone/tiny-GGUF tiny.Q8_0", Repo: "someone/tiny-GGUF", Revision: "main", Path: filepath.Join(ggufSnap, "tiny.Q8_0.gguf"), SizeBytes: int64(len(gguf)), Kind: KindGGUF, Format: "gguf"},
	}
	if len(got) != len(want) {
		t.Fatalf("found %d models, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("model %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// What was found loads through the snapshot's symlinks.
	info, err := gptj.Inspect(got[0].Path)
	if err != nil || info.Format != "huggingface pytorch" || info.FileType != "f16" || info.Bytes != shardedSize {
		t.Errorf("inspect %s: %+v, %v", got[0].Path, info, err)
	}
	m, err := gptj.Load(got[1].Path, gptj.Options{WType: gptj.Q8_0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.NewState(0).Eval([]int{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
}

func TestDirs(t *testing.T) {
	env := map[string]string{"HF_HUB_CACHE": "/a/hub", "HUGGINGFACE_HUB_CACHE": "/a/hub/", "HF_HOME": "/b", "XDG_CACHE_HOME": "/c"}
	got := Dirs(func(k string) string { return env[k] }, "/home/u")
	want := []string{"/a/hub", "/b/hub", "/c/huggingface/hub", "/home/u/.cache/huggingface/hub"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Dirs = %v, want %v", got, want)
	}
	if got, err := Find(context.Background(), []string{filepath.Join(t.TempDir(), "absent")}); err != nil || len(got) != 0 {
		t.Errorf("absent cache: %v, %v", got, err)
	}
}
