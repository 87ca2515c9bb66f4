package llm

import "context"

// Embedder turns texts into vectors with a provider's embedding model.
type Embedder interface {
	// Embed returns one vector per input, in order.
	Embed(ctx context.Context, model string, inputs []string) ([][]float32, error)
}
