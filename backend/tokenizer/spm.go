package tokenizer

import "strings"

// encodeSPM tokenizes one piece of raw text the SentencePiece way: spaces
// become "▁", characters merge by the best-scoring vocabulary entry
// first, and what is left outside the vocabulary falls back to bytes.
func (t *Tokenizer) encodeSPM(text string, out []Token) []Token {
	word := strings.ReplaceAll(text, " ", "\u2581")
	m := merger{word: word, score: func(pair string, _ int) (float64, bool) {
		id := t.lookup(pair)
		if id == None {
			return 0, false
		}
		var s float32
		if t.scores != nil {
			s = t.scores[id]
		}
		return -float64(s), true
	}}
	syms := m.run()
	for i := 0; len(syms) > 0 && i != -1; i = syms[i].next {
		s := word[syms[i].start : syms[i].start+syms[i].n]
		if id := t.lookup(s); id != None {
			out = append(out, id)
			continue
		}
		for j := 0; j < len(s); j++ {
			out = t.appendByte(out, s[j])
		}
	}
	return out
}

// appendByte adds the <0xXX> token of b, else the token spelled by the
// byte itself, else the unknown token.
func (t *Tokenizer) appendByte(out []Token, b byte) []Token {
	if id := t.byteTokens[b]; id != None {
		return append(out, id)
	}
	if id := t.lookup(string([]byte{b})); id != None {
		return append(out, id)
	}
	if t.unk != None {
		return append(out, t.unk)
	}
	return out
}
