package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"sidecar/backend/applog"
	"sidecar/backend/backup"
	"sidecar/backend/docs"
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
	all, err := OpenService(ctx, log, dir, nil)
	if err != nil {
		return err
	}
	defer all.Close()
	prof, svc := all.Profile, all.Assistant
	go svc.RunRetention(ctx)
	go backup.RunDaily(ctx, prof.DB, prof.Keychain, Version, func(err error) { log.Warn("daily backup failed", "err", err) })

	set, err := svc.LocalAPISettings(ctx)
	if err != nil {
		return err
	}
	if *port != 0 {
		set.Port = *port
	}
	if *model != "" {
		m, err := svc.ImportLocalModel(ctx, *model)
		if err != nil {
			return fmt.Errorf("--model: %w", err)
		}
		fmt.Fprintf(env.Stdout, "model: local/%s (%s)\n", m.ID, m.Name)
	}
	tokens, err := localapi.LoadTokens(ctx, prof.Keychain)
	if err != nil {
		return err
	}
	srv := localapi.New(localapi.Config{Port: set.Port, AllowedOrigins: set.Origins, DataDir: dir}, svc,
		localapi.DocEmbeddings{E: docs.Lexical{}}, tokens, log).WithDocuments(all.Docs)
	if err := srv.Start(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Sidecar API on %s\ntoken and URL in %s (readable only by you)\n", srv.URL(), filepath.Join(dir, localapi.DiscoveryFile))
	<-ctx.Done()
	fmt.Fprintln(env.Stdout, "stopping: finishing requests in flight (up to 10 s)")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
