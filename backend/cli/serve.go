package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"sidecar/backend/applog"
	"sidecar/backend/localapi"
	"sidecar/backend/profile"
)

// serveCommands returns the headless loopback API (serve).
func serveCommands() []Command {
	return []Command{{
		Name:    "serve",
		Usage:   "sidecar serve [--port N] [--model PATH]",
		Summary: "run the loopback API for editor plugins without a window (Ctrl+C stops it)",
		Run:     runServe,
	}}
}

func runServe(ctx context.Context, env Env) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	port := fs.Int("port", 0, "port on 127.0.0.1 (default: the one in Settings, 8088)")
	model := fs.String("model", "", "a local GPT-J model to load and offer")
	if err := fs.Parse(env.Args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected %q", ErrUsage, fs.Arg(0))
	}
	dir, err := profile.Dir()
	if err != nil {
		return err
	}
	log, closer, err := applog.Setup(applog.Options{Dir: dir, Level: slog.LevelInfo, Stderr: env.Stderr})
	if err != nil {
		return err
	}
	defer closer.Close()
	s, err := openSession(ctx, log, true)
	if err != nil {
		return err
	}
	defer s.Close()
	if *model != "" {
		m, err := s.ImportLocalModel(ctx, *model)
		if err != nil {
			return fmt.Errorf("--model: %w", err)
		}
		fmt.Fprintf(env.Stdout, "model: local/%s (%s)\n", m.ID, m.Name)
	}
	url, err := s.ServeAPI(ctx, *port)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Sidecar API on %s\ntoken and URL in %s (readable only by you)\n", url, filepath.Join(dir, localapi.DiscoveryFile))
	<-ctx.Done()
	fmt.Fprintln(env.Stdout, "stopping: finishing requests in flight (up to 5 s)")
	return s.Close()
}
