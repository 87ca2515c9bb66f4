package assistant

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"sidecar/backend/llm"
	"sidecar/backend/store"
)

func TestExportChat(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	if err := s.RenameChat(ctx, c.ID, `Deploys <script>alert(1)</script>`); err != nil {
		t.Fatal(err)
	}
	temp := 0.2
	if _, err := s.SetChatSettings(ctx, c.ID, ChatSettings{SystemPrompt: "Be terse.", Temperature: &temp}); err != nil {
		t.Fatal(err)
	}
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "When?\n```go\nx := 1\n```"})
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "assistant", Model: "echo/echo", Content: "Tuesdays [1]. <img src=x onerror=alert(2)>",
		Citations: `[{"n":1,"documentId":1,"title":"ops.md","source":"/notes/ops.md","lineStart":3,"lineEnd":5,"heading":"Ops"}]`})

	name, err := s.ChatExportName(ctx, c.ID, "markdown")
	if err != nil || name != "Deploys-script-alert-1-script.md" {
		t.Fatalf("name = %q, %v", name, err)
	}
	var md bytes.Buffer
	if err := s.ExportChat(ctx, c.ID, "markdown", &md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`# Deploys \<script\>alert(1)\</script\>`,
		"model Echo (built-in test provider) · temperature 0.2",
		"> Be terse.",
		"When?\n```go\nx := 1\n```",
		"### Assistant · Echo (built-in test provider) · ",
		"Tuesdays [^m2-1].",
		"[^m2-1]: **ops.md**, Ops, lines 3–5 — ` /notes/ops.md `",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var page bytes.Buffer
	if err := s.ExportChat(ctx, c.ID, "html", &page); err != nil {
		t.Fatal(err)
	}
	h := page.String()
	if strings.Contains(h, "<script") || strings.Contains(h, "<img") || !strings.Contains(h, `<li id="c2-1">[1] <b>ops.md</b>`) ||
		!strings.Contains(h, "<title>Deploys &lt;script&gt;alert(1)&lt;/script&gt;</title>") {
		t.Fatalf("html:\n%s", h)
	}
	if err := s.ExportChat(ctx, c.ID, "pdf", &page); err == nil {
		t.Fatal("an unknown format was accepted")
	}
	if err := s.ExportChat(ctx, 999, "markdown", &page); err == nil {
		t.Fatal("a missing chat was exported")
	}
}
