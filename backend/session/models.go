package session

import (
	"context"

	"sidecar/backend/catalog"
)

// The catalogue's types, as the window's bound methods return them.
type (
	ModelView       = catalog.ModelView
	ProviderView    = catalog.ProviderView
	LocalModelView  = catalog.LocalModelView
	LocalSettings   = catalog.LocalSettings
	PendingDownload = catalog.PendingDownload
)

// Models lists the models the user can pick.
func (s *Session) Models(ctx context.Context) ([]ModelView, error) {
	return with(s, func(o *open) ([]ModelView, error) { return o.cat.Models(ctx) })
}

// Providers lists the cloud providers and whether each has a key.
func (s *Session) Providers(ctx context.Context) ([]ProviderView, error) {
	return with(s, func(o *open) ([]ProviderView, error) { return o.cat.Providers(ctx) })
}

// SetProviderKey checks an API key with the provider and stores it in the OS keychain.
func (s *Session) SetProviderKey(ctx context.Context, provider, key, baseURL string) (ProviderView, error) {
	return with(s, func(o *open) (ProviderView, error) { return o.cat.SetProviderKey(ctx, provider, key, baseURL) })
}

// RemoveProviderKey deletes a provider's key from the keychain.
func (s *Session) RemoveProviderKey(ctx context.Context, provider string) error {
	return s.use(func(o *open) error { return o.cat.RemoveProviderKey(ctx, provider) })
}

// LocalModels lists the local models.
func (s *Session) LocalModels(ctx context.Context) ([]LocalModelView, error) {
	return with(s, func(o *open) ([]LocalModelView, error) { return o.cat.LocalModels(ctx) })
}

// ImportLocalModel adds the model file or folder at path.
func (s *Session) ImportLocalModel(ctx context.Context, path string) (LocalModelView, error) {
	return with(s, func(o *open) (LocalModelView, error) { return o.cat.ImportLocalModel(ctx, path) })
}

// UpdateLocalModel saves a model's name and settings.
func (s *Session) UpdateLocalModel(ctx context.Context, id, name string, settings LocalSettings) (LocalModelView, error) {
	return with(s, func(o *open) (LocalModelView, error) { return o.cat.UpdateLocalModel(ctx, id, name, settings) })
}

// RemoveLocalModel forgets a model (deleting the file only if Sidecar downloaded it).
func (s *Session) RemoveLocalModel(ctx context.Context, id string) error {
	return s.use(func(o *open) error { return o.cat.RemoveLocalModel(ctx, id) })
}

// DownloadLocalModel starts (or resumes) downloading a model; progress arrives as models:download events.
func (s *Session) DownloadLocalModel(ctx context.Context, url, sha256 string) (string, error) {
	return with(s, func(o *open) (string, error) { return o.cat.DownloadLocalModel(ctx, url, sha256) })
}

// PendingDownloads lists interrupted downloads that can be resumed.
func (s *Session) PendingDownloads(ctx context.Context) ([]PendingDownload, error) {
	return with(s, func(o *open) ([]PendingDownload, error) { return o.cat.PendingDownloads(ctx) })
}

// PauseDownload pauses a download (resume with DownloadLocalModel).
func (s *Session) PauseDownload(_ context.Context, id string) error {
	return s.use(func(o *open) error { return o.cat.PauseDownload(id) })
}

// CancelDownload stops a download and deletes what arrived.
func (s *Session) CancelDownload(_ context.Context, id string) error {
	return s.use(func(o *open) error { return o.cat.CancelDownload(id) })
}
