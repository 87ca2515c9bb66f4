package cli

import (
	"context"

	"sidecar/backend/assistant"
	"sidecar/backend/profile"
)

// enableProviders registers the cloud and local model providers.
func enableProviders(ctx context.Context, svc *assistant.Service, prof *profile.Profile, modelsDir string) {
	svc.EnableCloud(ctx, prof.Keychain, cloudFactories()...)
	if rt := localRuntime(); rt != nil {
		svc.EnableLocal(rt, modelsDir)
	}
}

// cloudFactories lists the cloud providers this build has.
func cloudFactories() []assistant.CloudFactory { return nil }

// localRuntime is the in-process model runtime, or nil in a build without one.
func localRuntime() assistant.LocalRuntime { return nil }
