package llama

import (
	"context"
	"os"
	"testing"

	"sidecar/backend/gguf"
)

// FuzzFromFile mutates a real model's header: whatever parses either is
// refused with an error or loads and evaluates a token, never panics.
func FuzzFromFile(f *testing.F) {
	b, err := os.ReadFile("testdata/gemma2-w64-f32.gguf")
	if err != nil {
		f.Fatal(err)
	}
	const head = 16 << 10 // the metadata and tensor infos; the weights follow
	f.Add(b[:head])
	f.Fuzz(func(t *testing.T, h []byte) {
		if len(h) > head {
			return
		}
		file := append(append([]byte(nil), h...), b[min(len(h), len(b)):]...)
		g, err := gguf.Parse(file)
		if err != nil {
			return
		}
		m, err := FromFile(context.Background(), g, nil)
		if err != nil {
			return
		}
		s, err := m.NewState(4, 1)
		if err != nil {
			return
		}
		defer s.Close()
		s.Eval(context.Background(), []int{0, 1})
	})
}
