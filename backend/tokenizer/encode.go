package tokenizer

import "fmt"

// MaxInputBytes bounds the text Encode accepts (its working memory is a
// small multiple of the text).
const MaxInputBytes = 64 << 20

// Encode returns the token ids of text. With addSpecial it adds BOS and
// EOS as the vocabulary says; with parseSpecial the text of control
// tokens in the input ("<|im_start|>") becomes those tokens, as
// llama.cpp's tokenizer does by default. User-defined tokens are always
// matched.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) ([]Token, error) {
	if len(text) > MaxInputBytes {
		return nil, fmt.Errorf("tokenizer: text of %d bytes, more than the %d accepted", len(text), MaxInputBytes)
	}
	var out []Token
	if addSpecial && t.AddBOS() {
		out = append(out, t.bos)
	}
	prevSpecial := true // SentencePiece prefixes a space at the start and after a special token
	for _, f := range t.partition(text, parseSpecial) {
		if f.token != None {
			out = append(out, f.token)
			prevSpecial = true
			continue
		}
		if t.spm {
			s := f.text
			if t.addSpacePrefix && prevSpecial {
				s = " " + s
			}
			out = t.encodeSPM(s, out)
			prevSpecial = false
			continue
		}
		var err error
		if out, err = t.encodeBPE(f.text, out); err != nil {
			return nil, err
		}
	}
	if addSpecial && t.AddEOS() {
		out = append(out, t.eos)
	}
	return out, nil
}
