package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"sidecar/backend/profile"
	"sidecar/backend/session"
	"sidecar/backend/termtext"
)

// dataCommands returns the data commands (export, import, wipe, rotate-key).
func dataCommands() []Command {
	return []Command{
		{Name: "export", Usage: "sidecar export --out FILE [--passphrase-file F]", Summary: "write every chat, document and setting to one archive (secrets are never included)", Run: runExport},
		{Name: "import", Usage: "sidecar import FILE [--passphrase-file F]", Summary: "restore an archive (merges without duplicates)", Run: runImport},
		{Name: "wipe", Usage: "sidecar wipe --yes", Summary: "delete all of your Sidecar data and its keychain entries", Run: runWipe},
		{Name: "rotate-key", Usage: "sidecar rotate-key", Summary: "re-encrypt the database under a new key (safe if interrupted)", Run: runRotateKey},
		{Name: "key-mode", Usage: "sidecar key-mode [keychain | passphrase [--passphrase-file F]]", Summary: "show or switch where the database key comes from: the OS keychain, or a passphrase asked at start", Run: runKeyMode},
	}
}

// readPassphrase reads the first line of a file ("" when path is "").
func readPassphrase(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("passphrase file: %w", err)
	}
	p := strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
	if p == "" {
		return "", errors.New("the passphrase file is empty")
	}
	return p, nil
}

func runExport(ctx context.Context, env Env) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "archive to write")
	pf := fs.String("passphrase-file", "", "encrypt with the passphrase in this file")
	if err := fs.Parse(env.Args); err != nil || *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: export needs --out FILE", ErrUsage)
	}
	pass, err := readPassphrase(*pf)
	if err != nil {
		return err
	}
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.Export(ctx, *out, pass)
	if err != nil {
		return err
	}
	enc := "not encrypted"
	if pass != "" {
		enc = "encrypted"
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%s): %d chats, %d messages, %d documents, %d settings, %d presets\n",
		*out, enc, m.Counts.Chats, m.Counts.Messages, m.Counts.Documents, m.Counts.Settings, m.Counts.Presets)
	return nil
}

func runImport(ctx context.Context, env Env) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pf := fs.String("passphrase-file", "", "the archive's passphrase, in this file")
	var file string
	args := env.Args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		return fmt.Errorf("%w: import needs the archive", ErrUsage)
	}
	pass, err := readPassphrase(*pf)
	if err != nil {
		return err
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.Import(ctx, file, pass)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d chats (%d already here), %d messages, %d documents (%d already here), %d settings, %d presets (%d already here)\n",
		rep.Chats, rep.ChatsSkipped, rep.Messages, rep.Documents, rep.DocumentsSkipped, rep.Settings, rep.Presets, rep.PresetsSkipped)
	if len(rep.SettingsSkipped) > 0 {
		fmt.Fprintf(env.Stdout, "not imported, for your safety: %d settings (%s); provider addresses, the local API, models and backups stay as set here\n",
			len(rep.SettingsSkipped), termtext.Line(strings.Join(rep.SettingsSkipped, ", ")))
	}
	return nil
}

func runWipe(ctx context.Context, env Env) error {
	fs := flag.NewFlagSet("wipe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	yes := fs.Bool("yes", false, "really delete everything")
	if err := fs.Parse(env.Args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	dir, err := profile.Dir()
	if err != nil {
		return err
	}
	if !*yes {
		fmt.Fprintf(env.Stdout, "This deletes, for good: the encrypted database in %s (every chat, document and setting), the logs, downloaded models, "+
			"and Sidecar's keychain entries (database key, API token, provider API keys).\nRun `sidecar wipe --yes` to do it.\n", dir)
		return fmt.Errorf("%w: nothing deleted without --yes", ErrUsage)
	}
	removed, err := session.New(session.Options{Dir: dir}).WipeOnly(ctx)
	for _, r := range removed {
		fmt.Fprintln(env.Stdout, "removed", r)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "all Sidecar data deleted")
	return nil
}

func runRotateKey(ctx context.Context, env Env) error {
	if len(env.Args) > 0 {
		return fmt.Errorf("%w: rotate-key takes no arguments", ErrUsage)
	}
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.RotateKey(ctx); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "re-encrypted %s under a new key; the old key is gone from the keychain\n", profile.DBPath(s.Dir()))
	return nil
}

func runKeyMode(ctx context.Context, env Env) error {
	if len(env.Args) == 0 {
		dir, err := profile.Dir()
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, profile.Mode(dir))
		return nil
	}
	fs := flag.NewFlagSet("key-mode", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pf := fs.String("passphrase-file", "", "the new passphrase, first line of this file")
	mode := env.Args[0]
	if err := fs.Parse(env.Args[1:]); err != nil || fs.NArg() > 0 || (mode != profile.ModeKeychain && mode != profile.ModePassphrase) ||
		(mode == profile.ModeKeychain && *pf != "") {
		return fmt.Errorf("%w: key-mode [keychain | passphrase [--passphrase-file F]]", ErrUsage)
	}
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if mode == profile.ModeKeychain {
		if err := s.UseKeychain(ctx); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "the database key is now kept in the OS keychain; no passphrase is needed at start")
		return nil
	}
	pass, err := readPassphrase(*pf)
	if err == nil && pass == "" {
		if pass, err = askPassphrase("New passphrase: "); err == nil {
			again, err2 := askPassphrase("Type it again: ")
			if err = err2; err == nil && again != pass {
				err = errors.New("the passphrases differ; nothing changed")
			}
		}
	}
	if err != nil {
		return err
	}
	if err := s.UsePassphrase(ctx, pass); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "the database key now comes from your passphrase; Sidecar asks for it at start")
	return nil
}
