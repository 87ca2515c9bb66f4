// Package cli implements Sidecar's command line: every subcommand of the
// `sidecar` binary except the desktop window itself, which main.go starts.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"

	"sidecar/backend/profile"
	"sidecar/backend/session"
)

// Env is what a command may use: its arguments and standard streams.
type Env struct {
	Args   []string // arguments after the command name
	Stdout io.Writer
	Stderr io.Writer
}

// Command is one subcommand of `sidecar`.
type Command struct {
	Name    string // first word, e.g. "model"
	Usage   string // one line, e.g. "sidecar model info PATH"
	Summary string // what it does
	Run     func(ctx context.Context, env Env) error
}

// ErrUsage is returned (wrapped) by a command whose arguments are wrong;
// Run then prints the usage line and exits with status 2.
var ErrUsage = fmt.Errorf("usage")

// Commands returns the command table, sorted by name.
func Commands() []Command {
	cmds := []Command{
		{Name: "version", Usage: "sidecar version", Summary: "print the version", Run: runVersion},
	}
	cmds = append(cmds, modelCommands()...)
	cmds = append(cmds, docsCommands()...)
	cmds = append(cmds, dataCommands()...)
	cmds = append(cmds, serveCommands()...)
	cmds = append(cmds, tokenCommands()...)
	cmds = append(cmds, connectCommands()...)
	cmds = append(cmds, providerCommands()...)
	cmds = append(cmds, extraCommands...)
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return cmds
}

// extraCommands are registered by main (commands that need the app's wiring).
var extraCommands []Command

// Register adds commands that are implemented outside this package.
func Register(cmds ...Command) { extraCommands = append(extraCommands, cmds...) }

// Lookup finds the command named name.
func Lookup(name string) (Command, bool) {
	for _, c := range Commands() {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

func runVersion(_ context.Context, env Env) error {
	_, err := fmt.Fprintf(env.Stdout, "sidecar %s\n", session.Version)
	return err
}

// UsageLines returns the usage of every command, for `sidecar help`.
func UsageLines() string {
	var b strings.Builder
	for _, c := range Commands() {
		if len(c.Usage) <= 24 {
			fmt.Fprintf(&b, "  %-24s %s\n", c.Usage, c.Summary)
		} else {
			fmt.Fprintf(&b, "  %s\n  %-24s %s\n", c.Usage, "", c.Summary)
		}
	}
	return b.String()
}

// openSession opens the user's data folder through a session, with the
// database key from the OS keychain or, in passphrase mode, from the
// passphrase (asked on the terminal, or read from $SIDECAR_PASSPHRASE_FILE).
// background runs the profile's jobs (for `serve`).
func openSession(ctx context.Context, log *slog.Logger, background bool) (*session.Session, error) {
	dir, err := profile.Dir()
	if err != nil {
		return nil, err
	}
	return session.Open(ctx, session.Options{Dir: dir, Log: log, Background: background,
		Passphrase: func(context.Context) (string, error) { return askPassphrase("Passphrase for your Sidecar data: ") }})
}

// EnvPassphraseFile names a file whose first line is the passphrase of
// data in passphrase mode, for commands run without a terminal.
const EnvPassphraseFile = "SIDECAR_PASSPHRASE_FILE"

// askPassphrase reads a passphrase from $SIDECAR_PASSPHRASE_FILE or, on a
// terminal, without echo.
func askPassphrase(prompt string) (string, error) {
	if f := os.Getenv(EnvPassphraseFile); f != "" {
		return readPassphrase(f)
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", fmt.Errorf("%w; run the command in a terminal, or set %s to a file holding it", profile.ErrPassphraseNeeded, EnvPassphraseFile)
	}
	fmt.Fprint(os.Stderr, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("read the passphrase: %w", err)
	}
	return string(b), nil
}
