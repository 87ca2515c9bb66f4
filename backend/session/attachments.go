package session

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"sidecar/backend/assistant"
	"sidecar/backend/attach"
)

// The attachment types, as the window's bound methods return them.
type (
	AttachmentView    = assistant.AttachmentView
	AttachmentContent = assistant.AttachmentContent
)

// AddAttachment keeps a file for the next message of a chat; data is the
// file's bytes in standard base64 (as the page reads a dropped, pasted or
// picked file). Files over the limits are refused before they are
// decoded.
func (s *Session) AddAttachment(ctx context.Context, chatID int64, name, data string) (AttachmentView, error) {
	if base64.StdEncoding.DecodedLen(len(data)) > attach.MaxImageBytes+3 {
		return AttachmentView{}, fmt.Errorf("%s %w: files are limited to %d MiB (images %d MiB)", name, attach.ErrRefused, attach.MaxFileBytes>>20, attach.MaxImageBytes>>20)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return AttachmentView{}, fmt.Errorf("session: attachment %s: not base64: %w", name, err)
	}
	return with(s, func(o *open) (AttachmentView, error) { return o.svc.AddAttachment(ctx, chatID, name, b) })
}

// AttachFiles keeps files the user picked (by path, from the native
// dialog) for the next message of a chat. Each is read up to the largest
// size a file may have; the views of those accepted come back, with the
// first refusal as the error.
func (s *Session) AttachFiles(ctx context.Context, chatID int64, paths []string) ([]AttachmentView, error) {
	out := []AttachmentView{}
	var first error
	for _, p := range paths {
		data, err := readBounded(p, attach.MaxImageBytes)
		if err == nil {
			var v AttachmentView
			v, err = with(s, func(o *open) (AttachmentView, error) { return o.svc.AddAttachment(ctx, chatID, filepath.Base(p), data) })
			if err == nil {
				out = append(out, v)
			}
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return out, first
}

// AttachedEvent reports files dropped on a chat's message box in the
// window: those kept for its next message, and the first refusal.
type AttachedEvent struct {
	ChatID      int64            `json:"chatId"`
	Attachments []AttachmentView `json:"attachments"`
	Error       string           `json:"error"`
}

// DropAttachments keeps files dropped on a chat's message box (paths from
// the OS) for its next message and announces them as EventChatAttached.
func (s *Session) DropAttachments(ctx context.Context, chatID int64, paths []string) {
	views, err := s.AttachFiles(ctx, chatID, paths)
	ev := AttachedEvent{ChatID: chatID, Attachments: views}
	if err != nil {
		ev.Error = err.Error()
	}
	s.emit(EventChatAttached, ev)
}

// readBounded reads a file of at most max bytes; a larger one is refused
// without reading it whole.
func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("session: attach: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && (fi.IsDir() || !fi.Mode().IsRegular()) {
		return nil, fmt.Errorf("%s %w: it is not a file", filepath.Base(path), attach.ErrRefused)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("session: attach: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s %w: files are limited to %d MiB (images %d MiB)", filepath.Base(path), attach.ErrRefused, attach.MaxFileBytes>>20, attach.MaxImageBytes>>20)
	}
	return data, nil
}

// RemoveAttachment drops a file picked for a message not sent yet.
func (s *Session) RemoveAttachment(ctx context.Context, id int64) error {
	return s.use(func(o *open) error { return o.svc.RemoveAttachment(ctx, id) })
}

// OpenAttachment returns an attachment's text, or its image as a data URL.
func (s *Session) OpenAttachment(ctx context.Context, id int64) (AttachmentContent, error) {
	return with(s, func(o *open) (AttachmentContent, error) { return o.svc.OpenAttachment(ctx, id) })
}

// SendWithAttachments sends a message with files picked for it.
func (s *Session) SendWithAttachments(ctx context.Context, chatID int64, text string, attachments []int64) (SendResult, error) {
	return with(s, func(o *open) (SendResult, error) { return o.svc.SendWithAttachments(ctx, chatID, text, attachments) })
}

// EditWithAttachments adds a new version of one of the user's messages,
// carrying the files given (kept from the earlier version or picked
// since), and answers it.
func (s *Session) EditWithAttachments(ctx context.Context, chatID, messageID int64, text string, attachments []int64) (SendResult, error) {
	return with(s, func(o *open) (SendResult, error) {
		return o.svc.EditWithAttachments(ctx, chatID, messageID, text, attachments)
	})
}
