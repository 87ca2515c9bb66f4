package chattmpl

import (
	"fmt"

	"sidecar/backend/gguf"
)

// FromGGUF compiles the chat template a GGUF file carries
// (tokenizer.chat_template); ErrNoTemplate when it has none.
func FromGGUF(f *gguf.File) (*Template, error) {
	src, err := f.StringOr("tokenizer.chat_template", "")
	if err != nil {
		return nil, fmt.Errorf("chattmpl: %w", err)
	}
	return Parse(src)
}
