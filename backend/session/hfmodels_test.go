package session

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHuggingFaceModels: a GPT-J checkpoint in a hub cache under $HOME
// (snapshot files as symlinks into blobs/) is listed, imported under its
// repository's name, then listed as imported; a path outside the cache is
// refused.
func TestHuggingFaceModels(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	home := t.TempDir()
	for _, k := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	repo := filepath.Join(home, ".cache", "huggingface", "hub", "models--nomic-ai--gpt4all-j")
	snap := filepath.Join(repo, "snapshots", "0123abcd")
	for _, d := range []string{filepath.Join(repo, "blobs"), filepath.Join(repo, "refs"), snap} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(repo, "refs", "main"), []byte("0123abcd"), 0o644)
	for i, f := range []string{"config.json", "pytorch_model.bin"} {
		b, err := os.ReadFile(filepath.Join("..", "gptj", "testdata", "tinyA-torch", f))
		if err != nil {
			t.Fatal(err)
		}
		blob := filepath.Join(repo, "blobs", strings.Repeat(string(rune('a'+i)), 64))
		if err := os.WriteFile(blob, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..", "..", "blobs", filepath.Base(blob)), filepath.Join(snap, f)); err != nil {
			t.Fatal(err)
		}
	}
	s := New(Options{Keychain: kc, Dir: t.TempDir(), Background: true})
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	found, err := s.HuggingFaceModels(ctx)
	if err != nil || len(found) != 1 || found[0].Name != "nomic-ai/gpt4all-j" || found[0].Path != snap || found[0].Kind != "gptj" || found[0].ImportedID != "" {
		t.Fatalf("found %+v, %v", found, err)
	}
	v, err := s.ImportHuggingFaceModel(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "nomic-ai/gpt4all-j" || v.Engine != "gptj" || v.Info.Format != "huggingface pytorch gpt-j" || v.Info.WeightType != "f32" {
		t.Errorf("imported %+v", v)
	}
	found, err = s.HuggingFaceModels(ctx)
	if err != nil || len(found) != 1 || found[0].ImportedID != v.ID {
		t.Errorf("after import: %+v, %v", found, err)
	}
	if _, err := s.ImportHuggingFaceModel(ctx, filepath.Join("..", "gptj", "testdata", "tinyA-torch")); err == nil || !strings.Contains(err.Error(), "not a model of the Hugging Face cache") {
		t.Errorf("a path outside the cache: %v", err)
	}
}
