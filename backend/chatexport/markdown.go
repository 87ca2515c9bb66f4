package chatexport

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// mdEscape makes text read as itself in Markdown: every character that
// could start markup or HTML gets a backslash, and line breaks become
// spaces.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_[]<>#|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode is s as a Markdown code span, whatever backticks it holds.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	ticks := strings.Repeat("`", longest+1)
	return ticks + " " + s + " " + ticks
}

// quote turns text into a Markdown block quote.
func quote(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}

func stamp(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04") }

// Markdown writes the chat as Markdown: a title, the system prompt, each
// message under its author's heading as written (an unclosed code block
// is closed), and an answer's citations as footnotes with the source and
// lines.
func Markdown(w io.Writer, c Chat) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p("# %s\n\n", mdEscape(c.Title))
	meta := []string{"Exported from Sidecar " + stamp(c.Exported)}
	if c.Model != "" {
		meta = append(meta, "model "+mdEscape(c.Model))
	}
	if c.Sampling != "" {
		meta = append(meta, mdEscape(c.Sampling))
	}
	p("*%s*\n\n", strings.Join(meta, " · "))
	if note := branchNote(c); note != "" {
		p("*%s*\n\n", note)
	}
	if strings.TrimSpace(c.SystemPrompt) != "" {
		lines := strings.Split(strings.TrimSpace(c.SystemPrompt), "\n")
		for i, l := range lines {
			lines[i] = mdEscape(l)
		}
		p("**System prompt**\n\n%s\n\n", quote(strings.Join(lines, "\n")))
	}
	for _, m := range c.Messages {
		head := roleName(m) + " · " + stamp(m.Created)
		if v := versionNote(m); v != "" {
			head += " · " + v
		}
		p("---\n\n### %s\n\n", mdEscape(head))
		content := m.Content
		label := func(n int) string { return fmt.Sprintf("m%d-%d", m.ID, n) }
		used := map[int]bool{}
		if m.Role == "assistant" {
			content = citeRefs(content, citedNumbers(m.Citations), func(n int) string { used[n] = true; return "[^" + label(n) + "]" })
		}
		if strings.TrimSpace(content) != "" {
			p("%s\n\n", strings.TrimRight(closeFences(content), "\n"))
		}
		for _, a := range m.Attachments {
			p("*Attached:* %s\n", mdEscape(a.describe()))
		}
		if len(m.Attachments) > 0 {
			p("\n")
		}
		switch m.Status {
		case "stopped":
			p("*(stopped before the end)*\n\n")
		case "error":
			p("> **The answer failed:** %s\n\n", mdEscape(m.Error))
		case "streaming":
			p("*(still being written when exported)*\n\n")
		}
		// Sources the answer does not cite by number are listed, so that
		// every footnote has a reference.
		var unused []string
		for _, ct := range m.Citations {
			if !used[ct.N] {
				unused = append(unused, "[^"+label(ct.N)+"]")
			}
		}
		if len(unused) > 0 {
			p("*Sources:* %s\n\n", strings.Join(unused, " "))
		}
		for _, ct := range m.Citations {
			p("[^%s]: %s\n", label(ct.N), citationMarkdown(ct))
		}
		if len(m.Citations) > 0 {
			p("\n")
		}
	}
	return bw.Flush()
}

// citationMarkdown says what a citation points at: title, heading, lines
// and the source, a link when it is a web address.
func citationMarkdown(c Citation) string {
	parts := []string{"**" + mdEscape(c.Title) + "**"}
	if c.Heading != "" {
		parts = append(parts, mdEscape(c.Heading))
	}
	if loc := location(c); loc != "" {
		parts = append(parts, loc)
	}
	src := mdCode(c.Source)
	if isURL(c.Source) && !strings.ContainsAny(c.Source, " <>()\n") {
		src = "<" + c.Source + ">"
	}
	return strings.Join(parts, ", ") + " — " + src
}
