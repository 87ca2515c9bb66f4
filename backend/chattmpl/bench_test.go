package chattmpl

import (
	"context"
	"os"
	"testing"

	"github.com/ardanlabs/jinja"
)

// BenchmarkRender renders a long chat (the test conversation with tools,
// its turns repeated 100 times) with real templates, through the checks
// and through the bare engine (the same template text and variables, the
// tree not edited), to show what the checks cost.
func BenchmarkRender(b *testing.B) {
	var conv conversation
	for _, c := range loadConversations(b) {
		if c.Name == "tools" {
			conv = c
		}
	}
	in := conv.input()
	var msgs []Message
	for i := 0; i < 100; i++ {
		for _, m := range in.Messages {
			if m.Role != "system" || i == 0 {
				msgs = append(msgs, m)
			}
		}
	}
	in.Messages = msgs
	for _, name := range []string{"Qwen-Qwen2.5-7B-Instruct", "meta-llama-Llama-3.1-8B-Instruct", "upstage-Solar-Open-100B"} {
		src, err := os.ReadFile("testdata/" + name + ".jinja")
		if err != nil {
			b.Fatal(err)
		}
		checked, err := Parse(string(src))
		if err != nil {
			b.Fatal(err)
		}
		guarded, err := guardMacros(string(src))
		if err != nil {
			b.Fatal(err)
		}
		bare, err := jinja.Compile(guarded)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/checked", func(b *testing.B) {
			for b.Loop() {
				if _, err := checked.Render(in); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/bare", func(b *testing.B) {
			for b.Loop() {
				data, err := values(in, newBudget(context.Background(), inputBytes(in), int64(len(in.Messages))))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := bare.RenderValues(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
