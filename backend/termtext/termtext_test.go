package termtext

import (
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain title.md":                 "plain title.md",
		"café ✓ 日本":                      "café ✓ 日本",
		"\x1b[2J\x1b[31mred":             `\x1b[2J\x1b[31mred`,
		"\x1b]0;owned\x07":               `\x1b]0;owned\x07`,
		"\x1b]8;;http://evil\x1b\\click": `\x1b]8;;http://evil\x1b\click`,
		"invoice\u202egpj.exe":           `invoice\u202egpj.exe`,
		"a\u2066b\u2069c\u200fd":         `a\u2066b\u2069c\u200fd`,
		"two\nlines\tand\rCR":            `two\x0alines\x09and\x0dCR`,
		"c1 \u009b31m":                   `c1 \u009b31m`,
		"bad \xff utf8":                  `bad \xff utf8`,
		`already \x1b escaped`:           `already \x1b escaped`,
		"back\\\x1b":                     `back\\\x1b`,
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBlockKeepsLinesAndTabs(t *testing.T) {
	in := "line one\n\tindented \x1b[1mbold\u202e\n"
	want := "line one\n\tindented \\x1b[1mbold\\u202e\n"
	if got := Block(in); got != want {
		t.Errorf("Block = %q, want %q", got, want)
	}
}

// Whatever goes in, nothing that drives a terminal comes out.
func FuzzLine(f *testing.F) {
	f.Add("\x1b]0;x\x07\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Line(s), Block(s)} {
			for _, r := range out {
				if unsafeRune(r) && r != '\n' && r != '\t' || r == 0xfffd && !strings.ContainsRune(s, 0xfffd) {
					t.Fatalf("%q came out as %q", s, out)
				}
			}
		}
		if strings.ContainsAny(Line(s), "\n\t") {
			t.Fatalf("Line(%q) has a line break or tab", s)
		}
	})
}
