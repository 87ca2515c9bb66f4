package models

import (
	"context"
	"encoding/json"
	"errors"

	"sidecar/backend/llm"
)

// Runtime is an engine that runs model files in-process (GPT-J, GGUF).
// The catalogue asks every runtime to Inspect a file the user adds and
// keeps it with the first that accepts it. Implementations must be safe
// for concurrent use; a malformed or hostile file gives an error, never a
// panic, a huge allocation or a read out of bounds.
type Runtime interface {
	// Engine names the runtime ("gptj", "gguf"); it is stored with each
	// model so the same engine loads it again.
	Engine() string
	// Inspect reads what it needs of path (a file or folder) to describe
	// the model without loading its weights. It returns an error wrapping
	// ErrNotMine when the file is not in a format this runtime reads, so
	// the catalogue can try the next one; any other error means "mine, but
	// broken" and is shown to the user.
	Inspect(ctx context.Context, path string) (Info, error)
	// Load loads the model for generation. It reports progress in [0, 1],
	// increasing, about a hundred calls at most, and must honour ctx: a
	// cancelled load returns ctx.Err() promptly and frees what it took.
	Load(ctx context.Context, path string, o LoadOptions) (Model, error)
}

// Converter is a Runtime that can keep a model's weights in another type
// than the file stores (LoadOptions.WeightType). A runtime without it uses
// weights as stored and is given WeightType "".
type Converter interface {
	// WeightTypes are the types it can keep weights in ("f16", "q8_0"...).
	WeightTypes() []string
}

// Errors runtimes wrap, for callers to test with errors.Is.
var (
	// ErrNotMine is wrapped by Runtime.Inspect for a file in another format.
	ErrNotMine = errors.New("models: not a format this runtime reads")
	// ErrNoTools is returned by Render for a prompt with tools when the
	// model cannot call tools.
	ErrNoTools = errors.New("models: this model cannot call tools")
)

// Info describes a model file as its runtime sees it. The JSON names are
// those the Models screen and the stored model list use.
type Info struct {
	Format       string `json:"format"`       // container, e.g. "gguf", "ggml gpt-j", "huggingface safetensors gpt-j"
	Architecture string `json:"architecture"` // family, e.g. "gptj", "llama", "qwen2", "gemma2", "phi3"
	// WeightType is the weights' type as stored: "f32", "f16", "bf16",
	// "q8_0", "q4_0", "q4_k_m" (for mixed files, the file's main type).
	WeightType   string       `json:"weightType"`
	Params       int64        `json:"params"`
	ContextMax   int          `json:"contextMax"` // the context length it was trained for
	SizeBytes    int64        `json:"sizeBytes"`
	Capabilities Capabilities `json:"capabilities"`
	// ChatTemplate is the template the file carries (Jinja for GGUF), ""
	// if none; it is not sent to the UI.
	ChatTemplate string `json:"-"`
	// OwnTemplate says chats are formatted with the file's own chat
	// template (false: a generic one, as the file has none that runs).
	OwnTemplate bool `json:"ownTemplate"`
}

// Capabilities say what a model can do beyond plain chat. A flag is set
// only when the model really supports it (its template or vocabulary
// has what it takes), since callers refuse requests on that basis.
type Capabilities struct {
	FillInMiddle bool `json:"fillInMiddle"` // has FIM tokens: implements Infiller
	ToolCalls    bool `json:"toolCalls"`    // its template renders tools and it emits calls
	Embeddings   bool `json:"embeddings"`   // implements Embedder
	Thinking     bool `json:"thinking"`     // reasons in marked-up text that Stream reports apart
	Vision       bool `json:"vision"`       // takes images
}

// LoadOptions are the per-model settings that shape the loaded weights
// and buffers (changing one means loading again).
type LoadOptions struct {
	// WeightType is the type to keep weights in ("" as stored); a runtime
	// that cannot convert to it returns an error.
	WeightType  string
	ContextSize int // tokens of KV cache; at most Info.ContextMax
	Threads     int // worker goroutines for the kernels
	// Progress receives the fraction loaded; nil ignores it.
	Progress func(fraction float64)
}

// Tool is a function a template lists for the model to call. It has the
// shape of a request's tool (name, description, JSON Schema parameters).
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage
}

// Prompt is a conversation to render with the model's chat template.
type Prompt struct {
	Messages []llm.Message
	Tools    []Tool
	// Think asks a model with the Thinking capability to reason first.
	Think bool
	// AddGenerationPrompt ends the text with the opening of the
	// assistant's turn (true for generation, false to count a history).
	AddGenerationPrompt bool
	// Template replaces the model's own template when not "" (a setting
	// the user may change); its syntax is the runtime's.
	Template string
}

// Sampling is how the next tokens are chosen, and when to stop.
type Sampling struct {
	Temperature   float64 // 0: greedy
	TopP          float64 // 1: off
	TopK          int     // 0: off
	RepeatPenalty float64 // 1: off
	MaxTokens     int
	Seed          int64
	Stop          []string // texts that end the answer, besides StopTokens
}

// Model is a loaded model. Stream and CountTokens may be called from
// several goroutines; a runtime serialises what must be.
type Model interface {
	// Info is what Inspect returned for the loaded file.
	Info() Info
	// Render formats p with the chat template: system prompts in their
	// order, tools where the template puts them, the generation prompt if
	// asked. Messages the template cannot express give an error.
	Render(p Prompt) (string, error)
	// CountTokens is the number of tokens Render(p) encodes to, as Stream
	// would feed them (special tokens included): context fitting uses it.
	CountTokens(p Prompt) (int, error)
	// StopTokens are the texts of the tokens that end a turn (EOS, EOT,
	// <|im_end|>...); Stream stops on them without emitting them.
	StopTokens() []string
	// Stream renders p with AddGenerationPrompt set, generates, and calls
	// onToken with each piece of text. It honours ctx between tokens and
	// reports the prompt and completion token counts.
	Stream(ctx context.Context, p Prompt, s Sampling, onToken llm.TokenFunc) (llm.Usage, error)
	// Close releases the model's memory; the model is unusable after it.
	Close() error
}

// Infiller is a Model with fill-in-the-middle tokens (Capabilities.FillInMiddle).
type Infiller interface {
	// Infill generates the text between prefix and suffix from the FIM
	// prompt in tokens (the user's text is not read for special tokens).
	Infill(ctx context.Context, prefix, suffix string, s Sampling, onToken llm.TokenFunc) (llm.Usage, error)
}

// EventStreamer is a Model that reports tool calls and reasoning apart
// from the answer text (Capabilities.ToolCalls, Capabilities.Thinking):
// Stream, with events instead of text.
type EventStreamer interface {
	StreamEvents(ctx context.Context, p Prompt, s Sampling, on llm.EventFunc) (llm.Usage, error)
}

// Completer is a Model that continues text as it is, without a chat
// template (raw prompts and fill in the middle).
type Completer interface {
	Complete(ctx context.Context, text string, s Sampling, onToken llm.TokenFunc) (llm.Usage, error)
}

// Embedder is a Model that turns texts into vectors (Capabilities.Embeddings).
type Embedder interface {
	Dims() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}
