// Package termtext makes the user's and documents' text safe to print on a
// terminal: control characters (C0, DEL, C1, so every escape sequence such
// as CSI colour codes or OSC titles and hyperlinks), bidirectional
// overrides and isolates, line and paragraph separators and invalid UTF-8
// are shown as visible escapes (\x1b, \u202e, \xff) instead of acting on
// the terminal.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line is s made safe for one line: newlines and tabs are escaped too.
func Line(s string) string { return escape(s, false) }

// Block is s made safe as a block of text: newlines and tabs stay.
func Block(s string) string { return escape(s, true) }

func escape(s string, keepLines bool) string {
	if clean(s, keepLines) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\\' && i+1 < len(s) && unsafeAt(s[i+1:], keepLines):
			b.WriteString(`\\`) // so an escape shown cannot be mistaken for one made here
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func clean(s string, keepLines bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) && !(keepLines && (r == '\n' || r == '\t')) {
			return false
		}
		i += n
	}
	return true
}

func unsafeAt(s string, keepLines bool) bool {
	r, n := utf8.DecodeRuneInString(s)
	return r == utf8.RuneError && n == 1 || unsafeRune(r) && !(keepLines && (r == '\n' || r == '\t'))
}

// unsafeRune: C0 and C1 controls, DEL, bidirectional marks, embeddings,
// overrides and isolates, and the Unicode line and paragraph separators.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c || r == 0x200e || r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}
