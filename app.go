package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sidecar/backend/session"
)

// App is the Wails shell: its exported methods are bound to the frontend,
// each a one-line call into the session through ready.
type App struct {
	ctx     context.Context
	s       *session.Session
	started chan struct{} // closed once startup has tried to open the data

	dropMu   sync.Mutex
	dropZone dropZone // where dropped files attach to a chat
}

// wailsEvents sends the session's events to the webview, each with a
// sequence number after its payload: in a browser the development server
// may deliver them out of order, and the frontend puts them back in order
// (frontend/src/eventorder.ts).
type wailsEvents struct {
	a   *App
	mu  sync.Mutex
	seq uint64
}

func (e *wailsEvents) Emit(name string, data any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	runtime.EventsEmit(e.a.ctx, name, data, e.seq)
}

func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	defer close(a.started)
	runtime.OnFileDrop(ctx, a.onFileDrop)
	a.s.Open(ctx) // a failure is on the status screen
}

func (a *App) shutdown(context.Context) { a.s.Close() }

// onSecondInstance brings the window forward when Sidecar is started again
// on the same data folder.
func (a *App) onSecondInstance(options.SecondInstanceData) {
	<-a.started
	runtime.WindowUnminimise(a.ctx)
	runtime.WindowShow(a.ctx)
}

// ready is the one readiness guard: bound methods can be called by the
// page before startup has finished, so they wait for it.
func (a *App) ready() *session.Session {
	<-a.started
	return a.s
}

// onFileDrop adds files dropped on the window to the documents and
// watches dropped folders, except for a drop on the open chat's message
// box (SetAttachDropZone), whose files are attached to its next message.
// The paths come from the OS, not from the page.
func (a *App) onFileDrop(x, y int, paths []string) {
	a.dropMu.Lock()
	z := a.dropZone
	a.dropMu.Unlock()
	go func() {
		if z.chatID != 0 && x >= z.x && x < z.x+z.w && y >= z.y && y < z.y+z.h {
			a.ready().DropAttachments(a.ctx, z.chatID, paths)
			return
		}
		if _, err := a.ready().AddDropped(a.ctx, paths); err != nil {
			slog.Warn("adding dropped files failed", "err", err)
		}
	}()
}

// dropZone is where in the window files dropped attach to a chat.
type dropZone struct {
	chatID     int64
	x, y, w, h int
}

// SetAttachDropZone tells where the open chat's message box is in the
// window (CSS pixels); files dropped there are attached to the chat's
// next message. A chatID of 0 clears it.
func (a *App) SetAttachDropZone(chatID int64, x, y, width, height int) {
	a.dropMu.Lock()
	a.dropZone = dropZone{chatID: chatID, x: x, y: y, w: width, h: height}
	a.dropMu.Unlock()
}

// Status reports whether the data could be opened, and if not, why.
func (a *App) Status() session.Status { return a.ready().Status() }

// Unlock opens the data with the passphrase the user typed.
func (a *App) Unlock(passphrase string) error { return a.ready().Unlock(a.ctx, passphrase) }

// KeyMode tells where the database key comes from: "keychain" or "passphrase".
func (a *App) KeyMode() string { return a.ready().KeyMode() }

// UsePassphrase re-encrypts the data under a key derived from passphrase.
func (a *App) UsePassphrase(passphrase string) error {
	return a.ready().UsePassphrase(a.ctx, passphrase)
}

// UseKeychain moves the database key to the OS keychain.
func (a *App) UseKeychain() error { return a.ready().UseKeychain(a.ctx) }

// RotateDBKey re-encrypts the database under a new key and reopens it.
func (a *App) RotateDBKey() error { return a.ready().RotateKey(a.ctx) }

// WipeData deletes all of the user's Sidecar data after they typed DELETE,
// then starts afresh.
func (a *App) WipeData(confirm string) error { return a.ready().WipeData(a.ctx, confirm) }

// ListChats returns all chats, most recent first.
func (a *App) ListChats() ([]session.ChatView, error) { return a.ready().ListChats(a.ctx) }

// CreateChat creates an empty chat.
func (a *App) CreateChat() (session.ChatView, error) { return a.ready().CreateChat(a.ctx) }

// RenameChat renames a chat.
func (a *App) RenameChat(id int64, title string) error { return a.ready().RenameChat(a.ctx, id, title) }

// DeleteChat deletes a chat and its messages.
func (a *App) DeleteChat(id int64) error { return a.ready().DeleteChat(a.ctx, id) }

// OpenChat returns a chat and its messages.
func (a *App) OpenChat(id int64) (session.ChatDetail, error) { return a.ready().OpenChat(a.ctx, id) }

// SendMessage stores the message with the files picked for it and starts
// the answer; the answer streams in as "chat:token" events and ends with
// "chat:done".
func (a *App) SendMessage(chatID int64, text string, attachments []int64) (session.SendResult, error) {
	return a.ready().SendWithAttachments(a.ctx, chatID, text, attachments)
}

// AddAttachment keeps a file (its bytes in base64) for a chat's next message.
func (a *App) AddAttachment(chatID int64, name, data string) (session.AttachmentView, error) {
	return a.ready().AddAttachment(a.ctx, chatID, name, data)
}

// RemoveAttachment drops a file picked for a message not sent yet.
func (a *App) RemoveAttachment(id int64) error { return a.ready().RemoveAttachment(a.ctx, id) }

// OpenAttachment returns an attachment's text, or its image as a data URL.
func (a *App) OpenAttachment(id int64) (session.AttachmentContent, error) {
	return a.ready().OpenAttachment(a.ctx, id)
}

// Regenerate answers the last message of the shown branch again, keeping
// the earlier answers as other versions.
func (a *App) Regenerate(chatID int64) (session.SendResult, error) {
	return a.ready().Regenerate(a.ctx, chatID)
}

// EditAndResend adds a new version of one of the user's messages, with
// the files given (kept from the earlier version or picked since), and
// answers it; the earlier version and what followed it stay.
func (a *App) EditAndResend(chatID, messageID int64, text string, attachments []int64) (session.SendResult, error) {
	return a.ready().EditWithAttachments(a.ctx, chatID, messageID, text, attachments)
}

// SelectBranch shows the version of a turn that message id is (with the
// newest conversation that followed it) and returns the chat.
func (a *App) SelectBranch(chatID, id int64) (session.ChatDetail, error) {
	return a.ready().SelectBranch(a.ctx, chatID, id)
}

// StopGeneration stops the chat's answer; the partial text is kept.
func (a *App) StopGeneration(chatID int64) error { return a.ready().StopGeneration(a.ctx, chatID) }

// ListModels returns the models the user can pick.
func (a *App) ListModels() ([]session.ModelView, error) { return a.ready().Models(a.ctx) }

// SetChatModel picks the model for a chat's next answers.
func (a *App) SetChatModel(chatID int64, model string) error {
	return a.ready().SetChatModel(a.ctx, chatID, model)
}

// SetChatDocuments turns document grounding on or off for a chat.
func (a *App) SetChatDocuments(chatID int64, on bool) error {
	return a.ready().SetChatDocuments(a.ctx, chatID, on)
}

// SetChatSettings sets a chat's system prompt and sampling for its next answers.
func (a *App) SetChatSettings(chatID int64, set session.ChatSettings) (session.ChatView, error) {
	return a.ready().SetChatSettings(a.ctx, chatID, set)
}

// ApplyPreset gives a chat a copy of a preset's settings.
func (a *App) ApplyPreset(chatID, presetID int64) (session.ChatView, error) {
	return a.ready().ApplyPreset(a.ctx, chatID, presetID)
}

// ListPresets returns every preset of chat settings by name.
func (a *App) ListPresets() ([]session.PresetView, error) { return a.ready().ListPresets(a.ctx) }

// CreatePreset stores a new preset.
func (a *App) CreatePreset(name string, set session.ChatSettings) (session.PresetView, error) {
	return a.ready().CreatePreset(a.ctx, name, set)
}

// UpdatePreset renames a preset and replaces its settings.
func (a *App) UpdatePreset(id int64, name string, set session.ChatSettings) (session.PresetView, error) {
	return a.ready().UpdatePreset(a.ctx, id, name, set)
}

// DeletePreset deletes a preset; chats that took it keep its settings.
func (a *App) DeletePreset(id int64) error { return a.ready().DeletePreset(a.ctx, id) }

// Theme returns the saved theme: "system", "light" or "dark".
func (a *App) Theme() (string, error) { return a.ready().Theme(a.ctx) }

// SetTheme saves the theme.
func (a *App) SetTheme(theme string) error { return a.ready().SetTheme(a.ctx, theme) }

// SearchMessages searches the text of every chat.
func (a *App) SearchMessages(query string) ([]session.MessageHitView, error) {
	return a.ready().SearchMessages(a.ctx, query)
}

// Providers lists the cloud providers and whether each has a key.
func (a *App) Providers() ([]session.ProviderView, error) { return a.ready().Providers(a.ctx) }

// SetProviderKey checks an API key with the provider and stores it in the
// OS keychain; baseURL overrides the endpoint ("" for the default).
func (a *App) SetProviderKey(provider, key, baseURL string) (session.ProviderView, error) {
	return a.ready().SetProviderKey(a.ctx, provider, key, baseURL)
}

// RemoveProviderKey deletes a provider's key from the keychain.
func (a *App) RemoveProviderKey(provider string) error {
	return a.ready().RemoveProviderKey(a.ctx, provider)
}

// LocalModels lists the local models.
func (a *App) LocalModels() ([]session.LocalModelView, error) { return a.ready().LocalModels(a.ctx) }

// HuggingFaceModels lists the GPT-J checkpoints and GGUF files in the
// Hugging Face cache that can be imported with ImportHuggingFaceModel.
func (a *App) HuggingFaceModels() ([]session.HuggingFaceModel, error) {
	return a.ready().HuggingFaceModels(a.ctx)
}

// ImportHuggingFaceModel adds a model HuggingFaceModels listed, by its path.
func (a *App) ImportHuggingFaceModel(path string) (session.LocalModelView, error) {
	return a.ready().ImportHuggingFaceModel(a.ctx, path)
}

// UpdateLocalModel saves a model's name and settings.
func (a *App) UpdateLocalModel(id, name string, settings session.LocalSettings) (session.LocalModelView, error) {
	return a.ready().UpdateLocalModel(a.ctx, id, name, settings)
}

// RemoveLocalModel forgets a model (deleting the file only if Sidecar
// downloaded it).
func (a *App) RemoveLocalModel(id string) error { return a.ready().RemoveLocalModel(a.ctx, id) }

// DownloadModel starts (or resumes) downloading a model from url;
// progress arrives as "models:download" events.
func (a *App) DownloadModel(url, sha256 string) (string, error) {
	return a.ready().DownloadLocalModel(a.ctx, url, sha256)
}

// PauseDownload pauses a download (resume with DownloadModel).
func (a *App) PauseDownload(id string) error { return a.ready().PauseDownload(a.ctx, id) }

// CancelDownload stops a download and deletes what arrived.
func (a *App) CancelDownload(id string) error { return a.ready().CancelDownload(a.ctx, id) }

// PendingDownloads lists interrupted downloads that can be resumed.
func (a *App) PendingDownloads() ([]session.PendingDownload, error) {
	return a.ready().PendingDownloads(a.ctx)
}

// ModelCatalogue lists the recommended local models and which fit this computer.
func (a *App) ModelCatalogue() (session.CatalogueView, error) { return a.ready().ModelCatalogue(a.ctx) }

// RefreshModelCatalogue replaces the recommended list with the one at url ("" for the built-in list).
func (a *App) RefreshModelCatalogue(url string) (session.CatalogueView, error) {
	return a.ready().RefreshModelCatalogue(a.ctx, url)
}

// DownloadCatalogueModel downloads a recommended model; progress arrives as "models:download" events.
func (a *App) DownloadCatalogueModel(id string) (string, error) {
	return a.ready().DownloadCatalogueModel(a.ctx, id)
}

// RetentionDays is how long chats are kept after their last activity (0: forever).
func (a *App) RetentionDays() (int, error) { return a.ready().RetentionDays(a.ctx) }

// SetRetentionDays sets it and deletes what is now too old; it returns how many chats went.
func (a *App) SetRetentionDays(days int) (int64, error) {
	return a.ready().SetRetentionDays(a.ctx, days)
}

// LocalAPIStatus reports the local API's settings and state.
func (a *App) LocalAPIStatus() (session.APIStatus, error) { return a.ready().LocalAPIStatus(a.ctx) }

// SaveLocalAPI saves the settings and restarts the API accordingly.
func (a *App) SaveLocalAPI(set session.LocalAPISettings) (session.APIStatus, error) {
	return a.ready().SaveLocalAPI(a.ctx, set)
}

// RotateLocalAPIToken replaces the token; the old one stops working now.
func (a *App) RotateLocalAPIToken() (session.APIStatus, error) {
	return a.ready().RotateLocalAPIToken(a.ctx)
}

// ClientTokens lists the named API tokens (never their values).
func (a *App) ClientTokens() ([]session.ClientTokenView, error) { return a.ready().ClientTokens(a.ctx) }

// CreateClientToken makes a named API token; its value is returned only now.
func (a *App) CreateClientToken(name string) (session.NewClientToken, error) {
	return a.ready().CreateClientToken(a.ctx, name)
}

// RotateClientToken gives a named API token a new value, returned only now.
func (a *App) RotateClientToken(name string) (session.NewClientToken, error) {
	return a.ready().RotateClientToken(a.ctx, name)
}

// RevokeClientToken deletes a named API token; it stops working at once.
func (a *App) RevokeClientToken(name string) error { return a.ready().RevokeClientToken(a.ctx, name) }

// ConnectInfo returns each dialect's base URL and each client's
// configuration for model, with token or a placeholder naming tokenName.
func (a *App) ConnectInfo(model, tokenName, token string) (session.ConnectView, error) {
	return a.ready().ConnectInfo(a.ctx, model, tokenName, token)
}

// BackupConfig returns where and how often backups go.
func (a *App) BackupConfig() (session.BackupConfig, error) { return a.ready().BackupConfig(a.ctx) }

// SaveBackupConfig saves the settings; a non-empty passphrase is stored in
// the OS keychain.
func (a *App) SaveBackupConfig(c session.BackupConfig, passphrase string) (session.BackupConfig, error) {
	return a.ready().SaveBackupConfig(a.ctx, c, passphrase)
}

// BackupNow writes a backup and returns its path.
func (a *App) BackupNow() (string, error) { return a.ready().BackupNow(a.ctx) }

// AddNote stores pasted text as a document.
func (a *App) AddNote(title, text string) (session.DocResult, error) {
	return a.ready().AddNote(a.ctx, title, text)
}

// ListDocuments lists the documents.
func (a *App) ListDocuments() ([]session.Document, error) { return a.ready().ListDocuments(a.ctx) }

// GetDocument returns a document with its text (to show a citation's source).
func (a *App) GetDocument(id int64) (session.DocumentText, error) {
	return a.ready().GetDocument(a.ctx, id)
}

// DeleteDocument removes a document with its chunks and vectors.
func (a *App) DeleteDocument(id int64) error { return a.ready().DeleteDocument(a.ctx, id) }

// SearchDocuments searches the documents.
func (a *App) SearchDocuments(query string) ([]session.DocHit, error) {
	return a.ready().SearchDocuments(a.ctx, query)
}

// ReindexDocuments reads every document added from a file again, in the
// background with docs:progress and docs:embedding events.
func (a *App) ReindexDocuments() error { return a.ready().ReindexDocuments(a.ctx) }

// WatchedFolders lists the watched document folders with their state.
func (a *App) WatchedFolders() ([]session.FolderState, error) { return a.ready().WatchedFolders(a.ctx) }

// PauseFolder pauses (paused) or resumes a watched folder.
func (a *App) PauseFolder(id int64, paused bool) (session.FolderState, error) {
	return a.ready().PauseFolder(a.ctx, id, paused)
}

// RemoveFolder stops watching a folder and deletes its documents.
func (a *App) RemoveFolder(id int64) error { return a.ready().RemoveFolder(a.ctx, id) }

// EmbeddingModels lists the embedding models for documents and which is in use.
func (a *App) EmbeddingModels() (session.EmbeddingState, error) {
	return a.ready().EmbeddingModels(a.ctx)
}

// UseEmbeddingModel switches the documents to another embedding model in
// the background (docs:embedding progress).
func (a *App) UseEmbeddingModel(id string) error { return a.ready().UseEmbeddingModel(a.ctx, id) }

// exportName is the archive's suggested file name.
func exportName(passphrase string) string {
	ext := ".zip"
	if passphrase != "" {
		ext = ".sidecar"
	}
	return "sidecar-export-" + time.Now().Format("2006-01-02") + ext
}

// EventPayloads declares the events' payload types to the generated
// bindings (see session.EventPayloads); the page never needs its value.
func (a *App) EventPayloads() session.EventPayloads { return session.EventPayloads{} }
