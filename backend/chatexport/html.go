package chatexport

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// md renders answers: GitHub-flavoured Markdown, dangerous link targets
// (javascript:, data: ...) dropped (goldmark's default without
// html.WithUnsafe), and raw HTML shown as text, as the app shows it.
var md = goldmark.New(goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(rawAsText{}, 100))))

// rawAsText renders raw HTML, inline and in blocks, as escaped text.
type rawAsText struct{}

func (rawAsText) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := 0; i < segs.Len(); i++ {
				seg := segs.At(i)
				template.HTMLEscape(w, seg.Value(src))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	r.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		b := n.(*ast.HTMLBlock)
		w.WriteString("<p class=\"raw\">")
		lines := b.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			template.HTMLEscape(w, seg.Value(src))
		}
		if b.HasClosure() {
			template.HTMLEscape(w, b.ClosureLine.Value(src))
		}
		w.WriteString("</p>\n")
		return ast.WalkSkipChildren, nil
	})
}

type htmlMessage struct {
	Role      string
	Who       string
	When      string
	User      bool
	Text      string        // a user's message, shown as typed
	Body      template.HTML // an answer, rendered
	Status    string
	Error     string
	Version   string // "version 2 of 3", or "" when there is one
	Citations []htmlCitation
	// Attachments are a message's files; pictures are shown.
	Attachments []htmlAttachment
}

type htmlAttachment struct {
	About string
	Image template.URL // a data: URL of an allowed picture type, or ""
}

// imageTypes are the pictures the page shows inline.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

type htmlCitation struct {
	ID, N, Title, Heading, Location, Source string
	Link                                    string // the source when it is a web address
}

// HTML writes the chat as one self-contained page meant for printing or
// saving as PDF: inline styles only, and a Content-Security-Policy that
// lets nothing load or run.
func HTML(w io.Writer, c Chat) error {
	data := struct {
		Title, Model, Sampling, SystemPrompt, Exported, BranchNote string
		Messages                                                   []htmlMessage
	}{Title: c.Title, Model: c.Model, Sampling: c.Sampling, SystemPrompt: strings.TrimSpace(c.SystemPrompt), Exported: stamp(c.Exported), BranchNote: branchNote(c)}
	for _, m := range c.Messages {
		hm := htmlMessage{Role: m.Role, Who: roleName(m), When: stamp(m.Created), User: m.Role != "assistant", Status: m.Status, Error: m.Error, Version: versionNote(m)}
		for _, a := range m.Attachments {
			ha := htmlAttachment{About: a.describe()}
			if imageTypes[a.MIME] && len(a.Image) > 0 {
				// A data URL of an allowed picture type: the page's policy
				// lets data: images load, and nothing else.
				ha.Image = template.URL("data:" + a.MIME + ";base64," + base64.StdEncoding.EncodeToString(a.Image))
			}
			hm.Attachments = append(hm.Attachments, ha)
		}
		if hm.User {
			hm.Text = m.Content
		} else {
			id := func(n int) string { return fmt.Sprintf("c%d-%d", m.ID, n) }
			src := citeRefs(closeFences(m.Content), citedNumbers(m.Citations), func(n int) string {
				return fmt.Sprintf("[\\[%d\\]](#%s)", n, id(n))
			})
			var b bytes.Buffer
			if err := md.Convert([]byte(src), &b); err != nil {
				return fmt.Errorf("chatexport: render message %d: %w", m.ID, err)
			}
			hm.Body = template.HTML(b.String()) // goldmark escaped it, raw HTML included
			for _, ct := range m.Citations {
				hc := htmlCitation{ID: id(ct.N), N: fmt.Sprint(ct.N), Title: ct.Title, Heading: ct.Heading, Location: location(ct), Source: ct.Source}
				if isURL(ct.Source) {
					hc.Link = ct.Source
				}
				hm.Citations = append(hm.Citations, hc)
			}
		}
		data.Messages = append(data.Messages, hm)
	}
	if err := page.Execute(w, data); err != nil {
		return fmt.Errorf("chatexport: %w", err)
	}
	return nil
}

var page = template.Must(template.New("chat").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Sidecar">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light; --text: #18181b; --muted: #6b6b76; --border: #e2e2e8; --soft: #f4f4f7; --accent: #4f46e5; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 820px; padding: 32px 28px 48px; color: var(--text); background: #fff;
  font: 15px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, "Noto Sans", sans-serif; }
header { border-bottom: 2px solid var(--text); padding-bottom: 12px; margin-bottom: 20px; }
h1 { font-size: 1.6em; margin: 0 0 4px; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: .85em; }
.system { margin: 14px 0 0; padding: 8px 14px; border-left: 3px solid var(--accent); background: var(--soft); white-space: pre-wrap; overflow-wrap: anywhere; }
.system b { display: block; font-size: .8em; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.msg { padding: 14px 0; border-bottom: 1px solid var(--border); }
.who { font-weight: 700; font-size: .9em; margin-bottom: 4px; }
.who .when { font-weight: 400; color: var(--muted); margin-left: 8px; }
.raw { white-space: pre-wrap; }
.msg.user .text { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft); border-radius: 8px; padding: 8px 12px; }
.body { overflow-wrap: anywhere; }
.body > :first-child { margin-top: 0; } .body > :last-child { margin-bottom: 0; }
pre { background: var(--soft); border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
code { font: .9em ui-monospace, "DejaVu Sans Mono", monospace; }
:not(pre) > code { background: var(--soft); border: 1px solid var(--border); border-radius: 4px; padding: 0 4px; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--border); padding: 3px 8px; }
blockquote { margin: .5em 0; padding-left: 12px; border-left: 3px solid var(--border); color: var(--muted); }
a { color: var(--accent); }
.status { color: var(--muted); font-style: italic; font-size: .9em; }
.error { color: #b91c1c; }
.files { margin: 8px 0 0; padding: 0; list-style: none; font-size: .85em; color: var(--muted); }
.files img { display: block; max-width: 100%; max-height: 360px; border: 1px solid var(--border); border-radius: 6px; margin: 4px 0; }
.sources { margin: 10px 0 0; padding-left: 0; list-style: none; font-size: .85em; color: var(--muted); }
.sources li { margin: 2px 0; overflow-wrap: anywhere; }
.sources .src { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
@page { margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .msg { break-inside: avoid-page; }
  pre, .raw { white-space: pre-wrap; }
.msg.user .text { white-space: pre-wrap; break-inside: avoid; }
  a { color: inherit; }
  .sources a[href^="http"]::after { content: " (" attr(href) ")"; }
}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<div class="meta">Exported from Sidecar {{.Exported}}{{if .Model}} · model {{.Model}}{{end}}{{if .Sampling}} · {{.Sampling}}{{end}}</div>
{{if .BranchNote}}<p class="meta branches">{{.BranchNote}}</p>{{end}}
{{if .SystemPrompt}}<div class="system"><b>System prompt</b>{{.SystemPrompt}}</div>{{end}}
</header>
<main>
{{range .Messages}}<section class="msg {{.Role}}">
<div class="who">{{.Who}}<span class="when">{{.When}}{{if .Version}} · {{.Version}}{{end}}</span></div>
{{if .User}}{{if .Text}}<div class="text">{{.Text}}</div>{{end}}{{else}}<div class="body">{{.Body}}</div>{{end}}
{{if .Attachments}}<ul class="files">{{range .Attachments}}<li>{{if .Image}}<img src="{{.Image}}" alt="{{.About}}">{{end}}<span>Attached: {{.About}}</span></li>{{end}}</ul>{{end}}
{{if eq .Status "stopped"}}<p class="status">(stopped before the end)</p>{{end}}{{if eq .Status "streaming"}}<p class="status">(still being written when exported)</p>{{end}}{{if eq .Status "error"}}<p class="status error">The answer failed: {{.Error}}</p>{{end}}
{{if .Citations}}<ol class="sources">{{range .Citations}}<li id="{{.ID}}">[{{.N}}] <b>{{.Title}}</b>{{if .Heading}}, {{.Heading}}{{end}}{{if .Location}}, {{.Location}}{{end}} — {{if .Link}}<a class="src" href="{{.Link}}">{{.Source}}</a>{{else}}<span class="src">{{.Source}}</span>{{end}}</li>{{end}}</ol>{{end}}
</section>
{{end}}</main>
</body>
</html>
`))
