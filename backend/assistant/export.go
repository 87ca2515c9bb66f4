package assistant

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"sidecar/backend/attach"
	"sidecar/backend/chatexport"
	"sidecar/backend/store"
)

// ChatExportName suggests a file name for exporting a chat in format
// ("markdown" or "html").
func (s *Service) ChatExportName(ctx context.Context, chatID int64, format string) (string, error) {
	if chatexport.Ext(format) == "" {
		return "", fmt.Errorf("assistant: export chat: unknown format %q", format)
	}
	c, err := s.db.Chat(ctx, chatID)
	if err != nil {
		return "", err
	}
	return chatexport.FileName(c.Title, format), nil
}

// ExportChat writes one chat to w as Markdown or as a printable HTML page:
// the branch the chat shows, each message noting when it has other
// versions (the full data export keeps them all).
func (s *Service) ExportChat(ctx context.Context, chatID int64, format string, w io.Writer) error {
	render := map[string]func(io.Writer, chatexport.Chat) error{chatexport.FormatMarkdown: chatexport.Markdown, chatexport.FormatHTML: chatexport.HTML}[format]
	if render == nil {
		return fmt.Errorf("assistant: export chat: unknown format %q", format)
	}
	c, err := s.db.Chat(ctx, chatID)
	if err != nil {
		return err
	}
	msgs, err := s.db.ShownPath(ctx, chatID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	if ms, err := s.cat.Models(ctx); err == nil {
		for _, m := range ms {
			names[m.ID] = m.Name
		}
	}
	name := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	model := c.Model
	if model == "" {
		model = DefaultModel
	}
	var sampling []string
	if t := c.Settings.Temperature; t != nil {
		sampling = append(sampling, fmt.Sprintf("temperature %g", *t))
	}
	if p := c.Settings.TopP; p != nil {
		sampling = append(sampling, fmt.Sprintf("top-p %g", *p))
	}
	if n := c.Settings.MaxTokens; n > 0 {
		sampling = append(sampling, fmt.Sprintf("max %d tokens", n))
	}
	out := chatexport.Chat{Title: c.Title, Model: name(model), SystemPrompt: c.Settings.SystemPrompt,
		Sampling: strings.Join(sampling, " · "), Exported: time.Now()}
	files, err := s.db.AttachmentsOf(ctx, userIDs(msgs), true)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		em := chatexport.Message{ID: m.ID, Role: m.Role, Content: m.Content, Status: m.Status, Error: m.Error, Created: m.CreatedAt,
			Versions: len(m.Siblings), Version: slices.Index(m.Siblings, m.ID) + 1}
		if m.Role == "assistant" {
			em.Model = name(m.Model)
		}
		for _, ct := range parseCitations(m) {
			em.Citations = append(em.Citations, chatexport.Citation{N: ct.N, Title: ct.Title, Source: ct.Source, Heading: ct.Heading, LineStart: ct.LineStart, LineEnd: ct.LineEnd})
		}
		for _, a := range files[m.ID] {
			ea := chatexport.Attachment{Name: a.Name, Kind: a.Kind, MIME: a.MIME, Size: a.Size, Truncated: a.Truncated, KeptTokens: a.KeptTokens, TotalTokens: a.TotalTokens}
			if a.Kind == attach.KindImage {
				ea.Image = a.Data
			}
			em.Attachments = append(em.Attachments, ea)
		}
		out.Messages = append(out.Messages, em)
	}
	return render(w, out)
}

// userIDs are the ids of the user's messages among msgs.
func userIDs(msgs []store.Message) []int64 {
	var ids []int64
	for _, m := range msgs {
		if m.Role == "user" {
			ids = append(ids, m.ID)
		}
	}
	return ids
}
