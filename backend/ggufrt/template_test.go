package ggufrt

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/chattmpl"
	"sidecar/backend/ggufrt/ggufrttest"
	"sidecar/backend/llm"
	"sidecar/backend/models"
)

// A model file's template is not trusted: one that would render
// gigabytes loads, and its renders stop at a limit with an error; one
// the template package refuses falls back to ChatML.
func TestHostileTemplateInAModelFile(t *testing.T) {
	cases := []struct {
		name, src string
		own       bool
	}{
		{"grows", `{% for m in messages %}{{ m.content * 3000000000 }}{% endfor %}`, true},
		{"reaches the checks", `{{ __filter_indent(messages[0].content, 3000000000) }}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "model.gguf")
			if err := ggufrttest.Write(path, testModel, ggufrttest.Options{Template: c.src, Context: 4096}); err != nil {
				t.Fatal(err)
			}
			m, err := Runtime{Script: func(string) string { return "ok" }}.Load(context.Background(), path, models.LoadOptions{ContextSize: 128, Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if m.Info().OwnTemplate != c.own {
				t.Fatalf("OwnTemplate = %v, want %v", m.Info().OwnTemplate, c.own)
			}
			p := models.Prompt{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}
			text, err := m.Render(p)
			if c.own {
				if !errors.Is(err, chattmpl.ErrLimit) {
					t.Fatalf("Render: %q, %v; want a limit error", text, err)
				}
				_, err = m.Stream(context.Background(), p, models.Sampling{MaxTokens: 2}, func(string) error { return nil })
				if !errors.Is(err, chattmpl.ErrLimit) {
					t.Fatalf("Stream: %v; want a limit error", err)
				}
				return
			}
			if err != nil || !strings.Contains(text, "<|im_start|>user\nhi<|im_end|>") {
				t.Fatalf("Render: %q, %v; want ChatML", text, err)
			}
		})
	}
}
