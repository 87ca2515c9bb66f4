package cli

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"sidecar/backend/assistant"
	"sidecar/backend/docs"
	"sidecar/backend/keychain"
	"sidecar/backend/llm"
	"sidecar/backend/profile"
)

// ModelsFolder is where downloaded models go, inside the data folder.
const ModelsFolder = "models"

// Services are the opened data and what runs over it.
type Services struct {
	Profile   *profile.Profile
	Assistant *assistant.Service
	Docs      *docs.Service
}

// Close stops generations and closes the store.
func (s *Services) Close() error {
	s.Assistant.Close()
	return s.Profile.Close()
}

// OpenService opens the user's data in dir and builds the use cases over
// it with every model provider this build has and the documents. The
// window and headless commands share it, so they see the same things.
func OpenService(ctx context.Context, log *slog.Logger, dir string, events assistant.Events) (*Services, error) {
	prof, err := profile.Open(ctx, dir, keychain.New())
	if err != nil {
		return nil, err
	}
	svc := assistant.New(prof.DB, events, log, &llm.Echo{Delay: 25 * time.Millisecond})
	enableProviders(ctx, svc, prof, filepath.Join(dir, ModelsFolder))
	ds, err := docs.New(ctx, prof.DB, docs.Lexical{}, log)
	if err != nil {
		prof.Close()
		return nil, err
	}
	svc.EnableDocuments(ds)
	return &Services{Profile: prof, Assistant: svc, Docs: ds}, nil
}
