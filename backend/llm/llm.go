// Package llm defines the provider-neutral types for chat generation and the
// streaming contract every model provider (local GPT-J, cloud APIs, the
// built-in echo provider) implements.
package llm

import (
	"context"
	"errors"
)

// Role is who wrote a message.
type Role string

// The roles a chat message can have.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one turn of a conversation sent to a provider.
type Message struct {
	Role    Role
	Content string
}

// Request asks a provider to continue a conversation.
type Request struct {
	Model       string    // model ID within the provider
	Messages    []Message // oldest first
	MaxTokens   int       // 0: provider default
	Temperature *float64  // nil: provider default
	TopP        *float64
	Seed        *int64
	Stop        []string
}

// Usage reports what a generation cost.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Model describes a model a provider offers.
type Model struct {
	ID       string // unique within the provider
	Name     string // shown to the user
	Provider string // provider ID
	Local    bool   // runs on this machine
}

// TokenFunc receives each piece of generated text as soon as it exists.
// Returning an error stops the generation with that error.
type TokenFunc func(text string) error

// Provider generates text. Implementations must honour ctx: when it is
// cancelled, Stream returns promptly with ctx.Err() (possibly wrapped).
type Provider interface {
	// ID is the stable identifier stored with each answer, e.g. "echo".
	ID() string
	// Models lists the models this provider offers now.
	Models(ctx context.Context) ([]Model, error)
	// Stream generates a reply to req, calling onToken for every piece of
	// text in order, and returns usage when the reply is complete.
	Stream(ctx context.Context, req Request, onToken TokenFunc) (Usage, error)
}

// ErrUnknownModel is returned when a request names a model the provider
// does not have.
var ErrUnknownModel = errors.New("unknown model")
