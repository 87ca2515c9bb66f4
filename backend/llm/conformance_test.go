package llm_test

import (
	"testing"
	"time"

	"sidecar/backend/llm"
	"sidecar/backend/llm/llmtest"
)

// The built-in echo model keeps the contract every provider keeps.
func TestEchoConformance(t *testing.T) {
	llmtest.Run(t, func(*testing.T) llmtest.Target {
		return llmtest.Target{Provider: &llm.Echo{Delay: time.Millisecond}, Model: llm.EchoModelID}
	}, llmtest.Options{Want: "Echo: hi", Pieces: 2, Usage: llm.Usage{PromptTokens: 1, CompletionTokens: 2}})
}
