package tokenizer

import (
	"testing"
	"unicode/utf8"
)

// FuzzRoundTrip: any text encodes without error and decodes back to
// itself (byte-level BPE keeps even invalid UTF-8; SentencePiece falls
// back to bytes).
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", " \t\n", "<|im_start|>x", "\xff\xfe", "é́😀", "  a  b  ", "'s'S'll"} {
		f.Add(s)
	}
	spm, bpe := loadTokenizer(f, "llama-spm", ""), loadTokenizer(f, "qwen2", "")
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range []*Tokenizer{spm, bpe} {
			ids, err := tok.Encode(s, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) > 3*len(s)+1 { // a space becomes "▁", three bytes
				t.Fatalf("%d tokens for %d bytes", len(ids), len(s))
			}
			got := tok.Decode(ids)
			if got != s && (tok.spm && utf8.ValidString(s) || !tok.spm) {
				t.Fatalf("round trip of %q gave %q", s, got)
			}
		}
	})
}
