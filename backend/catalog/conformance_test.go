package catalog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/gptjrt"
	"sidecar/backend/llm"
	"sidecar/backend/llm/llmtest"
	"sidecar/backend/store/storetest"
)

// Local models keep the contract every provider keeps: here the real
// GPT-J runtime with the tiny reference model, behind the catalogue's
// provider as chats and the local API use it.
func TestLocalGPTJConformance(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "testdata", "gptj", "gptj-tinyA-f16.bin")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("reference model not found: %v", err)
	}
	target := func(t *testing.T) llmtest.Target {
		ctx := context.Background()
		c := New(storetest.Open(t), nil, nil)
		t.Cleanup(c.Close)
		c.EnableLocal(t.TempDir(), gptjrt.Runtime{})
		m, err := c.ImportLocalModel(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		set := m.Settings
		set.MaxTokens = 12
		if _, err := c.UpdateLocalModel(ctx, m.ID, m.Name, set); err != nil {
			t.Fatal(err)
		}
		p, id, err := c.Provider(LocalProviderID + "/" + m.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Load it and run it once now: the model and its cache (with the
		// cache's worker pool) stay in memory between answers by design,
		// so what the suite then sees are a stream's own goroutines.
		warm := llm.Request{Model: id, MaxTokens: 1, Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}
		if _, err := p.Stream(ctx, warm, func(string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		return llmtest.Target{Provider: p, Model: id}
	}
	llmtest.Run(t, target, llmtest.Options{
		// Twice the context of the model (128 tokens), in one message.
		Oversized: func() llm.Request {
			return llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: strings.Repeat("word ", 256)}}}
		},
	})
}
