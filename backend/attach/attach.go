// Package attach reads files given with a chat message and turns them
// into prompt text: it decides what a file is by its content (an image, a
// PDF, text or code; anything else is refused), bounds what it accepts,
// and writes text attachments as fenced blocks cut to a token budget.
package attach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"sidecar/backend/docs"
)

// Limits on what a message can carry.
const (
	MaxImageBytes = 20 << 20 // one image (OpenAI's limit for one image)
	MaxFileBytes  = 10 << 20 // one text, code or PDF file
	MaxPerMessage = 10       // files with one message
	MaxTotalBytes = 50 << 20 // all files of one message together
	MaxNameBytes  = 255      // a file name, as most file systems bound it
)

// KindImage is the kind of pictures; text files have docs' kinds (text,
// markdown, code, html, pdf).
const KindImage = "image"

// ErrRefused marks a file that cannot be attached; the message says why.
var ErrRefused = errors.New("cannot be attached")

// File is an accepted file: what it is and its prompt text.
type File struct {
	Name string
	MIME string
	Kind string // KindImage or one of docs' kinds
	Lang string // programming language of code
	Text string // prompt text; empty for images
}

// imageTypes are the pictures every vision provider takes.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// Read decides what data is (name only helps tell Markdown from code) and
// returns it as an attachment. Images are recognised by their bytes;
// PDFs are read by the documents pipeline (its memory and time bounds
// hold); other files must be text: valid UTF-8 without NUL bytes. Any
// other file, or one over the limits, is refused with the reason.
func Read(ctx context.Context, name string, data []byte) (File, error) {
	name = cleanName(name)
	ct := http.DetectContentType(data)
	if imageTypes[ct] {
		if len(data) > MaxImageBytes {
			return File{}, fmt.Errorf("%s %w: images are limited to %d MiB", name, ErrRefused, MaxImageBytes>>20)
		}
		return File{Name: name, MIME: ct, Kind: KindImage}, nil
	}
	if len(data) > MaxFileBytes {
		return File{}, fmt.Errorf("%s %w: files are limited to %d MiB (images %d MiB)", name, ErrRefused, MaxFileBytes>>20, MaxImageBytes>>20)
	}
	if len(data) == 0 {
		return File{}, fmt.Errorf("%s %w: the file is empty", name, ErrRefused)
	}
	isPDF := bytes.HasPrefix(data, []byte("%PDF-"))
	if !isPDF {
		// Text by content: the whole file must be UTF-8 without NUL bytes
		// (docs' sniffing looks at the head only).
		if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) {
			return File{}, fmt.Errorf("%s %w: it is neither text, an image (PNG, JPEG, GIF, WebP) nor a PDF", name, ErrRefused)
		}
		if strings.EqualFold(filepath.Ext(name), ".pdf") {
			name += ".txt" // text named .pdf: docs would read it as a PDF
		}
	}
	x, err := docs.Extract(ctx, name, data)
	if err != nil {
		if ctx.Err() != nil {
			return File{}, ctx.Err()
		}
		reason := strings.TrimPrefix(err.Error(), docs.ErrSkipped.Error()+": ")
		return File{}, fmt.Errorf("%s %w: %s", name, ErrRefused, reason)
	}
	f := File{Name: name, Kind: x.Kind, Lang: x.Lang, Text: x.Text, MIME: "text/plain; charset=utf-8"}
	switch x.Kind {
	case docs.KindPDF:
		f.MIME = "application/pdf"
	case docs.KindMarkdown:
		f.MIME = "text/markdown; charset=utf-8"
	case docs.KindHTML:
		f.MIME = "text/html; charset=utf-8"
	}
	return f, nil
}

// cleanName keeps a file's base name, printable and bounded.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	for len(name) > MaxNameBytes {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}

// Block writes a text attachment as it goes into a prompt: a line naming
// the file, then its text in a fence longer than any run of backticks in
// it, then, when the text was cut, a line saying so.
func Block(name, lang, text string, cut bool, kept, total int) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Attached file %s:\n%s%s\n%s", name, fence, lang, text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(fence)
	if cut {
		fmt.Fprintf(&b, "\n(%s was cut to its first %d of %d tokens to fit the model's window.)", name, kept, total)
	}
	return b.String()
}

// Counter counts the tokens of a text.
type Counter func(text string) (int, error)

// EstimateTokens is the counter for models whose tokenizer is not here
// (cloud models): about four bytes a token, as their tokenizers average
// on English text and code.
func EstimateTokens(text string) (int, error) { return (len(text) + 3) / 4, nil }

// Fit cuts text to at most budget tokens by count, at a line end where
// one is near, and returns what is kept with its token count and the
// whole text's. A text within budget comes back whole. The whole text is
// counted once and at most about 24 prefixes after it.
func Fit(text string, budget int, count Counter) (kept string, keptTokens, total int, err error) {
	total, err = count(text)
	if err != nil || total <= budget {
		return text, total, total, err
	}
	if budget <= 0 {
		return "", 0, total, nil
	}
	// Binary search on the byte length of the prefix.
	lo, hi := 0, len(text)
	best, bestN := "", 0
	for i := 0; lo < hi && i < 24; i++ {
		mid := (lo + hi + 1) / 2
		p := prefix(text, mid)
		n, err := count(p)
		if err != nil {
			return "", 0, total, err
		}
		if n <= budget {
			best, bestN, lo = p, n, mid
		} else {
			hi = mid - 1
		}
	}
	// Prefer ending at a line end when one is in the last quarter.
	if i := strings.LastIndexByte(best, '\n'); i > len(best)*3/4 {
		if n, err := count(best[:i+1]); err == nil {
			best, bestN = best[:i+1], n
		}
	}
	return best, bestN, total, nil
}

// prefix is text cut to at most n bytes, at a rune boundary.
func prefix(text string, n int) string {
	if n >= len(text) {
		return text
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}
