package catalog

import (
	"sidecar/backend/llm"
	"sidecar/backend/llm/anthropic"
	"sidecar/backend/llm/gemini"
	"sidecar/backend/llm/openai"
)

// CloudFactory makes a cloud provider from the user's API key.
type CloudFactory struct {
	ID   string // provider ID, e.g. "openai"
	Name string // shown to the user, e.g. "OpenAI"
	// New returns a provider using key and, if not empty, baseURL.
	New func(key, baseURL string) (llm.Provider, error)
}

// CloudFactories lists the cloud providers this build has.
func CloudFactories() []CloudFactory {
	return []CloudFactory{
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

// CloudIDs are the IDs of CloudFactories (for wiping their keys).
func CloudIDs() []string {
	var ids []string
	for _, f := range CloudFactories() {
		ids = append(ids, f.ID)
	}
	return ids
}
