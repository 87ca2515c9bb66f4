package assistant

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"

	"sidecar/backend/attach"
	"sidecar/backend/docs"
	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// AttachmentView is a file given with a message, as the UI shows it. A
// text attachment cut to fit the model's window says so (Truncated, with
// the tokens kept of the total).
type AttachmentView struct {
	ID          int64  `json:"id"`
	MessageID   int64  `json:"messageId"` // 0: not sent yet
	Name        string `json:"name"`
	MIME        string `json:"mime"`
	Kind        string `json:"kind"` // image, pdf, text, markdown, code, html
	Size        int64  `json:"size"` // bytes
	Truncated   bool   `json:"truncated"`
	KeptTokens  int    `json:"keptTokens"`
	TotalTokens int    `json:"totalTokens"`
}

// AttachmentContent is an attachment opened to be viewed: the text of a
// text file or PDF, or an image as a data URL.
type AttachmentContent struct {
	Attachment AttachmentView `json:"attachment"`
	Text       string         `json:"text"`
	DataURL    string         `json:"dataUrl"`
}

// ErrNoVision means a message with images was sent to a chat whose model
// cannot take them; nothing was stored.
var ErrNoVision = errors.New("assistant: this chat's model cannot take images: pick a model that can (GPT-4o, Claude, Gemini…) or remove the images")

func attachmentView(a store.Attachment) AttachmentView {
	return AttachmentView{ID: a.ID, MessageID: a.MessageID, Name: a.Name, MIME: a.MIME, Kind: a.Kind, Size: a.Size,
		Truncated: a.Truncated, KeptTokens: a.KeptTokens, TotalTokens: a.TotalTokens}
}

// AddAttachment reads a file for the next message of a chat and keeps it,
// pending, until the message is sent (or RemoveAttachment). A file that is
// not text, an image or a PDF, or that is over the limits, is refused with
// the reason (see package attach); so is one more than a message can carry.
func (s *Service) AddAttachment(ctx context.Context, chatID int64, name string, data []byte) (AttachmentView, error) {
	if _, err := s.db.Chat(ctx, chatID); err != nil {
		return AttachmentView{}, err
	}
	pending, err := s.db.PendingAttachments(ctx, chatID)
	if err != nil {
		return AttachmentView{}, err
	}
	total := int64(len(data))
	for _, a := range pending {
		total += a.Size
	}
	switch {
	case len(pending) >= attach.MaxPerMessage:
		return AttachmentView{}, fmt.Errorf("assistant: %w: a message carries at most %d files", attach.ErrRefused, attach.MaxPerMessage)
	case total > attach.MaxTotalBytes:
		return AttachmentView{}, fmt.Errorf("assistant: %w: a message's files are limited to %d MiB together", attach.ErrRefused, attach.MaxTotalBytes>>20)
	}
	f, err := attach.Read(ctx, name, data)
	if err != nil {
		return AttachmentView{}, fmt.Errorf("assistant: %w", err)
	}
	a, err := s.db.AddPendingAttachment(ctx, store.Attachment{ChatID: chatID, Name: f.Name, MIME: f.MIME, Kind: f.Kind, Lang: f.Lang, Data: data, Text: f.Text})
	if err != nil {
		return AttachmentView{}, err
	}
	return attachmentView(a), nil
}

// RemoveAttachment drops a file picked for a message not sent yet.
func (s *Service) RemoveAttachment(ctx context.Context, id int64) error {
	return s.db.RemovePendingAttachment(ctx, id)
}

// OpenAttachment returns an attachment's content to view.
func (s *Service) OpenAttachment(ctx context.Context, id int64) (AttachmentContent, error) {
	a, err := s.db.Attachment(ctx, id)
	if err != nil {
		return AttachmentContent{}, err
	}
	c := AttachmentContent{Attachment: attachmentView(a), Text: a.Text}
	if a.Kind == attach.KindImage {
		c.DataURL = "data:" + a.MIME + ";base64," + base64.StdEncoding.EncodeToString(a.Data)
	}
	return c, nil
}

// checkAttachments checks the files a message will carry: at most
// attach.MaxPerMessage, attach.MaxTotalBytes together, each pending in
// the chat or (own, when editing) one of the edited message's; images
// only for a model that takes them.
func (s *Service) checkAttachments(ctx context.Context, c store.Chat, ids []int64, own int64) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > attach.MaxPerMessage {
		return fmt.Errorf("assistant: %w: a message carries at most %d files", attach.ErrRefused, attach.MaxPerMessage)
	}
	as, err := s.db.AttachmentsByID(ctx, ids)
	if err != nil {
		return err
	}
	var total int64
	images := false
	for _, a := range as {
		if a.ChatID != c.ID || a.MessageID != 0 && a.MessageID != own {
			return fmt.Errorf("assistant: %s: %w", a.Name, store.ErrAttachmentTaken)
		}
		total += a.Size
		images = images || a.Kind == attach.KindImage
	}
	if total > attach.MaxTotalBytes {
		return fmt.Errorf("assistant: %w: a message's files are limited to %d MiB together", attach.ErrRefused, attach.MaxTotalBytes>>20)
	}
	if images {
		caps, err := s.cat.Capabilities(c.Model)
		if err != nil {
			return err
		}
		if !caps.Vision {
			return ErrNoVision
		}
	}
	return nil
}

// attachmentBudget is how many tokens the text files of one message may
// take: half of what the model's window leaves after the answer's
// reserve, counted by the model's tokenizer where Sidecar has it (local
// models) and estimated otherwise.
func attachmentBudget(p llm.Provider, model string) (int, attach.Counter) {
	if w, ok := p.(llm.Windowed); ok {
		size, reserve := w.ContextWindow(model)
		empty, err := w.CountTokens(model, []llm.Message{{Role: llm.RoleUser}})
		if err == nil {
			return max((size-reserve)/2, 0), func(text string) (int, error) {
				n, err := w.CountTokens(model, []llm.Message{{Role: llm.RoleUser, Content: text}})
				return max(n-empty, 0), err
			}
		}
	}
	n := llm.CapabilitiesOf(p, model).ContextLength
	if n <= 0 {
		n = 8192
	}
	return n / 2, attach.EstimateTokens
}

// fitted is one text attachment as a prompt carries it.
type fitted struct {
	attachment         store.Attachment
	fullText, keptText string
	cut                bool
	kept, total        int
}

// withAttachments adds the attachments of the user messages of history to
// msgs (prompt(history), one-for-one with the messages it kept): text
// files as fenced blocks after the message's text, fitted to the budget
// (shared out evenly, a file needing less leaving the rest to others),
// images as llm.Images when vision is true and as a one-line note
// otherwise. It returns the fit of the last user message's files.
func (s *Service) withAttachments(ctx context.Context, p llm.Provider, model string, history []store.Message, msgs []llm.Message, vision bool) ([]llm.Message, []store.Attachment, error) {
	kept := keptMessages(history)
	ids := userIDs(kept)
	byMsg, err := s.db.AttachmentsOf(ctx, ids, true)
	if err != nil || len(byMsg) == 0 {
		return msgs, nil, err
	}
	budget, count := attachmentBudget(p, model)
	var last []store.Attachment
	out := make([]llm.Message, len(msgs))
	copy(out, msgs)
	for i, m := range kept {
		as := byMsg[m.ID]
		if len(as) == 0 {
			continue
		}
		var texts []*fitted
		var extra []string
		for _, a := range as {
			if a.Kind == attach.KindImage {
				if vision {
					out[i].Images = append(out[i].Images, llm.Image{MIME: a.MIME, Data: a.Data})
				} else {
					extra = append(extra, fmt.Sprintf("(An image, %s, was attached; this model cannot see images.)", a.Name))
				}
				continue
			}
			texts = append(texts, &fitted{attachment: a, fullText: a.Text})
		}
		if err := fitAll(texts, budget, count); err != nil {
			return nil, nil, fmt.Errorf("assistant: count attachment tokens: %w", err)
		}
		var parts []string
		if strings.TrimSpace(out[i].Content) != "" {
			parts = append(parts, out[i].Content)
		}
		for _, f := range texts {
			lang := f.attachment.Lang
			if f.attachment.Kind == docs.KindMarkdown {
				lang = "markdown"
			}
			parts = append(parts, attach.Block(f.attachment.Name, lang, f.keptText, f.cut, f.kept, f.total))
			f.attachment.Truncated, f.attachment.KeptTokens, f.attachment.TotalTokens = f.cut, f.kept, f.total
		}
		out[i].Content = strings.Join(append(parts, extra...), "\n\n")
		if m.ID == ids[len(ids)-1] {
			for _, f := range texts {
				last = append(last, f.attachment)
			}
		}
	}
	return out, last, nil
}

// fitAll shares budget out among texts: in order of need, each gets an
// even share of what is left, or what it needs when that is less.
func fitAll(texts []*fitted, budget int, count attach.Counter) error {
	for _, f := range texts {
		n, err := count(f.fullText)
		if err != nil {
			return err
		}
		f.total = n
	}
	order := make([]*fitted, len(texts))
	copy(order, texts)
	sort.SliceStable(order, func(i, j int) bool { return order[i].total < order[j].total })
	left := budget
	for i, f := range order {
		share := left / (len(order) - i)
		if f.total <= share {
			f.keptText, f.kept = f.fullText, f.total
		} else {
			kept, n, _, err := attach.Fit(f.fullText, share, count)
			if err != nil {
				return err
			}
			f.keptText, f.kept, f.cut = kept, n, true
		}
		left -= f.kept
	}
	return nil
}

// keptMessages are the messages of history that prompt keeps, in order.
func keptMessages(history []store.Message) []store.Message {
	var out []store.Message
	for _, m := range history {
		if keepInPrompt(m) {
			out = append(out, m)
		}
	}
	return out
}

// attachmentViews returns the attachments of msgs by message ID.
func (s *Service) attachmentViews(ctx context.Context, msgs []store.Message) map[int64][]AttachmentView {
	out := map[int64][]AttachmentView{}
	byMsg, err := s.db.AttachmentsOf(ctx, userIDs(msgs), false)
	if err != nil {
		s.log.Warn("reading attachments failed", "err", err)
		return out
	}
	for id, as := range byMsg {
		for _, a := range as {
			out[id] = append(out[id], attachmentView(a))
		}
	}
	return out
}
