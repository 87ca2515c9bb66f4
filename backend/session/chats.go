package session

import (
	"context"
	"errors"

	"sidecar/backend/assistant"
	"sidecar/backend/backup"
	"sidecar/backend/dataexport"
	"sidecar/backend/docs"
)

// The types of the use cases, as the window's bound methods return them.
type (
	ChatView         = assistant.ChatView
	ChatDetail       = assistant.ChatDetail
	ChatSettings     = assistant.ChatSettings
	PresetView       = assistant.PresetView
	SendResult       = assistant.SendResult
	MessageHitView   = assistant.MessageHitView
	LocalAPISettings = assistant.LocalAPISettings
	DocResult        = docs.Result
	Document         = docs.Document
	DocumentText     = docs.Full
	DocHit           = docs.Hit
	BackupConfig     = backup.Config
	ImportReport     = dataexport.Report
)

// ListChats returns all chats, most recent first.
func (s *Session) ListChats(ctx context.Context) ([]ChatView, error) {
	return with(s, func(o *open) ([]ChatView, error) { return o.svc.ListChats(ctx) })
}

// CreateChat creates an empty chat.
func (s *Session) CreateChat(ctx context.Context) (ChatView, error) {
	return with(s, func(o *open) (ChatView, error) { return o.svc.CreateChat(ctx) })
}

// RenameChat renames a chat.
func (s *Session) RenameChat(ctx context.Context, id int64, title string) error {
	return s.use(func(o *open) error { return o.svc.RenameChat(ctx, id, title) })
}

// DeleteChat stops the chat's answer, if any, and deletes the chat.
func (s *Session) DeleteChat(ctx context.Context, id int64) error {
	return s.use(func(o *open) error { return o.svc.DeleteChat(ctx, id) })
}

// OpenChat returns a chat and its messages.
func (s *Session) OpenChat(ctx context.Context, id int64) (ChatDetail, error) {
	return with(s, func(o *open) (ChatDetail, error) { return o.svc.OpenChat(ctx, id) })
}

// SendMessage stores the message and starts the answer (chat:token events, then chat:done).
func (s *Session) SendMessage(ctx context.Context, chatID int64, text string) (SendResult, error) {
	return with(s, func(o *open) (SendResult, error) { return o.svc.SendMessage(ctx, chatID, text) })
}

// Regenerate answers the last message of the shown branch again, keeping
// the earlier answers as other versions.
func (s *Session) Regenerate(ctx context.Context, chatID int64) (SendResult, error) {
	return with(s, func(o *open) (SendResult, error) { return o.svc.Regenerate(ctx, chatID) })
}

// EditAndResend adds a new version of one of the user's messages and
// answers it; the earlier version and what followed it stay.
func (s *Session) EditAndResend(ctx context.Context, chatID, messageID int64, text string) (SendResult, error) {
	return with(s, func(o *open) (SendResult, error) { return o.svc.EditAndResend(ctx, chatID, messageID, text) })
}

// SelectBranch shows the branch through message id and returns the chat.
func (s *Session) SelectBranch(ctx context.Context, chatID, id int64) (ChatDetail, error) {
	return with(s, func(o *open) (ChatDetail, error) { return o.svc.SelectBranch(ctx, chatID, id) })
}

// SetChatModel picks the model for a chat's next answers.
func (s *Session) SetChatModel(ctx context.Context, chatID int64, model string) error {
	return s.use(func(o *open) error { return o.svc.SetChatModel(ctx, chatID, model) })
}

// SetChatDocuments turns document grounding on or off for a chat.
func (s *Session) SetChatDocuments(ctx context.Context, chatID int64, on bool) error {
	return s.use(func(o *open) error { return o.svc.SetChatDocuments(ctx, chatID, on) })
}

// SetChatSettings sets a chat's system prompt and sampling for its next answers.
func (s *Session) SetChatSettings(ctx context.Context, chatID int64, set ChatSettings) (ChatView, error) {
	return with(s, func(o *open) (ChatView, error) { return o.svc.SetChatSettings(ctx, chatID, set) })
}

// ApplyPreset gives a chat a copy of a preset's settings.
func (s *Session) ApplyPreset(ctx context.Context, chatID, presetID int64) (ChatView, error) {
	return with(s, func(o *open) (ChatView, error) { return o.svc.ApplyPreset(ctx, chatID, presetID) })
}

// ListPresets returns every preset by name.
func (s *Session) ListPresets(ctx context.Context) ([]PresetView, error) {
	return with(s, func(o *open) ([]PresetView, error) { return o.svc.ListPresets(ctx) })
}

// CreatePreset stores a new preset.
func (s *Session) CreatePreset(ctx context.Context, name string, set ChatSettings) (PresetView, error) {
	return with(s, func(o *open) (PresetView, error) { return o.svc.CreatePreset(ctx, name, set) })
}

// UpdatePreset renames a preset and replaces its settings.
func (s *Session) UpdatePreset(ctx context.Context, id int64, name string, set ChatSettings) (PresetView, error) {
	return with(s, func(o *open) (PresetView, error) { return o.svc.UpdatePreset(ctx, id, name, set) })
}

// DeletePreset deletes a preset; chats that took it keep its settings.
func (s *Session) DeletePreset(ctx context.Context, id int64) error {
	return s.use(func(o *open) error { return o.svc.DeletePreset(ctx, id) })
}

// Theme returns the saved theme: "system", "light" or "dark" ("system"
// while the data is not open: the status screen explains why).
func (s *Session) Theme(ctx context.Context) (string, error) {
	t, err := with(s, func(o *open) (string, error) { return o.svc.Theme(ctx) })
	if errors.Is(err, ErrNotOpen) {
		return "system", nil
	}
	return t, err
}

// SetTheme saves the theme.
func (s *Session) SetTheme(ctx context.Context, theme string) error {
	return s.use(func(o *open) error { return o.svc.SetTheme(ctx, theme) })
}

// SearchMessages searches the text of every chat.
func (s *Session) SearchMessages(ctx context.Context, query string) ([]MessageHitView, error) {
	return with(s, func(o *open) ([]MessageHitView, error) { return o.svc.SearchMessages(ctx, query) })
}

// RetentionDays is how long chats are kept after their last activity (0: forever).
func (s *Session) RetentionDays(ctx context.Context) (int, error) {
	return with(s, func(o *open) (int, error) { return o.svc.RetentionDays(ctx) })
}

// SetRetentionDays sets it and deletes what is now too old; it returns how many chats went.
func (s *Session) SetRetentionDays(ctx context.Context, days int) (int64, error) {
	return with(s, func(o *open) (int64, error) { return o.svc.SetRetentionDays(ctx, days) })
}

// StopGeneration stops the chat's answer; the partial text is kept.
func (s *Session) StopGeneration(_ context.Context, chatID int64) error {
	return s.use(func(o *open) error { o.svc.Stop(chatID); return nil })
}

// WipeData wipes everything (see Wipe) once the user typed DELETE.
func (s *Session) WipeData(ctx context.Context, confirm string) error {
	if confirm != "DELETE" {
		return errors.New("type DELETE to confirm")
	}
	_, err := s.Wipe(ctx)
	return err
}
