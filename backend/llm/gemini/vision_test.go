package gemini

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"sidecar/backend/llm"
)

// An image goes as an inline_data part after the text, with its MIME
// type, and its bytes arrive as they were.
func TestImageGoesAsInlineData(t *testing.T) {
	p, f := setup(t)
	img := []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x00\xff\x80")
	_, err := p.Stream(context.Background(), llm.Request{Model: "gemini-2.5-flash", Messages: []llm.Message{
		{Role: llm.RoleUser, Content: "what is this?", Images: []llm.Image{{MIME: "image/webp", Data: img}}},
	}}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := f.last["contents"].([]any)[0].(map[string]any)["parts"].([]any)
	if len(parts) != 2 || parts[0].(map[string]any)["text"] != "what is this?" {
		t.Fatalf("parts = %v", parts)
	}
	inline, ok := parts[1].(map[string]any)["inlineData"].(map[string]any)
	if !ok {
		inline, ok = parts[1].(map[string]any)["inline_data"].(map[string]any)
	}
	if !ok || inline["mimeType"] != "image/webp" {
		t.Fatalf("image part = %v", parts[1])
	}
	got, err := base64.StdEncoding.DecodeString(inline["data"].(string))
	if err != nil || !bytes.Equal(got, img) {
		t.Fatalf("image bytes differ: %v", err)
	}
}

func TestImageRefusedByTextModel(t *testing.T) {
	p, f := setup(t)
	_, err := p.Stream(context.Background(), llm.Request{Model: "gemini-1.0-pro", Messages: []llm.Message{
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
	if !Vision("gemini-2.5-pro") || !Vision("gemini-1.5-flash") || Vision("text-embedding-004") {
		t.Error("vision models by name")
	}
}
