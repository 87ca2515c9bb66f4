package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"sidecar/backend/gguf"
	"sidecar/backend/tokenizer"
)

// runTokenize prints the token ids of a text as a JSON array, adding
// BOS/EOS as the model's metadata says and parsing special-token text,
// as llama.cpp's tokenizer does by default.
func runTokenize(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("model tokenize", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	model := fs.String("model", "", "GGUF model file")
	text := fs.String("text", "", "text to tokenize")
	file := fs.String("file", "", "file whose content to tokenize")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *model == "" || given["text"] == given["file"] || fs.NArg() > 0 {
		return fmt.Errorf("%w: model tokenize needs --model PATH and one of --text T or --file F", ErrUsage)
	}
	input := *text
	if given["file"] {
		b, err := readBounded(*file, tokenizer.MaxInputBytes)
		if err != nil {
			return err
		}
		input = string(b)
	}
	f, err := gguf.Open(*model)
	if err != nil {
		return err
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return err
	}
	ids, err := tok.Encode(input, true, true)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []tokenizer.Token{}
	}
	return json.NewEncoder(out).Encode(ids)
}

// readBounded reads a whole file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than the %d bytes accepted", path, limit)
	}
	return b, nil
}
