package tokenizer

import (
	"fmt"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
)

// preTokenizer splits text into words before BPE merges. Each expression
// is applied in turn to every piece the previous ones made; text between
// matches stays a piece of its own. The expressions are those of the
// models' tokenizer.json files, with case-insensitive groups spelled out.
type preTokenizer struct {
	exprs        []*regexp2.Regexp
	ignoreMerges bool // a word that is a whole token is not merged
	addBOS       bool // default for tokenizer.ggml.add_bos_token
}

const (
	exprGPT2     = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`
	contractions = `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])`
	exprLlama3   = contractions + `|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	exprQwen2    = contractions + `|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	exprQwen35   = contractions + `|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	// Tekken's upper/lower-case classes, as llama.cpp adapts them.
	exprTekken = `[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	exprPoro   = ` ?[^(\s|.,!?…。，、।۔،)]+`
)

type preSpec struct {
	exprs                []string
	ignoreMerges, addBOS bool
}

var (
	specDefault   = preSpec{exprs: []string{`[\p{P}\$\+<=>\^~\|]+`, exprGPT2, `\p{N}+`, `[0-9][0-9][0-9]`}}
	specLlama3    = preSpec{exprs: []string{exprLlama3}, ignoreMerges: true, addBOS: true}
	specLlama3Re  = preSpec{exprs: []string{exprLlama3}}
	specGPT2      = preSpec{exprs: []string{exprGPT2}}
	specStarcoder = preSpec{exprs: []string{`\p{N}`, exprGPT2}}
	specQwen2     = preSpec{exprs: []string{exprQwen2}}
	specQwen35    = preSpec{exprs: []string{exprQwen35}}
	specDSCoder   = preSpec{exprs: []string{`[\r\n]`, `\s?\p{L}+`, `\s?\p{P}+`, `[一-龥ࠀ-一가-퟿]+`, `\p{N}`}}
	specFalcon    = preSpec{exprs: []string{`[\p{P}\$\+<=>\^~\|]+`, exprGPT2, `[0-9][0-9][0-9]`}}
	specTekken    = preSpec{exprs: []string{exprTekken}, ignoreMerges: true, addBOS: true}
	specPoro      = preSpec{exprs: []string{exprPoro}}
	specViking    = preSpec{exprs: []string{exprPoro, `\p{N}`}}
)

// preSpecs maps tokenizer.ggml.pre to its pre-tokenizer.
var preSpecs = map[string]preSpec{
	"": specDefault, "default": specDefault,
	"llama3": specLlama3, "llama-v3": specLlama3, "llama-bpe": specLlama3, "falcon3": specLlama3,
	"pixtral": specLlama3, "lfm2": specLlama3,
	"dbrx": specLlama3Re, "smaug-bpe": specLlama3Re, "chatglm-bpe": specLlama3Re, "glm4": specLlama3Re,
	"gpt-2": specGPT2, "phi-2": specGPT2, "mpt": specGPT2, "olmo": specGPT2, "jais": specGPT2,
	"starcoder": specStarcoder, "refact": specStarcoder, "command-r": specStarcoder, "smollm": specStarcoder,
	"codeshell": specStarcoder, "exaone": specStarcoder,
	"qwen2": specQwen2, "deepseek-r1-qwen": specQwen2, "stablelm2": specQwen2,
	"qwen35":         specQwen35,
	"deepseek-coder": specDSCoder,
	"falcon":         specFalcon,
	"tekken":         specTekken,
	"poro-chat":      specPoro, "bloom": specPoro, "gpt3-finnish": specPoro,
	"viking": specViking,
}

func lookupPre(name string) (*preTokenizer, error) {
	spec, ok := preSpecs[name]
	if !ok {
		return nil, fmt.Errorf("%w pre-tokenizer %q", ErrUnsupported, name)
	}
	p := &preTokenizer{ignoreMerges: spec.ignoreMerges, addBOS: spec.addBOS}
	for _, e := range spec.exprs {
		re, err := regexp2.Compile(e, regexp2.None)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: pre-tokenizer %q: %w", name, err)
		}
		p.exprs = append(p.exprs, re)
	}
	return p, nil
}

// split returns the words of text. Invalid UTF-8 bytes stay in the words
// they fall in (the expressions see them as U+FFFD).
func (p *preTokenizer) split(text string) ([]string, error) {
	runes := make([]rune, 0, len(text))
	offs := make([]int, 0, len(text)+1) // byte offset of each rune, then len(text)
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		runes = append(runes, r)
		offs = append(offs, i)
		i += n
	}
	offs = append(offs, len(text))

	pieces := [][2]int{{0, len(runes)}} // rune ranges
	for _, re := range p.exprs {
		var next [][2]int
		for _, pc := range pieces {
			matches, err := re.FindAllRunesIndex(runes[pc[0]:pc[1]], -1)
			if err != nil {
				return nil, fmt.Errorf("tokenizer: pre-tokenize: %w", err)
			}
			at := 0
			for _, m := range matches {
				if m[1] == m[0] {
					continue
				}
				if m[0] > at {
					next = append(next, [2]int{pc[0] + at, pc[0] + m[0]})
				}
				next = append(next, [2]int{pc[0] + m[0], pc[0] + m[1]})
				at = m[1]
			}
			if at < pc[1]-pc[0] {
				next = append(next, [2]int{pc[0] + at, pc[1]})
			}
		}
		pieces = next
	}
	words := make([]string, len(pieces))
	for i, pc := range pieces {
		words[i] = text[offs[pc[0]]:offs[pc[1]]]
	}
	return words, nil
}
