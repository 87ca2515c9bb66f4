package bert

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// WordPiece is BERT's tokenizer: normalisation (clean-up, lower case,
// accents removed), splitting at spaces and punctuation, then the longest
// vocabulary pieces of each word ("##" marks a continuation).
type WordPiece struct {
	vocab         map[string]int
	unk, cls, sep int
	lower, strip  bool
	prefix        string
	maxChars      int
}

// LoadTokenizer reads tokenizer.json (WordPiece model), or vocab.txt.
func LoadTokenizer(dir string) (*WordPiece, error) {
	b, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return loadVocabTxt(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var tj struct {
		Normalizer *struct {
			Type         string `json:"type"`
			Lowercase    *bool  `json:"lowercase"`
			StripAccents *bool  `json:"strip_accents"`
		} `json:"normalizer"`
		Model struct {
			Type     string         `json:"type"`
			Vocab    map[string]int `json:"vocab"`
			Unk      string         `json:"unk_token"`
			Prefix   string         `json:"continuing_subword_prefix"`
			MaxChars int            `json:"max_input_chars_per_word"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, fmt.Errorf("%w: tokenizer.json: %v", ErrFormat, err)
	}
	if tj.Model.Type != "WordPiece" {
		return nil, fmt.Errorf("%w: tokenizer.json has a %q model, not WordPiece", ErrFormat, tj.Model.Type)
	}
	t := &WordPiece{vocab: tj.Model.Vocab, lower: true, prefix: tj.Model.Prefix, maxChars: tj.Model.MaxChars}
	if n := tj.Normalizer; n != nil && n.Type == "BertNormalizer" {
		if n.Lowercase != nil {
			t.lower = *n.Lowercase
		}
		t.strip = t.lower
		if n.StripAccents != nil {
			t.strip = *n.StripAccents
		}
	} else if n == nil {
		t.lower, t.strip = false, false
	}
	return t, t.finish(tj.Model.Unk)
}

func loadVocabTxt(dir string) (*WordPiece, error) {
	b, err := os.ReadFile(filepath.Join(dir, "vocab.txt"))
	if err != nil {
		return nil, fmt.Errorf("%w: neither tokenizer.json nor vocab.txt: %v", ErrFormat, err)
	}
	t := &WordPiece{vocab: map[string]int{}, lower: true, strip: true}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for i := 0; sc.Scan(); i++ {
		t.vocab[strings.TrimRight(sc.Text(), "\r")] = i
	}
	return t, t.finish("[UNK]")
}

func (t *WordPiece) finish(unk string) error {
	if t.prefix == "" {
		t.prefix = "##"
	}
	if t.maxChars <= 0 {
		t.maxChars = 100
	}
	if unk == "" {
		unk = "[UNK]"
	}
	for _, s := range []struct {
		name string
		dst  *int
	}{{unk, &t.unk}, {"[CLS]", &t.cls}, {"[SEP]", &t.sep}} {
		id, ok := t.vocab[s.name]
		if !ok {
			return fmt.Errorf("%w: the vocabulary has no %s", ErrFormat, s.name)
		}
		*s.dst = id
	}
	for tok, id := range t.vocab {
		if id < 0 || id >= len(t.vocab)*4+16 {
			return fmt.Errorf("%w: token %q has id %d", ErrFormat, tok, id)
		}
	}
	return nil
}

// Size is the largest id plus one.
func (t *WordPiece) Size() int {
	n := 0
	for _, id := range t.vocab {
		n = max(n, id+1)
	}
	return n
}

// Encode returns [CLS] pieces… [SEP], at most maxLen ids.
func (t *WordPiece) Encode(text string, maxLen int) []int {
	ids := []int{t.cls}
	for _, w := range t.words(text) {
		for _, id := range t.pieces(w) {
			if len(ids) >= maxLen-1 {
				return append(ids, t.sep)
			}
			ids = append(ids, id)
		}
	}
	return append(ids, t.sep)
}

// Pieces returns the tokens of text, without [CLS] and [SEP] (tests,
// diagnostics).
func (t *WordPiece) Pieces(text string) []string {
	inv := map[int]string{}
	for s, id := range t.vocab {
		inv[id] = s
	}
	var out []string
	for _, w := range t.words(text) {
		for _, id := range t.pieces(w) {
			out = append(out, inv[id])
		}
	}
	return out
}

// words normalises text and splits it at spaces and punctuation.
func (t *WordPiece) words(text string) []string {
	if t.lower {
		text = strings.ToLower(text)
	}
	if t.strip {
		text = norm.NFD.String(text)
	}
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r == 0 || r == 0xfffd || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'):
			continue
		case t.strip && unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			flush()
		case isPunct(r) || isCJK(r):
			flush()
			words = append(words, string(r))
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return words
}

// pieces splits one word greedily into the longest vocabulary pieces; a
// word that cannot be split is [UNK].
func (t *WordPiece) pieces(w string) []int {
	if len([]rune(w)) > t.maxChars {
		return []int{t.unk}
	}
	var out []int
	for start := 0; start < len(w); {
		end, id := len(w), -1
		for ; end > start; end-- {
			if !utf8Boundary(w, end) {
				continue
			}
			s := w[start:end]
			if start > 0 {
				s = t.prefix + s
			}
			if v, ok := t.vocab[s]; ok {
				id = v
				break
			}
		}
		if id < 0 {
			return []int{t.unk}
		}
		out = append(out, id)
		start = end
	}
	return out
}

func utf8Boundary(s string, i int) bool { return i == len(s) || s[i]&0xC0 != 0x80 }

// isPunct is BERT's punctuation: ASCII symbols and Unicode P* classes.
func isPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}

// isCJK reports CJK ideographs, which BERT treats as words of their own.
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) || (r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}
