package chatexport

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
)

var when = time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)

const answer = "Deploys happen on Tuesdays [1], rollbacks use the previous tag [2].\n\n" +
	"```go\n// [1] stays as written in code\nfunc main() { fmt.Println(\"<b>&\") }\n```\n\nInline `a[1]` too. See [the docs](https://example.com/docs)."

func sample() Chat {
	return Chat{
		Title: "Deploy questions", Model: "Echo (built-in test provider)", SystemPrompt: "You are terse.\nAnswer in English.",
		Sampling: "temperature 0.2", Exported: when,
		Messages: []Message{
			{ID: 1, Role: "user", Content: "When do we deploy?\n\n```sh\nmake deploy\n```", Created: when},
			{ID: 2, Role: "assistant", Content: answer, Model: "Echo", Status: "done", Created: when, Citations: []Citation{
				{N: 1, Title: "deploy.md", Source: "/notes/deploy.md", Heading: "Deploy", LineStart: 3, LineEnd: 5},
				{N: 2, Title: "Runbook", Source: "https://wiki.example.com/runbook", LineStart: 7, LineEnd: 7},
			}},
			{ID: 3, Role: "user", Content: "and on Fridays?", Created: when},
			{ID: 4, Role: "assistant", Content: "Never", Model: "Echo", Status: "stopped", Created: when},
		},
	}
}

// hostile is a chat whose every field tries to inject markup.
func hostile() Chat {
	x := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	return Chat{
		Title: "Title " + x, Model: "model " + x, SystemPrompt: "prompt " + x, Sampling: "s " + x, Exported: when,
		Messages: []Message{
			{ID: 1, Role: "user", Content: "user " + x + "\n[click](javascript:alert(3))", Created: when},
			{ID: 2, Role: "assistant", Model: "m " + x, Status: "error", Error: "failed " + x, Created: when,
				Content:   "answer " + x + " [1]\n\n[click](javascript:alert(4)) ![t](https://tracker.example/p.png) <iframe src=https://evil.example></iframe>",
				Citations: []Citation{{N: 1, Title: "doc " + x, Heading: "h " + x, Source: `javascript:alert(5)" onmouseover="alert(6)`, LineStart: 1, LineEnd: 2}}},
		},
	}
}

func render(t *testing.T, f func(*bytes.Buffer, Chat) error, c Chat) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func mdOut(b *bytes.Buffer, c Chat) error   { return Markdown(b, c) }
func htmlOut(b *bytes.Buffer, c Chat) error { return HTML(b, c) }

func TestMarkdownKeepsCodeAndCitesAsFootnotes(t *testing.T) {
	out := render(t, mdOut, sample())
	for _, want := range []string{
		"# Deploy questions\n",
		"> You are terse.\n> Answer in English.",
		"### You · 2026-03-04 10:30\n\nWhen do we deploy?\n\n```sh\nmake deploy\n```",
		"Deploys happen on Tuesdays [^m2-1], rollbacks use the previous tag [^m2-2].",
		"```go\n// [1] stays as written in code\nfunc main() { fmt.Println(\"<b>&\") }\n```",
		"Inline `a[1]` too. See [the docs](https://example.com/docs).",
		"[^m2-1]: **deploy.md**, Deploy, lines 3–5 — ` /notes/deploy.md `",
		"[^m2-2]: **Runbook**, line 7 — <https://wiki.example.com/runbook>",
		"### Assistant · Echo · 2026-03-04 10:30",
		"Never\n\n*(stopped before the end)*",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "*Sources:*") {
		t.Error("sources cited in the text are listed again")
	}
	// Sources an answer does not cite by number still get a reference.
	c := sample()
	c.Messages[1].Content = "Tuesdays."
	if out2 := render(t, mdOut, c); !strings.Contains(out2, "Tuesdays.\n\n*Sources:* [^m2-1] [^m2-2]\n\n[^m2-1]: **deploy.md**") {
		t.Errorf("uncited sources are not listed:\n%s", out2)
	}
	// Rendered by an independent Markdown renderer, the footnotes link up.
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote))
	var h bytes.Buffer
	if err := gm.Convert([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.String(), `href="#fn:1"`) || !strings.Contains(h.String(), "/notes/deploy.md") || !strings.Contains(h.String(), `<code class="language-go">`) {
		t.Fatalf("rendered markdown:\n%s", h.String())
	}
}

func TestMarkdownClosesAnOpenCodeBlock(t *testing.T) {
	c := sample()
	c.Messages[0].Content = "look:\n```go\nfunc broken() {"
	out := render(t, mdOut, c)
	if !strings.Contains(out, "func broken() {\n```\n\n---\n\n### Assistant") {
		t.Fatalf("the open block swallowed what follows:\n%s", out)
	}
	if n := strings.Count(out, "\n```"); n%2 != 0 {
		t.Fatalf("%d fence lines", n)
	}
}

// The export's own fields (title, model, prompt, error, citation) are
// escaped: rendered even by a renderer that passes raw HTML through,
// they make no element. Messages are kept as written.
func TestMarkdownEscapesItsFields(t *testing.T) {
	c := hostile()
	c.Messages[0].Content = "plain question"
	c.Messages[1].Content = "plain answer [1]"
	out := render(t, mdOut, c)
	unsafe := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	var h bytes.Buffer
	if err := unsafe.Convert([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	checkInert(t, h.String(), false)
	if !strings.Contains(h.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("the title's text is not shown as text:\n%s", h.String())
	}
}

func TestHTMLIsSelfContainedPrintableAndEscaped(t *testing.T) {
	out := render(t, htmlOut, sample())
	for _, want := range []string{
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
		"@media print", "<title>Deploy questions</title>",
		`<code class="language-go">// [1] stays as written in code`,
		"fmt.Println(&quot;&lt;b&gt;&amp;&quot;)",
		`<a href="#c2-1">[1]</a>`, `<li id="c2-1">[1] <b>deploy.md</b>, Deploy, lines 3–5 — <span class="src">/notes/deploy.md</span></li>`,
		`<a class="src" href="https://wiki.example.com/runbook">https://wiki.example.com/runbook</a>`,
		"When do we deploy?\n\n```sh\nmake deploy\n```", // a user's message as typed
		"(stopped before the end)",
		"You are terse.\nAnswer in English.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(out, "<link") || strings.Contains(out, "src=\"http") || strings.Contains(out, "<script") {
		t.Fatal("the page loads or runs something")
	}
	checkInert(t, out, true)
}

func TestHTMLHostileTextIsInert(t *testing.T) {
	out := render(t, htmlOut, hostile())
	checkInert(t, out, true)
	for _, want := range []string{
		"<title>Title &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</title>",
		"user &lt;script&gt;alert(1)&lt;/script&gt;",
		"The answer failed: failed &lt;script&gt;",
		"answer &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;", // raw HTML shown as text, as in the app
		"&lt;iframe src=https://evil.example&gt;&lt;/iframe&gt;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
}

// checkInert parses a page as a browser would and fails on anything that
// runs or loads: script, iframe, object or embed elements, event-handler
// attributes, javascript: links, images from elsewhere.
func checkInert(t *testing.T, page string, csp bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	sawCSP := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "object", "embed", "link", "base", "form":
				t.Errorf("element <%s> in the output", n.Data)
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"):
					t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				case (a.Key == "href" || a.Key == "src") && strings.HasPrefix(v, "javascript:"):
					t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				case n.Data == "img" && a.Key == "src" && !strings.HasPrefix(v, "data:"):
					// Harmless under the page's policy, but say so only for the page.
					if !csp {
						t.Errorf("image from %q", a.Val)
					}
				case n.Data == "meta" && a.Key == "http-equiv" && v == "content-security-policy":
					sawCSP = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if csp && !sawCSP {
		t.Error("no Content-Security-Policy")
	}
}

func TestCiteRefsOnlyRewritesCitedNumbers(t *testing.T) {
	cited := map[int]bool{1: true, 2: true}
	ref := func(n int) string { return "<" + string(rune('0'+n)) + ">" }
	for in, want := range map[string]string{
		"a [1] b [2] c [3]":           "a <1> b <2> c [3]",
		"[1](http://x) [1][ref] ![1]": "[1](http://x) [1][ref] ![1]",
		"`[1]` ``x [2] y`` [2]":       "`[1]` ``x [2] y`` <2>",
		"\\[1] [1]":                   "\\[1] <1>",
		"    [1] indented code":       "    [1] indented code",
		"~~~\n[1]\n~~~\n[1]":          "~~~\n[1]\n~~~\n<1>",
		"[12] [1]:":                   "[12] [1]:",
	} {
		if got := citeRefs(in, cited, ref); got != want {
			t.Errorf("citeRefs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileName(t *testing.T) {
	for title, want := range map[string]string{
		"Deploy questions?":         "Deploy-questions.md",
		"../../etc/passwd":          "etc-passwd.md",
		"  ":                        "chat.md",
		"naïve café \u202e gpj.exe": "naïve-café-gpj-exe.md",
		strings.Repeat("x", 100):    strings.Repeat("x", 60) + ".md",
	} {
		if got := FileName(title, FormatMarkdown); got != want {
			t.Errorf("FileName(%q) = %q, want %q", title, got, want)
		}
	}
	if FileName("a", FormatHTML) != "a.html" {
		t.Error("html extension")
	}
}

// Only pictures of the allowed types are shown inline; names are escaped.
func TestHTMLAttachmentsAreInert(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)
	c := Chat{Title: "files", Exported: time.Now(), Messages: []Message{{ID: 1, Role: "user", Content: "x", Attachments: []Attachment{
		{Name: `<script>alert(1)</script>.png`, Kind: "image", MIME: "image/png", Size: 3, Image: []byte{1, 2, 3}},
		{Name: "evil.svg", Kind: "image", MIME: "image/svg+xml", Size: int64(len(svg)), Image: svg},
	}}}}
	var b strings.Builder
	if err := HTML(&b, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>") || !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;.png") {
		t.Fatalf("name not escaped:\n%s", out)
	}
	if strings.Count(out, "<img ") != 1 || !strings.Contains(out, `<img src="data:image/png;base64,AQID"`) || strings.Contains(out, "image/svg+xml;base64") {
		t.Fatalf("images:\n%s", out)
	}
}
