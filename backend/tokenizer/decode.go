package tokenizer

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Piece returns the bytes a token stands for. Control and unknown tokens
// give nothing unless special is set (then their text); unused tokens
// give nothing. A piece may be part of a UTF-8 character.
func (t *Tokenizer) Piece(id Token, special bool) []byte {
	if !t.valid(id) {
		return nil
	}
	a, text := t.attrs[id], t.tokens[id]
	switch {
	case a&(attrControl|attrUnknown) != 0:
		if special {
			return []byte(text)
		}
		return nil
	case a&attrUserDefined != 0:
		return []byte(text)
	case a&attrNormal != 0:
		if t.spm {
			return []byte(strings.ReplaceAll(text, "\u2581", " "))
		}
		return byteDecode(text)
	case a&attrByte != 0:
		if t.spm {
			if b, ok := parseByteToken(text); ok {
				return []byte{b}
			}
			return nil
		}
		return byteDecode(text)
	}
	return nil
}

// byteDecode maps the byte alphabet back to bytes; a character outside
// it is kept as its UTF-8.
func byteDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if b, ok := runeByte[r]; ok {
			out = append(out, b)
		} else {
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

// parseByteToken reads "<0xXX>".
func parseByteToken(s string) (byte, bool) {
	if len(s) != 6 || s[:3] != "<0x" || s[5] != '>' {
		return 0, false
	}
	var b byte
	for _, c := range []byte(s[3:5]) {
		switch {
		case c >= '0' && c <= '9':
			b = b<<4 | (c - '0')
		case c >= 'A' && c <= 'F':
			b = b<<4 | (c - 'A' + 10)
		case c >= 'a' && c <= 'f':
			b = b<<4 | (c - 'a' + 10)
		default:
			return 0, false
		}
	}
	return b, true
}

// Decode returns the text of a whole sequence, without control tokens.
// A SentencePiece vocabulary that prefixes a space drops it from the
// first piece of text, as the encoder added it there.
func (t *Tokenizer) Decode(ids []Token) string {
	var b []byte
	strip := t.spm && t.addSpacePrefix
	for _, id := range ids {
		p := t.Piece(id, false)
		if strip && len(p) > 0 {
			p, strip = bytes.TrimPrefix(p, []byte(" ")), false
		}
		b = append(b, p...)
	}
	return string(b)
}

// Decoder turns generated tokens into text as they come, holding back a
// UTF-8 character split across tokens until it is complete. Control
// tokens produce nothing.
type Decoder struct {
	t       *Tokenizer
	pending []byte
}

// NewDecoder starts a stream.
func (t *Tokenizer) NewDecoder() *Decoder { return &Decoder{t: t} }

// Next adds a token and returns the text that is now complete.
func (d *Decoder) Next(id Token) string {
	d.pending = append(d.pending, d.t.Piece(id, false)...)
	n := completePrefix(d.pending)
	out := string(d.pending[:n])
	d.pending = append(d.pending[:0], d.pending[n:]...)
	return out
}

// Flush returns what is held back at the end of the stream, with any
// incomplete character replaced by U+FFFD.
func (d *Decoder) Flush() string {
	out := strings.ToValidUTF8(string(d.pending), "\uFFFD")
	d.pending = d.pending[:0]
	return out
}

// completePrefix is the length of b without a trailing incomplete UTF-8
// sequence. Bytes that can never become valid are let through (and
// shown as they are) rather than held forever.
func completePrefix(b []byte) int {
	for back := 1; back <= 3 && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < 0x80 {
			return len(b) // ASCII: nothing pending
		}
		if c >= 0xC0 { // a lead byte: is its sequence complete?
			if utf8Len(c) > back && utf8.RuneStart(c) && c < 0xF8 {
				return len(b) - back
			}
			return len(b)
		}
	}
	return len(b)
}
