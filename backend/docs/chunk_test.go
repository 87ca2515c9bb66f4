package docs

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMarkdownChunksFollowHeadings(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Guide\n\nIntro line.\n\n## Install\n\n")
	for i := 0; i < 12; i++ {
		b.WriteString("Install step with some words to fill the section nicely.\n")
	}
	b.WriteString("\n### Linux\n\n```sh\nsudo apt install widget\nsystemctl enable widget\n```\n\n## Usage\n\nRun it.\n")
	chunks := ChunkText(Extracted{Kind: KindMarkdown, Text: b.String()}, ChunkOptions{MaxTokens: 80, Overlap: 20})
	lines := strings.Split(b.String(), "\n")
	var headings []string
	for i, c := range chunks {
		if c.Ord != i || c.Tokens > 80+20 || c.LineStart < 1 || c.LineEnd < c.LineStart {
			t.Errorf("chunk %d: %+v", i, c)
		}
		// The text is exactly the lines it claims (blank lines aside).
		want := strings.TrimSpace(strings.Join(lines[c.LineStart-1:c.LineEnd], "\n"))
		if strings.ReplaceAll(want, "\n\n", "\n") != strings.ReplaceAll(c.Text, "\n\n", "\n") {
			t.Errorf("chunk %d lines %d-%d: text %q, file %q", i, c.LineStart, c.LineEnd, c.Text, want)
		}
		headings = append(headings, c.Heading)
	}
	joined := strings.Join(headings, " | ")
	for _, h := range []string{"Guide > Install", "Guide > Install > Linux", "Guide > Usage"} {
		if !strings.Contains(joined, h) {
			t.Errorf("no chunk under %q: %s", h, joined)
		}
	}
	// The fenced block is never cut.
	for _, c := range chunks {
		if strings.Contains(c.Text, "sudo apt") != strings.Contains(c.Text, "systemctl") {
			t.Errorf("code block split: %q", c.Text)
		}
	}
	// Overlap: consecutive chunks of a long section share lines.
	shared := false
	for i := 1; i < len(chunks); i++ {
		if chunks[i].LineStart <= chunks[i-1].LineEnd {
			shared = true
		}
	}
	if !shared {
		t.Error("no overlap between chunks")
	}
}

func TestCodeChunksFollowDefinitions(t *testing.T) {
	src := "package x\n\nimport \"fmt\"\n\n// A says a.\nfunc A() {\n" + strings.Repeat("\tfmt.Println(\"a long line of code in A\")\n", 15) +
		"}\n\n// B says b.\nfunc B() {\n" + strings.Repeat("\tfmt.Println(\"b\")\n", 15) + "}\n\ntype T struct{}\n"
	chunks := ChunkText(Extracted{Kind: KindCode, Lang: "go", Text: src}, ChunkOptions{MaxTokens: 200, Overlap: 1})
	var hs []string
	for _, c := range chunks {
		hs = append(hs, c.Heading)
	}
	j := strings.Join(hs, " | ")
	if !strings.Contains(j, "func A()") || !strings.Contains(j, "func B()") {
		t.Fatalf("headings = %s", j)
	}
	for _, c := range chunks {
		if c.Heading == "func B()" && !strings.HasPrefix(c.Text, "// B says b.") {
			t.Errorf("B's comment is not with B: %q", c.Text[:30])
		}
	}
}

func TestWordsSplitsIdentifiers(t *testing.T) {
	got := strings.Join(Words("retryBackoff HTTPServer remove_stale_caches the"), ",")
	for _, w := range []string{"retry", "backoff", "retrybackoff", "http", "server", "remove", "stale", "caches"} {
		if !strings.Contains(","+got+",", ","+w+",") {
			t.Errorf("Words lacks %q: %s", w, got)
		}
	}
	if strings.Contains(got, "the") {
		t.Errorf("stop word kept: %s", got)
	}
}

func FuzzChunk(f *testing.F) {
	for _, s := range []string{"# a\n\nb\n", "```\nx\n", "func A() {\n}\n", strings.Repeat("x", 5000), "\n\n\n", "## \n### x\n"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, code bool) {
		kind := KindMarkdown
		if code {
			kind = KindCode
		}
		n := strings.Count(s, "\n") + 1
		for _, c := range ChunkText(Extracted{Kind: kind, Text: s}, ChunkOptions{MaxTokens: 50}) {
			if c.LineStart < 1 || c.LineEnd > n || c.LineEnd < c.LineStart || c.Text == "" {
				t.Fatalf("bad chunk %+v for %d lines", c, n)
			}
			if utf8.ValidString(s) && !utf8.ValidString(c.Text) && len(c.Text) < 200 {
				t.Fatalf("invalid UTF-8 chunk")
			}
		}
	})
}

func FuzzExtract(f *testing.F) {
	f.Add("a.html", []byte("<p>x</p>"))
	f.Add("a.pdf", minimalPDF("hello"))
	f.Add("a.md", []byte("# t\n"))
	f.Add("a.bin", []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		Extract(context.Background(), name, data) // must not panic or hang
	})
}
