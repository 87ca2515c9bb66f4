package cli

import (
	"context"

	"sidecar/backend/assistant"
	"sidecar/backend/ggufrt"
	"sidecar/backend/gptjrt"
	"sidecar/backend/llm"
	"sidecar/backend/llm/anthropic"
	"sidecar/backend/llm/gemini"
	"sidecar/backend/llm/openai"
	"sidecar/backend/profile"
)

// enableProviders registers the cloud and local model providers.
func enableProviders(ctx context.Context, svc *assistant.Service, prof *profile.Profile, modelsDir string) {
	svc.EnableCloud(ctx, prof.Keychain, CloudFactories()...)
	svc.EnableLocal(modelsDir, ggufrt.Runtime{}, gptjrt.Runtime{})
}

// CloudFactories lists the cloud providers this build has.
func CloudFactories() []assistant.CloudFactory {
	return []assistant.CloudFactory{
		{ID: openai.ID, Name: "OpenAI", New: func(key, base string) (llm.Provider, error) {
			return openai.New(openai.Config{APIKey: key, BaseURL: base})
		}},
		{ID: anthropic.ID, Name: "Anthropic", New: func(key, base string) (llm.Provider, error) {
			return anthropic.New(anthropic.Config{APIKey: key, BaseURL: base})
		}},
		{ID: gemini.ID, Name: "Google Gemini", New: func(key, base string) (llm.Provider, error) {
			return gemini.New(gemini.Config{APIKey: key, BaseURL: base})
		}},
	}
}
