package anthropic

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"sidecar/backend/llm"
)

// An image goes as a base64 image block before the text, with its media
// type, and its bytes arrive as they were.
func TestImageGoesAsBase64Block(t *testing.T) {
	p, f := setup(t)
	img := []byte("\xff\xd8\xff\xe0 jpeg \x00\x01\x02\xfe")
	_, err := p.Stream(context.Background(), llm.Request{Model: "claude-sonnet-4-5", Messages: []llm.Message{
		{Role: llm.RoleUser, Content: "what is this?", Images: []llm.Image{{MIME: "image/jpeg", Data: img}}},
	}}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	blocks := f.last["messages"].([]any)[0].(map[string]any)["content"].([]any)
	if len(blocks) != 2 {
		t.Fatalf("blocks = %v", blocks)
	}
	image, text := blocks[0].(map[string]any), blocks[1].(map[string]any)
	src, _ := image["source"].(map[string]any)
	if image["type"] != "image" || src["type"] != "base64" || src["media_type"] != "image/jpeg" || text["text"] != "what is this?" {
		t.Fatalf("blocks = %v", blocks)
	}
	got, err := base64.StdEncoding.DecodeString(src["data"].(string))
	if err != nil || !bytes.Equal(got, img) {
		t.Fatalf("image bytes differ: %v", err)
	}
}

func TestImageRefusedByTextModel(t *testing.T) {
	p, f := setup(t)
	_, err := p.Stream(context.Background(), llm.Request{Model: "claude-2.1", Messages: []llm.Message{
		{Role: llm.RoleUser, Content: "x", Images: []llm.Image{{MIME: "image/png", Data: []byte("\x89PNG")}}},
	}}, func(string) error { return nil })
	if !errors.Is(err, llm.ErrNoVision) {
		t.Fatalf("err = %v, want ErrNoVision", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last != nil {
		t.Fatalf("a request was sent: %v", f.last)
	}
	if !Vision("claude-3-5-haiku-latest") || !Vision("claude-opus-4-1") || Vision("claude-instant-1.2") {
		t.Error("vision models by name")
	}
}
