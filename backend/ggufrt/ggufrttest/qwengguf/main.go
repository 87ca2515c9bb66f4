// Command qwengguf writes the random-weight qwen2 test model with Qwen's
// special tokens and a real chat template (ggufrttest.Qwen), for the
// end-to-end tests that import a GGUF model in the window:
//
//	go run ./backend/ggufrt/ggufrttest/qwengguf DST [TEMPLATE]
//
// TEMPLATE names a template of backend/chattmpl/testdata (default
// Qwen-Qwen2.5-7B-Instruct).
package main

import (
	"fmt"
	"os"

	"sidecar/backend/ggufrt/ggufrttest"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: qwengguf DST [TEMPLATE]")
		os.Exit(2)
	}
	tmpl := "Qwen-Qwen2.5-7B-Instruct"
	if len(os.Args) == 3 {
		tmpl = os.Args[2]
	}
	if err := ggufrttest.Qwen(os.Args[1], tmpl); err != nil {
		fmt.Fprintln(os.Stderr, "qwengguf:", err)
		os.Exit(1)
	}
}
