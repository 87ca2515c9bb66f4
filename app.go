package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sidecar/backend/assistant"
	"sidecar/backend/backup"
	"sidecar/backend/cli"
	"sidecar/backend/docs"
	"sidecar/backend/keychain"
	"sidecar/backend/profile"
	"sidecar/backend/store"
)

// App is the Wails shell: its exported methods are bound to the frontend.
// Each is a thin call into backend/assistant.
type App struct {
	ctx     context.Context
	log     *slog.Logger
	dataDir string
	logFile string

	started  chan struct{} // closed when startup has opened the data (or failed)
	startErr error
	prof     *profile.Profile
	svc      *assistant.Service
	api      apiHost
	docs     *docs.Service
	bgStop   context.CancelFunc // stops the background jobs of the open profile
}

// startBackground runs retention and daily backups for the open profile,
// stopping those of a profile opened before (after a wipe or key rotation).
func (a *App) startBackground() {
	if a.bgStop != nil {
		a.bgStop()
	}
	ctx, stop := context.WithCancel(a.ctx)
	a.bgStop = stop
	svc, db, kc := a.svc, a.prof.DB, a.prof.Keychain
	go svc.RunRetention(ctx)
	go backup.RunDaily(ctx, db, kc, cli.Version, func(err error) { a.log.Warn("daily backup failed", "err", err) })
}

// NewApp returns the shell for the data folder dir.
func NewApp(log *slog.Logger, dir, logFile string) *App {
	return &App{log: log, dataDir: dir, logFile: logFile, started: make(chan struct{})}
}

// Status tells the UI whether Sidecar could open the user's data, and if
// not, why and what to do.
type Status struct {
	Ready bool `json:"ready"`
	// NeedsPassphrase: the data is protected by a passphrase; Unlock opens it.
	NeedsPassphrase bool `json:"needsPassphrase"`
	// CanUsePassphrase: no keychain and no data yet; Unlock with a new
	// passphrase starts in passphrase mode.
	CanUsePassphrase bool   `json:"canUsePassphrase"`
	Error            string `json:"error"`
	Help             string `json:"help"`
	DataDir          string `json:"dataDir"`
	LogFile          string `json:"logFile"`
	Version          string `json:"version"`
}

// wailsEvents sends assistant events to the webview.
type wailsEvents struct{ ctx context.Context }

func (e wailsEvents) Emit(name string, data any) { runtime.EventsEmit(e.ctx, name, data) }

func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	defer close(a.started)
	runtime.OnFileDrop(ctx, a.onFileDrop)
	all, err := cli.OpenServiceWith(ctx, a.log, a.dataDir, wailsEvents{ctx}, "")
	if err != nil {
		a.startErr = err
		a.log.Error("cannot open the data folder", "dir", a.dataDir, "err", err)
		return
	}
	a.prof, a.svc, a.docs = all.Profile, all.Assistant, all.Docs
	a.afterOpen()
}

// onSecondInstance brings the window forward when Sidecar is started again
// on the same data folder.
func (a *App) onSecondInstance(options.SecondInstanceData) {
	<-a.started
	runtime.WindowUnminimise(a.ctx)
	runtime.WindowShow(a.ctx)
}

// afterOpen starts what runs over open data: background jobs and, if the
// user enabled it, the local API.
func (a *App) afterOpen() {
	a.startBackground()
	// Fill in vectors the model in use lacks (a model whose key was removed
	// falls back to the built-in one, whose index is then rebuilt).
	a.startEmbedding(a.docs, a.docs.Embedder())
	if set, err := a.svc.LocalAPISettings(a.ctx); err == nil && set.Enabled {
		a.applyAPI(a.ctx, a.svc, set)
	}
}

func (a *App) shutdown(context.Context) {
	if a.bgStop != nil {
		a.bgStop()
	}
	a.stopAPI()
	if a.svc != nil {
		a.svc.Close()
	}
	if a.prof != nil {
		if err := a.prof.Close(); err != nil {
			a.log.Error("closing the database failed", "err", err)
		}
	}
}

var errNotReady = errors.New("sidecar could not open your data; see the message on screen")

// service waits for startup, then returns the use cases (bound methods
// can be called by the page before startup has finished).
func (a *App) service() (*assistant.Service, error) {
	<-a.started
	if a.svc == nil {
		return nil, errNotReady
	}
	return a.svc, nil
}

// Status reports whether the data could be opened.
func (a *App) Status() Status {
	<-a.started
	st := Status{Ready: a.svc != nil, DataDir: a.dataDir, LogFile: a.logFile, Version: cli.Version}
	if a.startErr != nil {
		st.Error = a.startErr.Error()
		switch {
		case errors.Is(a.startErr, profile.ErrPassphraseNeeded):
			st.NeedsPassphrase, st.Error = true, ""
		case errors.Is(a.startErr, keychain.ErrUnavailable), errors.Is(a.startErr, keychain.ErrTimeout):
			st.Help = keychain.Help
			if _, err := os.Stat(profile.DBPath(a.dataDir)); errors.Is(err, os.ErrNotExist) {
				st.CanUsePassphrase = true
				st.Help += " Or protect your data with a passphrase instead: Sidecar then asks for it at every start."
			}
		case errors.Is(a.startErr, store.ErrWrongKey), errors.Is(a.startErr, profile.ErrKeyMissing):
			st.Help = "Your data file was left untouched. If you restored the keychain from a backup, restart Sidecar; " +
				"to start afresh, move " + profile.DBPath(a.dataDir) + " elsewhere."
		}
	}
	return st
}

// ListChats returns all chats, most recent first.
func (a *App) ListChats() ([]assistant.ChatView, error) {
	s, err := a.service()
	if err != nil {
		return nil, err
	}
	return s.ListChats(a.ctx)
}

// CreateChat creates an empty chat.
func (a *App) CreateChat() (assistant.ChatView, error) {
	s, err := a.service()
	if err != nil {
		return assistant.ChatView{}, err
	}
	return s.CreateChat(a.ctx)
}

// RenameChat renames a chat.
func (a *App) RenameChat(id int64, title string) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.RenameChat(a.ctx, id, title)
}

// DeleteChat deletes a chat and its messages.
func (a *App) DeleteChat(id int64) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.DeleteChat(a.ctx, id)
}

// OpenChat returns a chat and its messages.
func (a *App) OpenChat(id int64) (assistant.ChatDetail, error) {
	s, err := a.service()
	if err != nil {
		return assistant.ChatDetail{}, err
	}
	return s.OpenChat(a.ctx, id)
}

// SendMessage stores the message and starts the answer; the answer streams
// in as "chat:token" events and ends with "chat:done".
func (a *App) SendMessage(chatID int64, text string) (assistant.SendResult, error) {
	s, err := a.service()
	if err != nil {
		return assistant.SendResult{}, err
	}
	return s.SendMessage(a.ctx, chatID, text)
}

// Regenerate replaces the last answer of a chat.
func (a *App) Regenerate(chatID int64) (assistant.SendResult, error) {
	s, err := a.service()
	if err != nil {
		return assistant.SendResult{}, err
	}
	return s.Regenerate(a.ctx, chatID)
}

// StopGeneration stops the chat's answer; the partial text is kept.
func (a *App) StopGeneration(chatID int64) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	s.Stop(chatID)
	return nil
}

// ListModels returns the models the user can pick.
func (a *App) ListModels() ([]assistant.ModelView, error) {
	s, err := a.service()
	if err != nil {
		return nil, err
	}
	return s.Models(a.ctx)
}

// SetChatModel picks the model for a chat's next answers.
func (a *App) SetChatModel(chatID int64, model string) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.SetChatModel(a.ctx, chatID, model)
}

// Theme returns the saved theme: "system", "light" or "dark".
func (a *App) Theme() (string, error) {
	s, err := a.service()
	if err != nil {
		return "system", nil //nolint:nilerr // the status page explains the failure
	}
	return s.Theme(a.ctx)
}

// SetTheme saves the theme.
func (a *App) SetTheme(theme string) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.SetTheme(a.ctx, theme)
}

// SearchMessages searches the text of every chat.
func (a *App) SearchMessages(query string) ([]assistant.MessageHitView, error) {
	s, err := a.service()
	if err != nil {
		return nil, err
	}
	return s.SearchMessages(a.ctx, query)
}

// Providers lists the cloud providers and whether each has a key (only
// its last four characters are ever shown).
func (a *App) Providers() ([]assistant.ProviderView, error) {
	s, err := a.service()
	if err != nil {
		return nil, err
	}
	return s.Providers(a.ctx)
}

// SetProviderKey checks an API key with the provider and stores it in the
// OS keychain; baseURL overrides the endpoint ("" for the default).
func (a *App) SetProviderKey(provider, key, baseURL string) (assistant.ProviderView, error) {
	s, err := a.service()
	if err != nil {
		return assistant.ProviderView{}, err
	}
	return s.SetProviderKey(a.ctx, provider, key, baseURL)
}

// RemoveProviderKey deletes a provider's key from the keychain.
func (a *App) RemoveProviderKey(provider string) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.RemoveProviderKey(a.ctx, provider)
}

// LocalModels lists the local GPT-J models.
func (a *App) LocalModels() ([]assistant.LocalModelView, error) {
	s, err := a.service()
	if err != nil {
		return nil, err
	}
	return s.LocalModels(a.ctx)
}

// ImportModelFile asks for a model file (ggml .bin) with the native dialog
// and adds it; an empty result means the user cancelled.
func (a *App) ImportModelFile() (assistant.LocalModelView, error) {
	s, err := a.service()
	if err != nil {
		return assistant.LocalModelView{}, err
	}
	path, err := runtime.OpenFileDialog(a.ctx, runtime.OpenDialogOptions{
		Title:   "Import a GPT-J model file",
		Filters: []runtime.FileFilter{{DisplayName: "GPT-J models (*.bin, *.safetensors)", Pattern: "*.bin;*.safetensors"}},
	})
	if err != nil || path == "" {
		return assistant.LocalModelView{}, err
	}
	return s.ImportLocalModel(a.ctx, path)
}

// ImportModelFolder asks for a Hugging Face model folder and adds it.
func (a *App) ImportModelFolder() (assistant.LocalModelView, error) {
	s, err := a.service()
	if err != nil {
		return assistant.LocalModelView{}, err
	}
	path, err := runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import a GPT-J model folder (config.json + safetensors)"})
	if err != nil || path == "" {
		return assistant.LocalModelView{}, err
	}
	return s.ImportLocalModel(a.ctx, path)
}

// UpdateLocalModel saves a model's name and settings.
func (a *App) UpdateLocalModel(id, name string, settings assistant.LocalSettings) (assistant.LocalModelView, error) {
	s, err := a.service()
	if err != nil {
		return assistant.LocalModelView{}, err
	}
	return s.UpdateLocalModel(a.ctx, id, name, settings)
}

// RemoveLocalModel forgets a model (deleting the file only if Sidecar
// downloaded it).
func (a *App) RemoveLocalModel(id string) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.RemoveLocalModel(a.ctx, id)
}

// DownloadModel starts (or resumes) downloading a model from url;
// progress arrives as "models:download" events.
func (a *App) DownloadModel(url, sha256 string) (string, error) {
	s, err := a.service()
	if err != nil {
		return "", err
	}
	return s.DownloadLocalModel(a.ctx, url, sha256)
}

// PauseDownload pauses a download (resume with DownloadModel).
func (a *App) PauseDownload(id string) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.PauseDownload(id)
}

// CancelDownload stops a download and deletes what arrived.
func (a *App) CancelDownload(id string) error {
	s, err := a.service()
	if err != nil {
		return err
	}
	return s.CancelDownload(id)
}

// PendingDownloads lists interrupted downloads that can be resumed.
func (a *App) PendingDownloads() ([]assistant.PendingDownload, error) {
	s, err := a.service()
	if err != nil {
		return nil, err
	}
	return s.PendingDownloads(a.ctx)
}

// EditAndResend replaces one of the user's messages, drops what followed
// and answers again.
func (a *App) EditAndResend(chatID, messageID int64, text string) (assistant.SendResult, error) {
	s, err := a.service()
	if err != nil {
		return assistant.SendResult{}, err
	}
	return s.EditAndResend(a.ctx, chatID, messageID, text)
}

// RetentionDays is how long chats are kept after their last activity (0: forever).
func (a *App) RetentionDays() (int, error) {
	s, err := a.service()
	if err != nil {
		return 0, err
	}
	return s.RetentionDays(a.ctx)
}

// SetRetentionDays sets it and deletes what is now too old; it returns how many chats went.
func (a *App) SetRetentionDays(days int) (int64, error) {
	s, err := a.service()
	if err != nil {
		return 0, err
	}
	return s.SetRetentionDays(a.ctx, days)
}
