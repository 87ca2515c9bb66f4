// Package ggufrttest writes GGUF model files for tests: one of the
// random-weight models of backend/llama/testdata copied with a chat
// template and special tokens of a real model family, so that the
// runtime's templates, tool calls, reasoning and fill in the middle can
// be tried on a real file loaded by the real engine.
package ggufrttest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"sidecar/backend/gguf"
)

// Options say what changes in the copy.
type Options struct {
	Template string // tokenizer.chat_template ("" leaves it out)
	// Tokens renames vocabulary entries (id -> text); Types sets their
	// token types (3 control, 4 user-defined). The weights stay: the
	// new tokens take over the rows of the words they replace.
	Tokens map[int]string
	Types  map[int]int32
	EOS    int // tokenizer.ggml.eos_token_id; 0 keeps the file's
	// Flags sets boolean keys (tokenizer.ggml.add_bos_token...).
	Flags map[string]bool
	// Context sets the architecture's context_length (0 keeps it): the
	// test models say 256, too short for a template with tools.
	Context int
}

// Write copies the GGUF file src to dst with o applied.
func Write(dst, src string, o Options) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := gguf.Parse(raw)
	if err != nil {
		return err
	}
	defer f.Close()
	kvs := make([]gguf.KV, 0, len(f.KV)+1)
	for _, kv := range f.KV {
		if _, ok := o.Flags[kv.Key]; ok {
			continue
		}
		switch kv.Key {
		case "tokenizer.chat_template":
			continue
		case "tokenizer.ggml.tokens":
			toks := append([]string(nil), kv.Value.(gguf.Array).Values.([]string)...)
			for id, text := range o.Tokens {
				toks[id] = text
			}
			kv.Value = gguf.Array{Elem: gguf.TypeString, Values: toks}
		case "tokenizer.ggml.token_type":
			types := append([]int32(nil), kv.Value.(gguf.Array).Values.([]int32)...)
			for id, t := range o.Types {
				types[id] = t
			}
			kv.Value = gguf.Array{Elem: gguf.TypeInt32, Values: types}
		case "qwen2.context_length", "llama.context_length", "qwen3.context_length":
			if o.Context > 0 {
				kv.Type, kv.Value = gguf.TypeUint32, uint32(o.Context)
			}
		case "tokenizer.ggml.eos_token_id":
			if o.EOS > 0 {
				kv.Type, kv.Value = gguf.TypeUint32, uint32(o.EOS)
			}
		}
		kvs = append(kvs, kv)
	}
	if o.Template != "" {
		kvs = append(kvs, gguf.KV{Key: "tokenizer.chat_template", Type: gguf.TypeString, Value: o.Template})
	}
	for k, v := range o.Flags {
		kvs = append(kvs, gguf.KV{Key: k, Type: gguf.TypeBool, Value: v})
	}
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { w(uint64(len(s))); b.WriteString(s) }
	b.WriteString(gguf.Magic)
	w(f.Version)
	w(uint64(len(f.Tensors)))
	w(uint64(len(kvs)))
	for _, kv := range kvs {
		str(kv.Key)
		w(uint32(kv.Type))
		if err := value(&b, kv.Value); err != nil {
			return fmt.Errorf("ggufrttest: %s: %w", kv.Key, err)
		}
	}
	for _, t := range f.Tensors {
		str(t.Name)
		w(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			w(uint64(d))
		}
		w(uint32(t.Type))
		w(uint64(t.Offset))
	}
	for int64(b.Len())%f.Alignment != 0 {
		b.WriteByte(0)
	}
	b.Write(raw[f.DataOffset:])
	return os.WriteFile(dst, b.Bytes(), 0o600)
}

// value writes a metadata value without its type tag.
func value(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case string:
		binary.Write(b, binary.LittleEndian, uint64(len(x)))
		b.WriteString(x)
	case bool:
		if x {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
	case gguf.Array:
		binary.Write(b, binary.LittleEndian, uint32(x.Elem))
		binary.Write(b, binary.LittleEndian, uint64(x.Len()))
		switch vs := x.Values.(type) {
		case []string:
			for _, s := range vs {
				value(b, s)
			}
		case []bool:
			for _, s := range vs {
				value(b, s)
			}
		case []gguf.Array:
			for _, s := range vs {
				if err := value(b, s); err != nil {
					return err
				}
			}
		default:
			return binary.Write(b, binary.LittleEndian, vs)
		}
	case uint8, int8, uint16, int16, uint32, int32, float32, uint64, int64, float64:
		return binary.Write(b, binary.LittleEndian, x)
	default:
		return fmt.Errorf("value of type %T", v)
	}
	return nil
}

// The special tokens Qwen gives the test model, in place of words its
// vocabulary does not need (ids 259-287 are the words w0-w28), and a
// space piece so that text with spaces comes back as it went in.
const (
	Space       = 278 // ▁
	ThinkEnd    = 279 // </think>
	Think       = 280 // <think>
	ToolCallEnd = 281 // </tool_call>
	ToolCall    = 282 // <tool_call>
	FIMMiddle   = 283 // <|fim_middle|>
	FIMSuffix   = 284 // <|fim_suffix|>
	FIMPrefix   = 285 // <|fim_prefix|>
	IMStart     = 286 // <|im_start|>
	IMEnd       = 287 // <|im_end|>, the end of a turn
)

// dir is this package's folder: the test data is found from it.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Template returns a chat template of backend/chattmpl/testdata by its
// name ("Qwen-Qwen2.5-7B-Instruct").
func Template(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir(), "..", "..", "chattmpl", "testdata", name+".jinja"))
	return string(b), err
}

// Qwen writes to dst the qwen2 test model with the template named (see
// Template; "" for none) and Qwen's special tokens: chat (<|im_start|>,
// <|im_end|> as end of turn), tool calls, thinking, and fill in the
// middle as Qwen2.5-Coder has them. As Qwen's vocabulary, it adds no
// BOS and no space before the text.
func Qwen(dst, template string) error {
	o := Options{EOS: IMEnd, Context: 4096, Flags: map[string]bool{"tokenizer.ggml.add_bos_token": false, "tokenizer.ggml.add_space_prefix": false}, Tokens: map[int]string{
		Space:    "\u2581",
		ThinkEnd: "</think>", Think: "<think>", ToolCallEnd: "</tool_call>", ToolCall: "<tool_call>",
		FIMMiddle: "<|fim_middle|>", FIMSuffix: "<|fim_suffix|>", FIMPrefix: "<|fim_prefix|>",
		IMStart: "<|im_start|>", IMEnd: "<|im_end|>",
	}, Types: map[int]int32{Space: 1, ThinkEnd: 4, Think: 4, ToolCallEnd: 4, ToolCall: 4, FIMMiddle: 3, FIMSuffix: 3, FIMPrefix: 3, IMStart: 3, IMEnd: 3}}
	if template != "" {
		var err error
		if o.Template, err = Template(template); err != nil {
			return err
		}
	}
	return Write(dst, filepath.Join(dir(), "..", "..", "llama", "testdata", "qwen2-w64-f32.gguf"), o)
}

// Plain writes to dst the qwen2 test model with neither a template nor
// FIM tokens (a base model), and that adds no BOS and no space before the text.
func Plain(dst string) error {
	return Write(dst, filepath.Join(dir(), "..", "..", "llama", "testdata", "qwen2-w64-f32.gguf"), Options{
		Context: 4096, Flags: map[string]bool{"tokenizer.ggml.add_bos_token": false, "tokenizer.ggml.add_space_prefix": false},
		Tokens: map[int]string{Space: "\u2581"}, Types: map[int]int32{Space: 1}})
}
