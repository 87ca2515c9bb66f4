// Command sidecar is Sidecar: the desktop window by default, and a command
// line for everything that runs without one (`sidecar help`).
package main

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"sidecar/backend/applog"
	"sidecar/backend/cli"
	"sidecar/backend/keychain"
	"sidecar/backend/profile"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches the command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	level := slog.LevelInfo
	if v := os.Getenv("SIDECAR_LOG_LEVEL"); v != "" {
		l, err := applog.ParseLevel(v)
		if err != nil {
			fmt.Fprintln(stderr, "sidecar:", err)
			return 2
		}
		level = l
	}
	for len(args) > 0 && len(args[0]) > 12 && args[0][:12] == "--log-level=" {
		l, err := applog.ParseLevel(args[0][12:])
		if err != nil {
			fmt.Fprintln(stderr, "sidecar:", err)
			return 2
		}
		level, args = l, args[1:]
	}
	if len(args) == 0 || args[0] == "window" || (len(args[0]) > 0 && args[0][0] == '-' && !isHelp(args[0])) {
		// No command: the window. (Wails' dev build reads its own -flags.)
		return runWindow(level, stderr)
	}
	if isHelp(args[0]) {
		help(stdout)
		return 0
	}
	cmd, ok := cli.Lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "sidecar: unknown command %q\n\n", args[0])
		help(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.Run(ctx, cli.Env{Args: args[1:], Stdout: stdout, Stderr: stderr})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, cli.ErrUsage):
		fmt.Fprintf(stderr, "sidecar %s: %v\nusage: %s\n", cmd.Name, err, cmd.Usage)
		return 2
	default:
		fmt.Fprintf(stderr, "sidecar %s: %s\n", cmd.Name, explain(err))
		return 1
	}
}

// explain adds what the user can do to errors that have a known remedy.
func explain(err error) string {
	if errors.Is(err, keychain.ErrUnavailable) || errors.Is(err, keychain.ErrTimeout) {
		return err.Error() + "\n\n" + keychain.Help
	}
	return err.Error()
}

func isHelp(s string) bool { return s == "help" || s == "-h" || s == "--help" || s == "-help" }

func help(w io.Writer) {
	dir, err := profile.Dir()
	if err != nil {
		dir = "(unknown: " + err.Error() + ")"
	}
	fmt.Fprintf(w, `Sidecar %s: a local AI companion for developers.

Usage:
  sidecar                  open the desktop window
  sidecar help             show this help
%s
Options (before the command):
  --log-level=LEVEL        debug, info, warn or error (also SIDECAR_LOG_LEVEL)

Files:
  data folder              %s   (override with %s)
  database                 %s   (encrypted; key in the OS keychain)
  log file                 %s   (rotated at 5 MiB, 3 kept)
`, cli.Version, cli.UsageLines(), dir, profile.EnvHome, profile.DBPath(dir), filepath.Join(dir, applog.FileName))
}

// instanceID names the window of one data folder among running instances
// (letters, digits and underscores: it becomes part of a D-Bus name).
func instanceID(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return "sidecar_" + hex.EncodeToString(sum[:8])
}

func runWindow(level slog.Level, stderr io.Writer) int {
	dir, err := profile.Dir()
	if err != nil {
		fmt.Fprintln(stderr, "sidecar:", err)
		return 1
	}
	log, closer, err := applog.Setup(applog.Options{Dir: dir, Level: level, Stderr: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "sidecar:", err)
		return 1
	}
	defer closer.Close()
	slog.SetDefault(log)
	app := NewApp(log, dir, filepath.Join(dir, applog.FileName))
	log.Info("starting", "version", cli.Version, "dir", dir)
	err = wails.Run(&options.App{
		Title:            "Sidecar",
		Width:            1180,
		Height:           760,
		MinWidth:         720,
		MinHeight:        480,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 24, G: 24, B: 27, A: 255},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             []any{app},
		DragAndDrop:      &options.DragAndDrop{EnableFileDrop: true, DisableWebViewDrop: true},
		Linux:            &linux.Options{ProgramName: "sidecar", Icon: icon, WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		// A second window on the same data folder brings the first forward
		// and exits; where that fails, the folder's lock refuses it.
		SingleInstanceLock: &options.SingleInstanceLock{UniqueId: instanceID(dir), OnSecondInstanceLaunch: app.onSecondInstance},
	})
	if err != nil {
		log.Error("window failed", "err", err)
		fmt.Fprintln(stderr, "sidecar:", err)
		return 1
	}
	if app.startErr != nil {
		fmt.Fprintln(stderr, "sidecar:", explain(app.startErr))
		return 1
	}
	return 0
}
