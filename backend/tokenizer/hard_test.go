package tokenizer

import (
	"encoding/json"
	"os"
	"testing"
)

// TestHardCasesAgainstLlamaCpp compares with what llama.cpp's own
// tokenizer (llama-tokenize) made of code, CJK, emoji, whitespace runs
// and special-token text (testdata/gen_hard.py): BOS/EOS added as the
// vocabulary says, special-token text parsed or not.
func TestHardCasesAgainstLlamaCpp(t *testing.T) {
	raw, err := os.ReadFile("testdata/hard_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Vocab        string  `json:"vocab"`
		Text         string  `json:"text"`
		ParseSpecial bool    `json:"parse_special"`
		IDs          []Token `json:"ids"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		name, pre := c.Vocab, ""
		if name == "qwen35" {
			name, pre = "qwen2", "qwen35"
		}
		tok := loadTokenizer(t, name, pre)
		got, err := tok.Encode(c.Text, true, c.ParseSpecial)
		if err != nil {
			t.Fatal(err)
		}
		if !equal(got, c.IDs) {
			t.Errorf("%s parse_special=%v %q:\n got %v\nwant %v", c.Vocab, c.ParseSpecial, c.Text, got, c.IDs)
		}
	}
	t.Logf("%d cases", len(cases))
}
