package openai

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"sidecar/backend/llm"
)

// pngBytes is a file's worth of bytes that are not text (a PNG header and
// every byte value), so a lossy encoding would show.
func pngBytes() []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	for i := 0; i < 256; i++ {
		b = append(b, byte(i))
	}
	return b
}

// An image goes as an image_url part holding a data URI, after the text
// part, and its bytes arrive as they were.
func TestImageGoesAsDataURI(t *testing.T) {
	p, f := setup(t)
	img := pngBytes()
	_, err := p.Stream(context.Background(), llm.Request{Model: "gpt-4o", Messages: []llm.Message{
		{Role: llm.RoleUser, Content: "what is this?", Images: []llm.Image{{MIME: "image/png", Data: img}}},
	}}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	msg := f.last["messages"].([]any)[0].(map[string]any)
	parts, ok := msg["content"].([]any)
	if !ok || len(parts) != 2 {
		t.Fatalf("content = %v, want a text part and an image part", msg["content"])
	}
	text, image := parts[0].(map[string]any), parts[1].(map[string]any)
	if text["type"] != "text" || text["text"] != "what is this?" || image["type"] != "image_url" {
		t.Fatalf("parts = %v", parts)
	}
	url := image["image_url"].(map[string]any)["url"].(string)
	data, ok := strings.CutPrefix(url, "data:image/png;base64,")
	if !ok {
		t.Fatalf("url = %.60s", url)
	}
	got, err := base64.StdEncoding.DecodeString(data)
	if err != nil || !bytes.Equal(got, img) {
		t.Fatalf("image bytes differ: %v", err)
	}
}

// A model that does not take images refuses them before any request.
func TestImageRefusedByTextModel(t *testing.T) {
	p, f := setup(t)
	_, err := p.Stream(context.Background(), llm.Request{Model: "o3-mini", Messages: []llm.Message{
		{Role: llm.RoleUser, Content: "x", Images: []llm.Image{{MIME: "image/png", Data: pngBytes()}}},
	}}, func(string) error { return nil })
	if !errors.Is(err, llm.ErrNoVision) {
		t.Fatalf("err = %v, want ErrNoVision", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last != nil {
		t.Fatalf("a request was sent: %v", f.last)
	}
}

func TestVisionModels(t *testing.T) {
	for m, want := range map[string]bool{"gpt-4o": true, "gpt-4o-mini": true, "gpt-4.1-nano": true, "gpt-5": true, "o1": true, "o3": true,
		"o4-mini": true, "gpt-4-turbo": true, "o1-mini": false, "o3-mini": false, "gpt-3.5-turbo": false, "gpt-4-0613": false,
		"text-embedding-3-small": false, "llava-1.6": true, "Qwen/Qwen2.5-VL-7B-Instruct": true, "llama-3.2-11b-vision": true,
		"llama-3.1-8b": false, "mistral-7b": false} {
		if got := Vision(m); got != want {
			t.Errorf("Vision(%q) = %v, want %v", m, got, want)
		}
	}
}
