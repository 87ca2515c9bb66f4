package tokenizer

// The byte-level BPE alphabet: every byte is written as a printable
// character, bytes that already are one as themselves and the others as
// U+0100 onwards in byte order (GPT-2's bytes_to_unicode).
var (
	byteRune [256]rune
	runeByte = map[rune]byte{}
)

func init() {
	n := 0
	for b := range 256 {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF {
			byteRune[b] = rune(b)
		} else {
			byteRune[b] = rune(256 + n)
			n++
		}
		runeByte[byteRune[b]] = byte(b)
	}
}

func byteEncode(s string) string {
	out := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = byteRune[s[i]]
	}
	return string(out)
}

// encodeBPE tokenizes one piece of raw text: pre-tokenizer words, each
// written in the byte alphabet and merged by rank.
func (t *Tokenizer) encodeBPE(text string, out []Token) ([]Token, error) {
	words, err := t.pre.split(text)
	if err != nil {
		return nil, err
	}
	m := merger{score: func(pair string, leftLen int) (float64, bool) {
		rank, ok := t.ranks[pair[:leftLen]+" "+pair[leftLen:]]
		return float64(rank), ok
	}}
	for _, w := range words {
		word := byteEncode(w)
		if t.ignoreMerges {
			if id := t.lookup(word); id != None {
				out = append(out, id)
				continue
			}
		}
		m.word = word
		syms := m.run()
		for i := 0; len(syms) > 0 && i != -1; i = syms[i].next {
			s := word[syms[i].start : syms[i].start+syms[i].n]
			if id := t.lookup(s); id != None {
				out = append(out, id)
				continue
			}
			for j := 0; j < len(s); j++ {
				if id := t.lookup(s[j : j+1]); id != None {
					out = append(out, id)
				}
			}
		}
	}
	return out, nil
}
