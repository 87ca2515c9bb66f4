package cli

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
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
// Data in passphrase mode is asked for its passphrase on the terminal.
func OpenService(ctx context.Context, log *slog.Logger, dir string, events assistant.Events) (*Services, error) {
	prof, err := openAsking(ctx, dir)
	if err != nil {
		return nil, err
	}
	return newServices(ctx, log, dir, events, prof)
}

// OpenServiceWith is OpenService for the window: it never asks, and takes
// the passphrase the user typed (or "" to get profile.ErrPassphraseNeeded).
func OpenServiceWith(ctx context.Context, log *slog.Logger, dir string, events assistant.Events, pass string) (*Services, error) {
	prof, err := profile.OpenWith(ctx, dir, keychain.New(), pass)
	if err != nil {
		return nil, err
	}
	return newServices(ctx, log, dir, events, prof)
}

// Reopen builds the use cases over a profile reopened after a key change.
func Reopen(ctx context.Context, log *slog.Logger, dir string, events assistant.Events, prof *profile.Profile) (*Services, error) {
	return newServices(ctx, log, dir, events, prof)
}

// SecretAccounts lists the keychain accounts a profile may hold secrets
// under: the API token, the backup passphrase and every provider's key.
func SecretAccounts() []string {
	out := []string{keychain.AccountAPIToken, keychain.AccountBackupPassphrase}
	for _, f := range CloudFactories() {
		out = append(out, keychain.ProviderAccount(f.ID))
	}
	return out
}

func newServices(ctx context.Context, log *slog.Logger, dir string, events assistant.Events, prof *profile.Profile) (*Services, error) {
	svc := assistant.New(prof.DB, events, log, &llm.Echo{Delay: 25 * time.Millisecond})
	enableProviders(ctx, svc, prof, filepath.Join(dir, ModelsFolder))
	ds, err := docs.New(ctx, prof.DB, chosenEmbedder(ctx, svc, prof, dir), log)
	if err != nil {
		prof.Close()
		return nil, err
	}
	svc.EnableDocuments(ds)
	return &Services{Profile: prof, Assistant: svc, Docs: ds}, nil
}

// chosenEmbedder is the documents' embedding model the user picked, if it
// can run now, else the built-in one (whose vectors are then filled in by
// BackfillEmbeddings).
func chosenEmbedder(ctx context.Context, svc *assistant.Service, prof *profile.Profile, dir string) docs.Embedder {
	name := docs.ChosenEmbedder(ctx, prof.DB.SQL())
	if name == "" || name == docs.LexicalName {
		return docs.Lexical{}
	}
	if strings.HasPrefix(name, LocalEmbeddingPrefix) {
		if e, err := LoadLocalEmbedder(dir, name); err == nil {
			return e
		}
		return docs.Lexical{}
	}
	if e, err := svc.CloudEmbedder(name); err == nil {
		return e
	}
	return docs.Lexical{}
}
