package gptj

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer"
)

// Tokenizer turns text into token IDs and back.
type Tokenizer interface {
	Encode(text string) []int
	// Decode returns the bytes of the tokens (a UTF-8 character may span
	// tokens: join before converting to text).
	Decode(ids []int) []byte
	Name() string
}

// vocabTokenizer uses a legacy file's vocabulary: greedy longest match.
type vocabTokenizer struct {
	tokens []string
	index  map[string]int
	maxLen int
}

func newVocabTokenizer(vocab []string) *vocabTokenizer {
	t := &vocabTokenizer{tokens: vocab, index: map[string]int{}}
	for i, s := range vocab {
		if _, dup := t.index[s]; !dup && s != "" {
			t.index[s] = i
		}
		t.maxLen = max(t.maxLen, len(s))
	}
	return t
}

func (t *vocabTokenizer) Name() string { return "file vocabulary" }

func (t *vocabTokenizer) Encode(text string) []int {
	var out []int
	for i := 0; i < len(text); {
		n := min(t.maxLen, len(text)-i)
		for ; n > 0; n-- {
			if id, ok := t.index[text[i:i+n]]; ok {
				out = append(out, id)
				break
			}
		}
		if n == 0 {
			i++ // a byte the vocabulary cannot spell is dropped
			continue
		}
		i += n
	}
	return out
}

func (t *vocabTokenizer) Decode(ids []int) []byte {
	var b []byte
	for _, id := range ids {
		if id >= 0 && id < len(t.tokens) {
			b = append(b, t.tokens[id]...)
		}
	}
	return b
}

// byteTokenizer maps each byte to the token of the same number, for small
// models without tokenizer files.
type byteTokenizer struct{}

func (byteTokenizer) Name() string { return "bytes" }
func (byteTokenizer) Encode(text string) []int {
	out := make([]int, len(text))
	for i := 0; i < len(text); i++ {
		out[i] = int(text[i])
	}
	return out
}
func (byteTokenizer) Decode(ids []int) []byte {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id >= 0 && id < 256 {
			b = append(b, byte(id))
		}
	}
	return b
}

// tiktokenTokenizer is r50k_base, GPT-J's own vocabulary, for GPT-J-sized
// models that come without tokenizer files.
type tiktokenTokenizer struct{ c tokenizer.Codec }

func (t tiktokenTokenizer) Name() string { return "r50k_base" }
func (t tiktokenTokenizer) Encode(text string) []int {
	ids, _, _ := t.c.Encode(text)
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out
}
func (t tiktokenTokenizer) Decode(ids []int) []byte {
	u := make([]uint, 0, len(ids))
	for _, id := range ids {
		if id >= 0 && id < 50257 {
			u = append(u, uint(id))
		}
	}
	s, _ := t.c.Decode(u)
	return []byte(s)
}

// bpeTokenizer is GPT-2 byte-level BPE from vocab.json and merges.txt.
type bpeTokenizer struct {
	enc     map[string]int
	dec     []string
	ranks   map[[2]string]int
	b2u     [256]rune
	u2b     map[rune]byte
	special map[string]int
}

func (t *bpeTokenizer) Name() string { return "gpt2 bpe" }

func loadHFTokenizer(dir string, nVocab int) (Tokenizer, error) {
	vb, verr := os.ReadFile(filepath.Join(dir, "vocab.json"))
	mb, merr := os.ReadFile(filepath.Join(dir, "merges.txt"))
	if verr == nil && merr == nil {
		return newBPE(vb, mb)
	}
	if tb, err := os.ReadFile(filepath.Join(dir, "tokenizer.json")); err == nil {
		var tj struct {
			Model struct {
				Vocab  map[string]int  `json:"vocab"`
				Merges json.RawMessage `json:"merges"`
			} `json:"model"`
		}
		if err := json.Unmarshal(tb, &tj); err != nil {
			return nil, fmt.Errorf("%w: tokenizer.json: %v", ErrFormat, err)
		}
		var merges []string
		if err := json.Unmarshal(tj.Model.Merges, &merges); err != nil {
			var pairs [][2]string
			if err := json.Unmarshal(tj.Model.Merges, &pairs); err != nil {
				return nil, fmt.Errorf("%w: tokenizer.json merges", ErrFormat)
			}
			for _, p := range pairs {
				merges = append(merges, p[0]+" "+p[1])
			}
		}
		vb, _ := json.Marshal(tj.Model.Vocab)
		return newBPE(vb, []byte(strings.Join(merges, "\n")))
	}
	if nVocab >= 50257 {
		c, err := tokenizer.Get(tokenizer.R50kBase)
		if err != nil {
			return nil, fmt.Errorf("gptj: r50k_base: %w", err)
		}
		return tiktokenTokenizer{c}, nil
	}
	if nVocab >= 256 {
		return byteTokenizer{}, nil
	}
	return nil, errors.New("gptj: the model has no tokenizer files and too small a vocabulary for bytes")
}

func newBPE(vocabJSON, merges []byte) (*bpeTokenizer, error) {
	t := &bpeTokenizer{enc: map[string]int{}, ranks: map[[2]string]int{}, u2b: map[rune]byte{}, special: map[string]int{}}
	if err := json.Unmarshal(vocabJSON, &t.enc); err != nil {
		return nil, fmt.Errorf("%w: vocab.json: %v", ErrFormat, err)
	}
	maxID := 0
	for _, id := range t.enc {
		if id < 0 || id > maxVocab {
			return nil, fmt.Errorf("%w: vocab.json has id %d", ErrFormat, id)
		}
		maxID = max(maxID, id)
	}
	t.dec = make([]string, maxID+1)
	for s, id := range t.enc {
		t.dec[id] = s
		if strings.HasPrefix(s, "<|") && strings.HasSuffix(s, "|>") {
			t.special[s] = id
		}
	}
	for i, line := range strings.Split(string(merges), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#version") {
			continue
		}
		a, b, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%w: merges line %d", ErrFormat, i+1)
		}
		t.ranks[[2]string{a, b}] = i
	}
	// GPT-2's byte to printable-rune table.
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			t.b2u[b] = rune(b)
		} else {
			t.b2u[b] = rune(256 + n)
			n++
		}
		t.u2b[t.b2u[b]] = byte(b)
	}
	return t, nil
}

// pretokenize splits text the way GPT-2 does: contractions, optional
// space + letters, optional space + digits, optional space + other
// symbols, and whitespace (a run before a word leaves its last space to
// the word).
func pretokenize(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		start := i
		if rs[i] == '\'' && i+1 < len(rs) {
			for _, c := range []string{"s", "t", "re", "ve", "m", "ll", "d"} {
				if strings.HasPrefix(string(rs[i+1:min(len(rs), i+3)]), c) {
					out = append(out, "'"+c)
					i += 1 + len(c)
					break
				}
			}
			if i != start {
				continue
			}
		}
		j := i
		if rs[j] == ' ' && j+1 < len(rs) && !unicode.IsSpace(rs[j+1]) {
			j++
		}
		switch {
		case unicode.IsLetter(rs[j]):
			for j < len(rs) && unicode.IsLetter(rs[j]) {
				j++
			}
		case unicode.IsNumber(rs[j]):
			for j < len(rs) && unicode.IsNumber(rs[j]) {
				j++
			}
		case !unicode.IsSpace(rs[j]):
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !unicode.IsLetter(rs[j]) && !unicode.IsNumber(rs[j]) {
				j++
			}
		default:
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
			// Leave one space for a following word.
			if j < len(rs) && j-i > 1 && rs[j-1] == ' ' {
				j--
			}
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

func (t *bpeTokenizer) Encode(text string) []int {
	var out []int
	for _, piece := range pretokenize(text) {
		var syms []string
		for _, b := range []byte(piece) {
			syms = append(syms, string(t.b2u[b]))
		}
		for len(syms) > 1 {
			best, at := -1, -1
			for i := 0; i+1 < len(syms); i++ {
				if r, ok := t.ranks[[2]string{syms[i], syms[i+1]}]; ok && (best < 0 || r < best) {
					best, at = r, i
				}
			}
			if at < 0 {
				break
			}
			syms = append(syms[:at], append([]string{syms[at] + syms[at+1]}, syms[at+2:]...)...)
		}
		for _, s := range syms {
			if id, ok := t.enc[s]; ok {
				out = append(out, id)
			}
		}
	}
	return out
}

func (t *bpeTokenizer) Decode(ids []int) []byte {
	var b []byte
	for _, id := range ids {
		if id < 0 || id >= len(t.dec) {
			continue
		}
		for _, r := range t.dec[id] {
			if c, ok := t.u2b[r]; ok {
				b = append(b, c)
			} else {
				b = utf8.AppendRune(b, r)
			}
		}
	}
	return b
}
