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
	// Thinking is an assistant's earlier reasoning, when a client sends it
	// back; providers that cannot take it leave it out.
	Thinking string
	// ToolCalls are the calls an assistant message made.
	ToolCalls []ToolCall
	// ToolCallID and ToolName say which call a RoleTool message answers.
	ToolCallID string
	ToolName   string
	// Images go with a user message to a model that takes images
	// (Capabilities.Vision); providers of other models refuse them with
	// ErrNoVision.
	Images []Image
}

// Image is a picture given with a message: its bytes as the file has
// them and their media type (image/png, image/jpeg, image/gif,
// image/webp).
type Image struct {
	MIME string
	Data []byte
}

// ErrNoVision means images were sent to a model that cannot take them.
var ErrNoVision = errors.New("this model cannot take images")

// HasImages reports whether any of msgs carries an image.
func HasImages(msgs []Message) bool {
	for _, m := range msgs {
		if len(m.Images) > 0 {
			return true
		}
	}
	return false
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
	TopK        *int       // nil: provider default (local models and Gemini)
	Tools       []Tool     // functions the model may call (see EventStreamer)
	ToolChoice  ToolChoice // auto unless set
	NoParallel  bool       // at most one tool call per answer
	Think       bool       // ask a model that can reason to do so, and report it
	JSON        bool       // the answer must be one JSON value
	// Text, when set, asks for plain text continued without a chat
	// template (see TextPrompt). Providers that cannot take it answer
	// Messages, which say the same as a chat.
	Text *TextPrompt
}

// TextPrompt is text a model continues as it is: Prefix alone (a raw
// prompt), or with Suffix the text between the two (fill in the middle,
// with the model's FIM tokens).
type TextPrompt struct {
	Prefix, Suffix string
}

// ErrFIMUnsupported means a fill-in-the-middle request went to a model
// without fill-in-the-middle tokens.
var ErrFIMUnsupported = errors.New("this model cannot fill in the middle (it has no FIM tokens)")

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

// ErrEmptyRequest is returned for a request with neither messages nor a
// text prompt: providers refuse it before sending anything.
var ErrEmptyRequest = errors.New("the request has no messages")

// CheckRequest is what every provider checks before it sends req.
func CheckRequest(req Request) error {
	if len(req.Messages) == 0 && req.Text == nil {
		return ErrEmptyRequest
	}
	return nil
}

// Windowed is implemented by providers whose models have a fixed context
// window (local models). The assistant uses it to leave out the oldest
// turns of a long chat rather than fail.
type Windowed interface {
	// ContextWindow returns the model's context size in tokens and the
	// number of tokens reserved for the answer.
	ContextWindow(model string) (size, reserve int)
	// CountTokens returns how many tokens msgs take once formatted into
	// the model's prompt.
	CountTokens(model string, msgs []Message) (int, error)
}

// RequestCounter is implemented by providers that count the tokens of
// the prompt a request becomes exactly (local models: their template and
// tokenizer); it is found by type assertion.
type RequestCounter interface {
	CountRequest(ctx context.Context, req Request) (int, error)
}

// ErrContextTooLong means a prompt cannot fit the model's context.
var ErrContextTooLong = errors.New("the message is too long for the model's context")
