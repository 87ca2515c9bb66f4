package catalog

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"sidecar/backend/bert"
	"sidecar/backend/docs"
	"sidecar/backend/store/storetest"
)

// TestLocalEmbeddingModel imports a (tiny, random) BERT folder, switches
// the documents to it and searches with it, in the encrypted store.
func TestLocalEmbeddingModel(t *testing.T) {
	ctx := context.Background()
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "ferry", "leaves", "pier", "seven", "at", "dawn", ".",
		"lighthouse", "keeper", "logs", "tide", "tables", "island", "crane", "harbour"}
	src := filepath.Join(t.TempDir(), "tiny-minilm")
	c := bert.Config{VocabSize: len(vocab), Hidden: 64, Layers: 2, Heads: 4, Intermediate: 128, MaxPositions: 64, TypeVocab: 2, Eps: 1e-12, HiddenAct: "gelu"}
	if err := bert.WriteRandom(src, c, vocab, 3); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	// A folder that is not a model is refused and leaves nothing behind.
	if _, err := ImportLocalEmbedding(data, t.TempDir()); err == nil {
		t.Fatal("an empty folder was imported")
	}
	id, err := ImportLocalEmbedding(data, src)
	if err != nil || id != "bert:tiny-minilm" {
		t.Fatalf("import: %q %v", id, err)
	}
	if got := LocalEmbeddings(data); len(got) != 1 || got[0].ID != id || got[0].Dims != 64 {
		t.Fatalf("listed %+v", got)
	}
	if _, err := LoadLocalEmbedder(data, "bert:../../etc"); err == nil {
		t.Fatal("a path outside the embeddings folder was accepted")
	}
	emb, err := LoadLocalEmbedder(data, id)
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	ds, err := docs.New(ctx, db, docs.Lexical{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds.Add(ctx, "note:ferry", "ferry", []byte("The ferry leaves pier seven at dawn."))
	ds.Add(ctx, "note:keeper", "keeper", []byte("The lighthouse keeper logs tide tables."))
	if err := ds.UseEmbedder(ctx, emb, nil); err != nil {
		t.Fatal(err)
	}
	if ds.ModelName() != id || docs.ChosenEmbedder(ctx, db.SQL()) != id {
		t.Fatalf("model in use %q", ds.ModelName())
	}
	hits, err := ds.Search(ctx, "ferry pier dawn", docs.SearchOptions{K: 2})
	if err != nil || len(hits) == 0 || hits[0].Source != "note:ferry" {
		t.Fatalf("search with the local model: %+v %v", hits, err)
	}
	os.RemoveAll(filepath.Join(data, ModelsFolder))
	if _, err := LoadLocalEmbedder(data, id); err == nil {
		t.Fatal("a removed model loaded")
	}
}
