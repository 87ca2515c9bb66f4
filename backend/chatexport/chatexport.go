// Package chatexport renders one chat for reading outside Sidecar: as
// Markdown (the messages as written, code blocks kept, citations as
// footnotes naming the source and lines) and as a self-contained,
// printable HTML page (nothing in it loads or runs: every text is
// escaped, raw HTML in answers is shown as text as the app shows it, and
// a Content-Security-Policy forbids scripts and remote resources).
package chatexport

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Chat is what an export shows of a chat.
type Chat struct {
	Title        string
	Model        string // the model's name, as the user knows it
	SystemPrompt string
	Sampling     string // e.g. "temperature 0.2 · max 500 tokens"; "" when all are defaults
	Messages     []Message
	Exported     time.Time
}

// Message is one turn.
type Message struct {
	ID        int64 // makes footnote labels unique within the export
	Role      string
	Content   string
	Model     string // the answering model's name
	Status    string // done, stopped, error, streaming
	Error     string
	Citations []Citation
	Created   time.Time
	// Version and Versions place the message among the versions of its
	// turn (edits, regenerated answers): version 2 of 3. An export shows
	// the branch the chat shows; Versions above 1 notes that others exist.
	Version, Versions int
	// Attachments are the files given with a message of the user's.
	Attachments []Attachment
}

// Attachment is a file given with a message: listed by name, kind and
// size; a picture (PNG, JPEG, GIF, WebP) is shown in the HTML page.
type Attachment struct {
	Name        string
	Kind        string // image, pdf, text, markdown, code, html
	MIME        string
	Size        int64
	Image       []byte // an image's bytes; nil for other files
	Truncated   bool   // the text was cut to fit the model's window
	KeptTokens  int
	TotalTokens int
}

// describe is "notes.md (markdown, 59 B)", with the cut when there was one.
func (a Attachment) describe() string {
	d := fmt.Sprintf("%s (%s, %s)", a.Name, a.Kind, byteSize(a.Size))
	if a.Truncated {
		d += fmt.Sprintf(", cut to %d of %d tokens to fit the model's window", a.KeptTokens, a.TotalTokens)
	}
	return d
}

func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// versionNote is "version 2 of 3", or "" for a turn with one version.
func versionNote(m Message) string {
	if m.Versions < 2 {
		return ""
	}
	return fmt.Sprintf("version %d of %d", m.Version, m.Versions)
}

// branchNote tells the reader that the export is one branch of the chat,
// or is "" when the chat has no other versions.
func branchNote(c Chat) string {
	for _, m := range c.Messages {
		if m.Versions > 1 {
			return "Some messages have other versions (edits or regenerated answers); this export shows the branch Sidecar shows. The full data export keeps every version."
		}
	}
	return ""
}

// Citation is a document excerpt an answer cites as [N].
type Citation struct {
	N         int
	Title     string
	Source    string
	Heading   string
	LineStart int
	LineEnd   int
}

// Formats an export can take.
const (
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
)

// Ext is the file extension of a format ("" for an unknown one).
func Ext(format string) string {
	switch format {
	case FormatMarkdown:
		return ".md"
	case FormatHTML:
		return ".html"
	}
	return ""
}

// FileName suggests a file name for a chat's export: the letters and
// digits of its title, words joined by dashes, at most 60 characters.
func FileName(title, format string) string {
	words := strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	name := []rune(strings.Join(words, "-"))
	if len(name) > 60 {
		name = name[:60]
	}
	s := strings.Trim(string(name), "-")
	if s == "" {
		s = "chat"
	}
	return s + Ext(format)
}

// roleName is how a message's author is shown.
func roleName(m Message) string {
	switch m.Role {
	case "user":
		return "You"
	case "assistant":
		if m.Model != "" {
			return "Assistant · " + m.Model
		}
		return "Assistant"
	case "system":
		return "System"
	}
	return m.Role
}

// location says where in its source a citation is.
func location(c Citation) string {
	switch {
	case c.LineStart <= 0:
		return ""
	case c.LineEnd <= c.LineStart:
		return fmt.Sprintf("line %d", c.LineStart)
	}
	return fmt.Sprintf("lines %d–%d", c.LineStart, c.LineEnd)
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// closeFences closes a code block a message leaves open, so it cannot
// swallow the rest of the export.
func closeFences(s string) string {
	fence := ""
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimLeft(line, " ")
		if len(line)-len(t) > 3 {
			continue
		}
		for _, ch := range []string{"```", "~~~"} {
			if !strings.HasPrefix(t, ch) {
				continue
			}
			n := len(t) - len(strings.TrimLeft(t, ch[:1]))
			run := strings.Repeat(ch[:1], n)
			switch {
			case fence == "":
				fence = run
			case strings.HasPrefix(run, fence) && strings.TrimSpace(t[n:]) == "":
				fence = ""
			}
		}
	}
	if fence == "" {
		return s
	}
	return strings.TrimRight(s, "\n") + "\n" + fence
}

// citeRefs rewrites each [N] outside code that names one of the cited
// numbers with ref(N); code blocks and code spans are left as written.
func citeRefs(s string, cited map[int]bool, ref func(n int) string) string {
	if len(cited) == 0 {
		return s
	}
	var out strings.Builder
	fence := ""
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		t := strings.TrimLeft(line, " ")
		if len(line)-len(t) <= 3 && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")) {
			n := len(t) - len(strings.TrimLeft(t, t[:1]))
			run := t[:n]
			if fence == "" {
				fence = run
			} else if strings.HasPrefix(run, fence) && strings.TrimSpace(t[n:]) == "" {
				fence = ""
			}
			out.WriteString(line)
			continue
		}
		if fence != "" || len(line)-len(t) >= 4 {
			out.WriteString(line)
			continue
		}
		out.WriteString(citeLine(line, cited, ref))
	}
	return out.String()
}

// citeLine rewrites [N] in one line of text, skipping code spans and
// links ("[1](...)", "[1][x]").
func citeLine(line string, cited map[int]bool, ref func(n int) string) string {
	var out strings.Builder
	for i := 0; i < len(line); {
		switch line[i] {
		case '`':
			n := i
			for n < len(line) && line[n] == '`' {
				n++
			}
			ticks := line[i:n]
			end := strings.Index(line[n:], ticks)
			if end < 0 {
				out.WriteString(line[i:])
				return out.String()
			}
			out.WriteString(line[i : n+end+len(ticks)])
			i = n + end + len(ticks)
			continue
		case '\\':
			if i+1 < len(line) {
				out.WriteString(line[i : i+2])
				i += 2
				continue
			}
		case '[':
			j := i + 1
			num := 0
			for j < len(line) && j-i <= 3 && line[j] >= '0' && line[j] <= '9' {
				num = num*10 + int(line[j]-'0')
				j++
			}
			after := j + 1
			if j > i+1 && j < len(line) && line[j] == ']' && cited[num] && (i == 0 || line[i-1] != '!' && line[i-1] != ']') &&
				(after >= len(line) || line[after] != '(' && line[after] != '[' && line[after] != ':') {
				out.WriteString(ref(num))
				i = after
				continue
			}
		}
		out.WriteByte(line[i])
		i++
	}
	return out.String()
}

func citedNumbers(cs []Citation) map[int]bool {
	m := map[int]bool{}
	for _, c := range cs {
		m[c.N] = true
	}
	return m
}
