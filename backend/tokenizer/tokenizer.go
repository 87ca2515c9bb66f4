// Package tokenizer turns text into a model's token ids and back, from the
// vocabulary a GGUF file carries: SentencePiece (tokenizer.ggml.model
// "llama": scores, byte fallback, space prefix) and byte-level BPE ("gpt2":
// merges, with the pre-tokenizer tokenizer.ggml.pre names). Special-token
// text in the input is parsed as llama.cpp's tokenizer does, and decoding
// never shows control tokens nor splits a UTF-8 character.
package tokenizer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Token is a token id.
type Token = int32

// None marks a special token the vocabulary does not have.
const None Token = -1

// Token types as GGUF stores them in tokenizer.ggml.token_type.
const (
	TypeUndefined   = 0
	TypeNormal      = 1
	TypeUnknown     = 2
	TypeControl     = 3
	TypeUserDefined = 4
	TypeUnused      = 5
	TypeByte        = 6
)

// MaxTokens bounds the vocabulary size accepted.
const MaxTokens = 1 << 22

// Vocab is a model's vocabulary as its file describes it. Optional flags
// are nil when the file does not set them; ids are None when absent.
type Vocab struct {
	Model     string   // tokenizer.ggml.model: "llama" or "gpt2"
	Pre       string   // tokenizer.ggml.pre (gpt2 only)
	Tokens    []string // tokenizer.ggml.tokens
	Scores    []float32
	Types     []int32 // tokenizer.ggml.token_type
	Merges    []string
	ModelName string // general.name: Phi-3 files strip spaces after special tokens

	BOS, EOS, EOT, EOM, UNK, PAD                            Token
	FIMPrefix, FIMSuffix, FIMMiddle, FIMPad, FIMRep, FIMSep Token

	AddBOS, AddEOS, AddSpacePrefix *bool
}

// NewVocab returns a Vocab with every special id set to None.
func NewVocab() Vocab {
	return Vocab{BOS: None, EOS: None, EOT: None, EOM: None, UNK: None, PAD: None,
		FIMPrefix: None, FIMSuffix: None, FIMMiddle: None, FIMPad: None, FIMRep: None, FIMSep: None}
}

// attribute bits of a token, as llama.cpp derives them from the token
// types and names.
type attr uint16

const (
	attrNormal attr = 1 << iota
	attrUnknown
	attrControl
	attrUserDefined
	attrUnused
	attrByte
	attrLStrip
	attrRStrip
)

// Tokenizer encodes and decodes text for one vocabulary. It is safe for
// concurrent use.
type Tokenizer struct {
	spm    bool
	tokens []string
	scores []float32
	attrs  []attr
	ids    map[string]Token
	ranks  map[string]int // "left right" -> merge rank
	pre    *preTokenizer

	special []Token // control, user-defined and unknown tokens, longest text first

	bos, eos, eot, eom, unk Token
	fim                     FIM
	eog                     map[Token]bool
	addBOS, addEOS          bool
	addSpacePrefix          bool
	ignoreMerges            bool
	byteTokens              [256]Token // SentencePiece <0xXX> tokens
}

// FIM holds the fill-in-the-middle token ids, None where absent.
type FIM struct {
	Prefix, Suffix, Middle, Pad, Repo, FileSep Token
}

// OK reports whether the model has the prefix, suffix and middle tokens
// fill-in-the-middle needs.
func (f FIM) OK() bool { return f.Prefix != None && f.Suffix != None && f.Middle != None }

// ErrUnsupported is wrapped by New for a tokenizer model or pre-tokenizer
// this package does not implement.
var ErrUnsupported = errors.New("tokenizer: unsupported")

// New builds a tokenizer from a vocabulary, checking it first.
func New(v Vocab) (*Tokenizer, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	t := &Tokenizer{tokens: v.Tokens, scores: v.Scores, bos: None, eos: None, eot: None, eom: None, unk: None}
	switch v.Model {
	case "llama":
		t.spm = true
		t.bos, t.eos, t.unk = 1, 2, 0
		t.addBOS, t.addSpacePrefix = true, true
	case "gpt2":
		pre, err := lookupPre(v.Pre)
		if err != nil {
			return nil, err
		}
		t.pre = pre
		t.bos, t.eos = 11, 11
		t.addBOS, t.ignoreMerges = pre.addBOS, pre.ignoreMerges
		t.ranks = make(map[string]int, len(v.Merges))
		for i, m := range v.Merges {
			if k := strings.IndexByte(m[min(1, len(m)):], ' '); k >= 0 {
				if _, dup := t.ranks[m]; !dup {
					t.ranks[m] = i
				}
			}
		}
	default:
		return nil, fmt.Errorf("%w tokenizer model %q (supported: llama, gpt2)", ErrUnsupported, v.Model)
	}
	t.tokens = slices.Clone(v.Tokens)
	t.ids = make(map[string]Token, len(t.tokens))
	t.attrs = make([]attr, len(t.tokens))
	for i, s := range t.tokens {
		if s == "" { // as llama.cpp names an empty entry
			s = fmt.Sprintf("[EMPTY_%d]", i)
			t.tokens[i] = s
		}
		if _, dup := t.ids[s]; dup {
			return nil, fmt.Errorf("tokenizer: token %d repeats the text %q", i, s)
		}
		t.ids[s] = Token(i)
		t.attrs[i] = attrNormal
		if v.Types != nil {
			t.attrs[i] = typeAttr(v.Types[i])
		}
	}
	t.applyMetadata(v)
	t.detectSpecial(v)
	t.buildSpecialCache(v.ModelName)
	if t.spm {
		for b := range 256 {
			t.byteTokens[b] = t.lookup(fmt.Sprintf("<0x%02X>", b))
		}
	}
	return t, nil
}

func (v Vocab) check() error {
	n := len(v.Tokens)
	switch {
	case n == 0:
		return errors.New("tokenizer: the vocabulary has no tokens")
	case n > MaxTokens:
		return fmt.Errorf("tokenizer: %d tokens, more than the %d accepted", n, MaxTokens)
	case v.Scores != nil && len(v.Scores) < n:
		return fmt.Errorf("tokenizer: %d scores for %d tokens", len(v.Scores), n)
	case v.Types != nil && len(v.Types) < n:
		return fmt.Errorf("tokenizer: %d token types for %d tokens", len(v.Types), n)
	case v.Model == "gpt2" && v.Merges == nil:
		return errors.New("tokenizer: a BPE vocabulary without merges")
	}
	return nil
}

func typeAttr(t int32) attr {
	switch t {
	case TypeNormal:
		return attrNormal
	case TypeUnknown:
		return attrUnknown
	case TypeControl:
		return attrControl
	case TypeUserDefined:
		return attrUserDefined
	case TypeUnused:
		return attrUnused
	case TypeByte:
		return attrByte
	}
	return 0
}

// applyMetadata takes the ids and flags the file sets over the defaults;
// an id out of range is ignored, as llama.cpp does.
func (t *Tokenizer) applyMetadata(v Vocab) {
	set := func(dst *Token, id Token) {
		if id >= 0 && int(id) < len(t.tokens) {
			*dst = id
		}
	}
	set(&t.bos, v.BOS)
	set(&t.eos, v.EOS)
	set(&t.eot, v.EOT)
	set(&t.eom, v.EOM)
	set(&t.unk, v.UNK)
	t.fim = FIM{None, None, None, None, None, None}
	set(&t.fim.Prefix, v.FIMPrefix)
	set(&t.fim.Suffix, v.FIMSuffix)
	set(&t.fim.Middle, v.FIMMiddle)
	set(&t.fim.Pad, v.FIMPad)
	set(&t.fim.Repo, v.FIMRep)
	set(&t.fim.FileSep, v.FIMSep)
	if v.AddBOS != nil {
		t.addBOS = *v.AddBOS
	}
	if v.AddEOS != nil {
		t.addEOS = *v.AddEOS
	}
	if v.AddSpacePrefix != nil && t.spm {
		t.addSpacePrefix = *v.AddSpacePrefix
	}
	if t.bos != None && int(t.bos) >= len(t.tokens) {
		t.bos = None
	}
	if t.eos != None && int(t.eos) >= len(t.tokens) {
		t.eos = None
	}
	if t.unk != None && int(t.unk) >= len(t.tokens) {
		t.unk = None
	}
}

func (t *Tokenizer) lookup(s string) Token {
	if id, ok := t.ids[s]; ok {
		return id
	}
	return None
}

// Len is the vocabulary size.
func (t *Tokenizer) Len() int { return len(t.tokens) }

// BOS, EOS and EOT return those token ids (None when absent).
func (t *Tokenizer) BOS() Token { return t.bos }
func (t *Tokenizer) EOS() Token { return t.eos }
func (t *Tokenizer) EOT() Token { return t.eot }

// AddBOS and AddEOS say whether encoding with special tokens adds them.
func (t *Tokenizer) AddBOS() bool { return t.addBOS && t.bos != None }
func (t *Tokenizer) AddEOS() bool { return t.addEOS && t.eos != None }

// FIM returns the fill-in-the-middle tokens.
func (t *Tokenizer) FIM() FIM { return t.fim }

// IsEOG reports whether id ends generation (EOS, EOT, end-of-turn and
// the like).
func (t *Tokenizer) IsEOG(id Token) bool { return t.eog[id] }

// EOG returns the end-of-generation ids in increasing order.
func (t *Tokenizer) EOG() []Token {
	out := make([]Token, 0, len(t.eog))
	for id := range t.eog {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// IsControl reports whether id is a control (or unknown) token, which
// decoding never shows.
func (t *Tokenizer) IsControl(id Token) bool {
	return t.valid(id) && t.attrs[id]&(attrControl|attrUnknown) != 0
}

// Text returns a token's text as stored in the vocabulary.
func (t *Tokenizer) Text(id Token) string {
	if !t.valid(id) {
		return ""
	}
	return t.tokens[id]
}

func (t *Tokenizer) valid(id Token) bool { return id >= 0 && int(id) < len(t.tokens) }
