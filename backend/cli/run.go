package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"sidecar/backend/applog"
	"sidecar/backend/keychain"
	"sidecar/backend/profile"
	"sidecar/backend/session"
)

// Window runs the desktop window with the log level asked for and returns
// the exit status.
type Window func(level slog.Level, stderr io.Writer) int

// Main dispatches the command line and returns the exit status: no
// command (or a -flag, as Wails' development build passes) opens the window.
func Main(args []string, stdout, stderr io.Writer, window Window) int {
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
		return window(level, stderr)
	}
	if isHelp(args[0]) {
		Help(stdout)
		return 0
	}
	cmd, ok := Lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "sidecar: unknown command %q\n\n", args[0])
		Help(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.Run(ctx, Env{Args: args[1:], Stdout: stdout, Stderr: stderr})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintf(stderr, "sidecar %s: %v\nusage: %s\n", cmd.Name, err, cmd.Usage)
		return 2
	default:
		fmt.Fprintf(stderr, "sidecar %s: %s\n", cmd.Name, Explain(err))
		return 1
	}
}

// Explain adds what the user can do to errors that have a known remedy.
func Explain(err error) string {
	if errors.Is(err, keychain.ErrUnavailable) || errors.Is(err, keychain.ErrTimeout) {
		return err.Error() + "\n\n" + keychain.Help
	}
	return err.Error()
}

func isHelp(s string) bool { return s == "help" || s == "-h" || s == "--help" || s == "-help" }

// Help prints `sidecar help`.
func Help(w io.Writer) {
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
`, session.Version, UsageLines(), dir, profile.EnvHome, profile.DBPath(dir), filepath.Join(dir, applog.FileName))
}

// WindowSession sets up the log file and returns the session the window
// opens at start (it opens nothing yet), and a function that closes the log.
func WindowSession(level slog.Level, stderr io.Writer, events session.Events) (*session.Session, func(), error) {
	dir, err := profile.Dir()
	if err != nil {
		return nil, nil, err
	}
	log, closer, err := applog.Setup(applog.Options{Dir: dir, Level: level, Stderr: stderr})
	if err != nil {
		return nil, nil, err
	}
	slog.SetDefault(log)
	log.Info("starting", "version", session.Version, "dir", dir)
	s := session.New(session.Options{Dir: dir, Log: log, LogFile: filepath.Join(dir, applog.FileName), Events: events, Background: true})
	return s, func() { closer.Close() }, nil
}
