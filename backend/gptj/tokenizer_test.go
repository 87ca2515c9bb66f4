package gptj

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var roundTrip = []string{
	"hello world",
	"  leading spaces and trailing  ",
	"tabs\tand\nnewlines\r\n\n",
	"func main() {\n\tfmt.Println(\"héllo, 世界\")\n}\n",
	"emoji 🚀🔥 and combining é (e\u0301)",
	"it's we're they've I'm you'll he'd",
	"numbers 12345 and symbols !@#$%^&*()",
	"",
}

func TestR50kRoundTrip(t *testing.T) {
	tok, err := loadHFTokenizer(t.TempDir(), 50400)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Name() != "r50k_base" {
		t.Fatalf("GPT-J-sized model without files: %s", tok.Name())
	}
	for _, s := range roundTrip {
		if got := string(tok.Decode(tok.Encode(s))); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
	if ids := tok.Encode("hello world"); len(ids) != 2 || ids[0] != 31373 || ids[1] != 995 {
		t.Errorf("hello world = %v, want the r50k ids [31373 995]", ids)
	}
}

// A byte-level BPE built from the model's own files: every byte is a
// token, plus a few merges.
func TestBPEFromFilesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	bp, _ := newBPE([]byte(`{}`), nil) // for the byte table only
	vocab := map[string]int{}
	for b := 0; b < 256; b++ {
		vocab[string(bp.b2u[b])] = b
	}
	sp := string(bp.b2u[' '])
	merges := []string{"h e", "l l", "he ll", "hell o", sp + " w", "o r", sp + "w or", sp + "wor l", sp + "worl d"}
	for i, m := range merges {
		vocab[strings.ReplaceAll(m, " ", "")] = 256 + i
	}
	vb, _ := json.Marshal(vocab)
	os.WriteFile(filepath.Join(dir, "vocab.json"), vb, 0o644)
	os.WriteFile(filepath.Join(dir, "merges.txt"), []byte("#version: 0.2\n"+strings.Join(merges, "\n")+"\n"), 0o644)
	tok, err := loadHFTokenizer(dir, 300)
	if err != nil {
		t.Fatal(err)
	}
	ids := tok.Encode("hello world")
	if len(ids) != 2 || ids[0] != vocab["hello"] || ids[1] != vocab[sp+"world"] {
		t.Fatalf("hello world = %v", ids)
	}
	for _, s := range roundTrip {
		if got := string(tok.Decode(tok.Encode(s))); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
}

func TestVocabAndByteTokenizers(t *testing.T) {
	v := newVocabTokenizer([]string{"a", "b", "ab", "abc", "\n"})
	if ids := v.Encode("abcab\nb"); len(ids) != 4 || ids[0] != 3 || ids[1] != 2 {
		t.Fatalf("longest match = %v", ids)
	}
	if string(v.Decode(v.Encode("abcab\nb"))) != "abcab\nb" {
		t.Fatal("vocab round trip")
	}
	var b byteTokenizer
	for _, s := range roundTrip {
		if string(b.Decode(b.Encode(s))) != s {
			t.Errorf("bytes round trip %q", s)
		}
	}
}

func TestPretokenizeKeepsEveryRune(t *testing.T) {
	for _, s := range roundTrip {
		if got := strings.Join(pretokenize(s), ""); got != s {
			t.Errorf("pretokenize(%q) lost text: %q", s, got)
		}
	}
}
