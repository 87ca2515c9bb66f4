// Package docs turns the user's files into searchable knowledge: it
// extracts text (plain, Markdown, code, HTML, PDF), cuts it into chunks
// that follow the document's structure, embeds them, stores documents,
// chunks, full-text rows and vectors in the encrypted store, and answers
// hybrid searches (vector KNN fused with BM25) with citations.
package docs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"sidecar/backend/pdftext"
)

// Kinds of document.
const (
	KindText     = "text"
	KindMarkdown = "markdown"
	KindCode     = "code"
	KindHTML     = "html"
	KindPDF      = "pdf"
)

// MaxFileBytes bounds one file.
const MaxFileBytes = 20 << 20

// ErrSkipped marks files that are not documents (binaries, unreadable
// formats); the message says why.
var ErrSkipped = errors.New("skipped")

var codeExt = map[string]string{
	".go": "go", ".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
	".ts": "typescript", ".tsx": "typescript", ".java": "java", ".kt": "kotlin", ".swift": "swift", ".c": "c", ".h": "c",
	".cc": "cpp", ".cpp": "cpp", ".hpp": "cpp", ".cs": "csharp", ".rs": "rust", ".rb": "ruby", ".php": "php",
	".sh": "bash", ".bash": "bash", ".zsh": "bash", ".sql": "sql", ".yaml": "yaml", ".yml": "yaml", ".json": "json",
	".toml": "toml", ".css": "css", ".scss": "css", ".lua": "lua", ".scala": "scala", ".r": "r", ".pl": "perl",
	".ex": "elixir", ".exs": "elixir", ".erl": "erlang", ".hs": "haskell", ".ml": "ocaml", ".dart": "dart",
	".vue": "vue", ".svelte": "svelte", ".proto": "protobuf", ".tf": "terraform", ".mk": "make", ".cmake": "cmake",
	".gradle": "groovy", ".xml": "xml", ".ini": "ini", ".cfg": "ini", ".dockerfile": "docker",
}

var textNames = map[string]bool{"makefile": true, "dockerfile": true, "readme": true, "license": true, "changelog": true, "go.mod": true}

// Extracted is a file's text and what it is.
type Extracted struct {
	Kind string // one of the Kind constants
	Lang string // programming language for code
	Text string
}

// Extract returns the text of a file called name. Binaries and unknown
// binary formats give an error wrapping ErrSkipped with the reason.
func Extract(ctx context.Context, name string, data []byte) (Extracted, error) {
	if len(data) > MaxFileBytes {
		return Extracted{}, fmt.Errorf("%w: larger than %d MiB", ErrSkipped, MaxFileBytes>>20)
	}
	ext := strings.ToLower(filepath.Ext(name))
	base := strings.ToLower(filepath.Base(name))
	switch {
	case ext == ".pdf" || bytes.HasPrefix(data, []byte("%PDF-")):
		text, err := extractPDF(ctx, data)
		if err != nil {
			return Extracted{}, err
		}
		return Extracted{Kind: KindPDF, Text: text}, nil
	case ext == ".html" || ext == ".htm" || ext == ".xhtml":
		if err := sniffText(data); err != nil {
			return Extracted{}, err
		}
		return Extracted{Kind: KindHTML, Text: htmlText(data)}, nil
	}
	if err := sniffText(data); err != nil {
		return Extracted{}, err
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	switch {
	case ext == ".md" || ext == ".markdown" || ext == ".mdx":
		return Extracted{Kind: KindMarkdown, Text: text}, nil
	case codeExt[ext] != "":
		return Extracted{Kind: KindCode, Lang: codeExt[ext], Text: text}, nil
	case ext == ".txt" || ext == ".text" || ext == ".rst" || ext == ".adoc" || ext == ".org" || ext == ".log" || ext == ".csv" || ext == "" || textNames[base]:
		return Extracted{Kind: KindText, Text: text}, nil
	}
	// Unknown extension but readable text: keep it as text.
	return Extracted{Kind: KindText, Text: text}, nil
}

// sniffText refuses binary content: NUL bytes, invalid UTF-8 or a binary
// signature in the first 8 KiB.
func sniffText(data []byte) error {
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return fmt.Errorf("%w: binary file (contains NUL bytes)", ErrSkipped)
	}
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/") ||
		ct == "application/zip" || ct == "application/x-gzip" || ct == "application/octet-stream" && !utf8.Valid(head) {
		return fmt.Errorf("%w: binary file (%s)", ErrSkipped, ct)
	}
	bad := 0
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 && i < len(head)-3 {
			bad++
		}
		i += n
	}
	if bad > len(head)/100+1 {
		return fmt.Errorf("%w: not UTF-8 text", ErrSkipped)
	}
	return nil
}

// htmlText renders an HTML page as text: blocks become lines, scripts and
// styles are dropped, headings become Markdown headings so chunking can
// follow them.
func htmlText(data []byte) string {
	z := html.NewTokenizer(bytes.NewReader(data))
	var b strings.Builder
	skip := 0
	heading := ""
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapseBlank(b.String())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "noscript", "template", "svg", "head":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case "h1", "h2", "h3", "h4", "h5", "h6":
				if tt == html.StartTagToken {
					heading = strings.Repeat("#", int(tag[1]-'0')) + " "
					b.WriteString("\n\n" + heading)
				} else {
					heading = ""
					b.WriteString("\n\n")
				}
			case "p", "div", "section", "article", "li", "tr", "br", "pre", "blockquote", "table", "ul", "ol", "header", "footer", "main", "nav":
				b.WriteString("\n")
			}
		case html.TextToken:
			if skip == 0 {
				t := string(z.Text())
				if heading != "" {
					t = strings.Join(strings.Fields(t), " ")
				}
				b.WriteString(t)
			}
		}
	}
}

func collapseBlank(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// PDFTimeout bounds reading one PDF; the reader is stopped when it runs out.
var PDFTimeout = 30 * time.Second

// extractPDF reads a PDF's text layer with PDFium in its sandbox (see
// pdftext): bounded memory, bounded time, and a hard stop.
func extractPDF(ctx context.Context, data []byte) (string, error) {
	r, err := pdftext.Extract(ctx, data, pdftext.Options{Timeout: PDFTimeout, MaxText: MaxFileBytes})
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.Is(err, pdftext.ErrTimeout):
		return "", fmt.Errorf("%w: the PDF took longer than %v to read", ErrSkipped, PDFTimeout)
	case errors.Is(err, pdftext.ErrMemory):
		return "", fmt.Errorf("%w: the PDF needs more than %d MiB of memory to read (a PDF bomb?)", ErrSkipped, pdftext.MemoryCap>>20)
	case errors.Is(err, pdftext.ErrPassword):
		return "", fmt.Errorf("%w: the PDF is password-protected", ErrSkipped)
	case errors.Is(err, pdftext.ErrDamaged):
		return "", fmt.Errorf("%w: damaged or unsupported PDF", ErrSkipped)
	case err != nil:
		return "", fmt.Errorf("docs: read PDF: %w", err)
	}
	if strings.TrimSpace(r.Text) == "" {
		return "", fmt.Errorf("%w: the PDF has no text layer (scanned pages need OCR)", ErrSkipped)
	}
	return collapseBlank(r.Text), nil
}
