package cli

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"sidecar/backend/assistant"
	"sidecar/backend/keychain"
	"sidecar/backend/llm"
	"sidecar/backend/profile"
)

// ModelsFolder is where downloaded models go, inside the data folder.
const ModelsFolder = "models"

// OpenService opens the user's data in dir and builds the use cases over
// it with every model provider this build has. The window and headless
// commands share it, so they see the same models.
func OpenService(ctx context.Context, log *slog.Logger, dir string, events assistant.Events) (*profile.Profile, *assistant.Service, error) {
	prof, err := profile.Open(ctx, dir, keychain.New())
	if err != nil {
		return nil, nil, err
	}
	svc := assistant.New(prof.DB, events, log, &llm.Echo{Delay: 25 * time.Millisecond})
	enableProviders(ctx, svc, prof, filepath.Join(dir, ModelsFolder))
	return prof, svc, nil
}
