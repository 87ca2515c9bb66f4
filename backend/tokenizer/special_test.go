package tokenizer

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// The special ids llama.cpp reports for the committed vocabularies
// (llama-tokenize --verbose, print_info lines).
func TestSpecialIDsAsLlamaCpp(t *testing.T) {
	cases := []struct {
		vocab         string
		bos, eos, eot Token
		eog           []Token
		fim           FIM
	}{
		{"starcoder", 0, 0, 0, []Token{0, 4}, FIM{1, 3, 2, 4, None, None}},
		{"qwen2", 151643, 151643, 151645, []Token{128247, 151643, 151645}, FIM{None, None, None, None, None, None}},
		{"llama-bpe", 128000, 128001, 128009, []Token{128001, 128009}, FIM{None, None, None, None, None, None}},
		{"phi-3", 1, 32000, 32007, []Token{2, 32000, 32007}, FIM{None, None, None, None, None, None}},
		{"llama-spm", 1, 2, None, []Token{2}, FIM{None, None, None, None, None, None}},
		{"deepseek-coder", 32013, 32014, 32014, []Token{32014}, FIM{32016, 32015, 32017, None, None, None}},
	}
	for _, c := range cases {
		tok := loadTokenizer(t, c.vocab, "")
		if tok.BOS() != c.bos || tok.EOS() != c.eos || tok.EOT() != c.eot {
			t.Errorf("%s: bos/eos/eot %d/%d/%d, want %d/%d/%d", c.vocab, tok.BOS(), tok.EOS(), tok.EOT(), c.bos, c.eos, c.eot)
		}
		if !equal(tok.EOG(), c.eog) {
			t.Errorf("%s: eog %v, want %v", c.vocab, tok.EOG(), c.eog)
		}
		if tok.FIM() != c.fim {
			t.Errorf("%s: fim %+v, want %+v", c.vocab, tok.FIM(), c.fim)
		}
	}
}

// FIM tokens found by their text in the Qwen2.5-Coder and CodeLlama
// layouts when the metadata names none.
func TestFIMByText(t *testing.T) {
	qwen := NewVocab()
	qwen.Model, qwen.Pre = "gpt2", "qwen2"
	qwen.Tokens = []string{"a", "b", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"}
	qwen.Merges = []string{"a b"}
	tok, err := New(qwen)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tok.FIM(), (FIM{2, 4, 3, 5, 6, 7}); got != want || !got.OK() {
		t.Fatalf("qwen fim %+v, want %+v", got, want)
	}
	if !tok.IsEOG(5) || !tok.IsEOG(7) || tok.IsEOG(2) {
		t.Fatal("fim pad and file separator end generation, the prefix does not")
	}
	codellama := NewVocab()
	codellama.Model = "llama"
	codellama.Tokens = []string{"<unk>", "<s>", "</s>", "▁<PRE>", "▁<MID>", "▁<SUF>", "▁<EOT>"}
	tok, err = New(codellama)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.FIM(); got.Prefix != 3 || got.Middle != 4 || got.Suffix != 5 {
		t.Fatalf("codellama fim %+v", got)
	}
	plain := NewVocab()
	plain.Model = "llama"
	plain.Tokens = []string{"<unk>", "<s>", "</s>", "a"}
	if tok, err = New(plain); err != nil || tok.FIM().OK() {
		t.Fatalf("a vocabulary without FIM tokens: %+v %v", tok.FIM(), err)
	}
}

func hardTexts(t *testing.T) []string {
	raw, err := os.ReadFile("testdata/hard_texts.json")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	if err := json.Unmarshal(raw, &texts); err != nil {
		t.Fatal(err)
	}
	return texts
}

// Encoding then decoding gives the text back (control tokens aside),
// and streaming never cuts a character.
func TestDecodeRoundTripAndStream(t *testing.T) {
	for _, name := range []string{"llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "deepseek-coder", "starcoder"} {
		tok := loadTokenizer(t, name, "")
		for _, text := range hardTexts(t) {
			ids, err := tok.Encode(text, true, false)
			if err != nil {
				t.Fatal(err)
			}
			want := text
			if got := tok.Decode(ids); got != want {
				t.Errorf("%s: decode(encode(%q)) = %q", name, text, got)
			}
			d := tok.NewDecoder()
			var b strings.Builder
			for _, id := range ids {
				s := d.Next(id)
				if !utf8.ValidString(s) {
					t.Errorf("%s: streaming %q gave a cut character %q", name, text, s)
				}
				b.WriteString(s)
			}
			b.WriteString(d.Flush())
			if tok.spm && tok.addSpacePrefix && text != "" {
				want = " " + text // a stream keeps the space the encoder put first
			}
			if got := b.String(); got != want {
				t.Errorf("%s: streamed %q, want %q", name, got, want)
			}
		}
	}
}

// Control tokens never reach the user; user-defined ones do.
func TestDecodeHidesControlTokens(t *testing.T) {
	tok := loadTokenizer(t, "qwen2", "")
	ids, err := tok.Encode("<|im_start|>assistant\nHi<|im_end|><|endoftext|>", false, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Decode(ids); got != "assistant\nHi" {
		t.Fatalf("decoded %q", got)
	}
	if !tok.IsControl(ids[0]) || string(tok.Piece(ids[0], true)) != "<|im_start|>" {
		t.Fatalf("%d is not shown as <|im_start|> with special", ids[0])
	}
}

func TestStreamHoldsSplitCharacters(t *testing.T) {
	tok := loadTokenizer(t, "gpt-2", "")
	// GPT-2 has no token for this emoji: its four bytes come as pieces.
	ids, err := tok.Encode("🦙", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 2 {
		t.Fatalf("want the emoji split across tokens, got %v", ids)
	}
	d := tok.NewDecoder()
	for _, id := range ids[:len(ids)-1] {
		if s := d.Next(id); s != "" {
			t.Fatalf("emitted %q before the character was complete", s)
		}
	}
	if s := d.Next(ids[len(ids)-1]); s != "🦙" {
		t.Fatalf("got %q", s)
	}
	d.Next(ids[0])
	if s := d.Flush(); s != "\uFFFD" {
		t.Fatalf("flush of an incomplete character: %q", s)
	}
}

func TestBadVocabularies(t *testing.T) {
	cases := []struct {
		name string
		v    func() Vocab
		want string
	}{
		{"empty", func() Vocab { v := NewVocab(); v.Model = "llama"; return v }, "no tokens"},
		{"short scores", func() Vocab {
			v := NewVocab()
			v.Model, v.Tokens, v.Scores = "llama", []string{"a", "b"}, []float32{0}
			return v
		}, "1 scores for 2 tokens"},
		{"short types", func() Vocab {
			v := NewVocab()
			v.Model, v.Tokens, v.Types = "llama", []string{"a", "b"}, []int32{1}
			return v
		}, "1 token types"},
		{"bpe without merges", func() Vocab { v := NewVocab(); v.Model, v.Tokens = "gpt2", []string{"a"}; return v }, "without merges"},
		{"unknown model", func() Vocab { v := NewVocab(); v.Model, v.Tokens = "bert", []string{"a"}; return v }, `unsupported tokenizer model "bert"`},
		{"unknown pre", func() Vocab {
			v := NewVocab()
			v.Model, v.Pre, v.Tokens, v.Merges = "gpt2", "klingon", []string{"a"}, []string{}
			return v
		}, `unsupported pre-tokenizer "klingon"`},
		{"repeated token", func() Vocab {
			v := NewVocab()
			v.Model, v.Tokens = "llama", []string{"a", "b", "a"}
			return v
		}, `token 2 repeats the text "a"`},
		{"ids out of range", func() Vocab {
			v := NewVocab()
			v.Model, v.Tokens, v.BOS, v.EOS = "llama", []string{"a"}, 99, -7
			return v
		}, ""},
	}
	for _, c := range cases {
		tok, err := New(c.v())
		if c.want == "" {
			if err != nil || tok.BOS() != None || tok.EOS() != None {
				t.Errorf("%s: ids out of range must be dropped: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	tok := loadTokenizer(t, "llama-spm", "")
	if _, err := tok.Encode(strings.Repeat("a", MaxInputBytes+1), false, false); err == nil {
		t.Fatal("an oversized text was accepted")
	}
}
