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
	ModelView        = assistant.ModelView
	MessageHitView   = assistant.MessageHitView
	ProviderView     = assistant.ProviderView
	LocalModelView   = assistant.LocalModelView
	LocalSettings    = assistant.LocalSettings
	PendingDownload  = assistant.PendingDownload
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

// Regenerate replaces the last answer of a chat.
func (s *Session) Regenerate(ctx context.Context, chatID int64) (SendResult, error) {
	return with(s, func(o *open) (SendResult, error) { return o.svc.Regenerate(ctx, chatID) })
}

// EditAndResend replaces one of the user's messages, drops what followed and answers again.
func (s *Session) EditAndResend(ctx context.Context, chatID, messageID int64, text string) (SendResult, error) {
	return with(s, func(o *open) (SendResult, error) { return o.svc.EditAndResend(ctx, chatID, messageID, text) })
}

// Models lists the models the user can pick.
func (s *Session) Models(ctx context.Context) ([]ModelView, error) {
	return with(s, func(o *open) ([]ModelView, error) { return o.svc.Models(ctx) })
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

// Providers lists the cloud providers and whether each has a key.
func (s *Session) Providers(ctx context.Context) ([]ProviderView, error) {
	return with(s, func(o *open) ([]ProviderView, error) { return o.svc.Providers(ctx) })
}

// SetProviderKey checks an API key with the provider and stores it in the OS keychain.
func (s *Session) SetProviderKey(ctx context.Context, provider, key, baseURL string) (ProviderView, error) {
	return with(s, func(o *open) (ProviderView, error) { return o.svc.SetProviderKey(ctx, provider, key, baseURL) })
}

// RemoveProviderKey deletes a provider's key from the keychain.
func (s *Session) RemoveProviderKey(ctx context.Context, provider string) error {
	return s.use(func(o *open) error { return o.svc.RemoveProviderKey(ctx, provider) })
}

// LocalModels lists the local models.
func (s *Session) LocalModels(ctx context.Context) ([]LocalModelView, error) {
	return with(s, func(o *open) ([]LocalModelView, error) { return o.svc.LocalModels(ctx) })
}

// ImportLocalModel adds the model file or folder at path.
func (s *Session) ImportLocalModel(ctx context.Context, path string) (LocalModelView, error) {
	return with(s, func(o *open) (LocalModelView, error) { return o.svc.ImportLocalModel(ctx, path) })
}

// UpdateLocalModel saves a model's name and settings.
func (s *Session) UpdateLocalModel(ctx context.Context, id, name string, settings LocalSettings) (LocalModelView, error) {
	return with(s, func(o *open) (LocalModelView, error) { return o.svc.UpdateLocalModel(ctx, id, name, settings) })
}

// RemoveLocalModel forgets a model (deleting the file only if Sidecar downloaded it).
func (s *Session) RemoveLocalModel(ctx context.Context, id string) error {
	return s.use(func(o *open) error { return o.svc.RemoveLocalModel(ctx, id) })
}

// DownloadLocalModel starts (or resumes) downloading a model; progress arrives as models:download events.
func (s *Session) DownloadLocalModel(ctx context.Context, url, sha256 string) (string, error) {
	return with(s, func(o *open) (string, error) { return o.svc.DownloadLocalModel(ctx, url, sha256) })
}

// PendingDownloads lists interrupted downloads that can be resumed.
func (s *Session) PendingDownloads(ctx context.Context) ([]PendingDownload, error) {
	return with(s, func(o *open) ([]PendingDownload, error) { return o.svc.PendingDownloads(ctx) })
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

// PauseDownload pauses a download (resume with DownloadLocalModel).
func (s *Session) PauseDownload(_ context.Context, id string) error {
	return s.use(func(o *open) error { return o.svc.PauseDownload(id) })
}

// CancelDownload stops a download and deletes what arrived.
func (s *Session) CancelDownload(_ context.Context, id string) error {
	return s.use(func(o *open) error { return o.svc.CancelDownload(id) })
}

// WipeData wipes everything (see Wipe) once the user typed DELETE.
func (s *Session) WipeData(ctx context.Context, confirm string) error {
	if confirm != "DELETE" {
		return errors.New("type DELETE to confirm")
	}
	_, err := s.Wipe(ctx)
	return err
}
