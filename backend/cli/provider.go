package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// providerCommands returns `provider set | list | rm`, so a machine
// without the window (and a test) can configure a cloud provider.
func providerCommands() []Command {
	return []Command{{
		Name:    "provider",
		Usage:   "sidecar provider set NAME --key-file F [--base-url URL] | list | rm NAME",
		Summary: "store a cloud provider's API key in the keychain (checked with the provider first), list the providers, or remove a key",
		Run:     runProvider,
	}}
}

// maxKeyFile bounds the key file read.
const maxKeyFile = 64 << 10

func runProvider(ctx context.Context, env Env) error {
	if len(env.Args) == 0 {
		return fmt.Errorf("%w: provider needs a subcommand: set, list or rm", ErrUsage)
	}
	sub, args := env.Args[0], env.Args[1:]
	var name, keyFile, baseURL string
	switch {
	case sub == "set" && len(args) >= 1:
		name = args[0]
		fs := flag.NewFlagSet("provider set", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&keyFile, "key-file", "", "file holding the API key")
		fs.StringVar(&baseURL, "base-url", "", "a compatible endpoint instead of the provider's")
		if err := fs.Parse(args[1:]); err != nil || keyFile == "" || fs.NArg() > 0 {
			return fmt.Errorf("%w: sidecar provider set NAME --key-file F [--base-url URL]", ErrUsage)
		}
	case sub == "rm" && len(args) == 1:
		name = args[0]
	case sub == "list" && len(args) == 0:
	default:
		return fmt.Errorf("%w: sidecar provider set NAME --key-file F [--base-url URL] | list | rm NAME", ErrUsage)
	}
	var key string
	if sub == "set" {
		var err error
		if key, err = readKeyFile(keyFile); err != nil {
			return err
		}
	}
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return err
	}
	defer s.Close()
	switch sub {
	case "set":
		v, err := s.SetProviderKey(ctx, name, key, baseURL)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "%s: key %s stored in the keychain.\n", v.Name, v.KeyHint)
	case "rm":
		if err := s.RemoveProviderKey(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "%s: key removed from the keychain.\n", name)
	case "list":
		list, err := s.Providers(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tKEY\tBASE URL")
		for _, p := range list {
			key := "none"
			if p.HasKey {
				key = p.KeyHint
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", p.ID, key, p.BaseURL)
		}
		w.Flush()
	}
	return nil
}

// readKeyFile reads an API key from a file, trimmed; "-" reads stdin.
func readKeyFile(path string) (string, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("provider: key file: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return "", fmt.Errorf("provider: key file: %w", err)
	}
	if len(b) > maxKeyFile {
		return "", fmt.Errorf("provider: the key file is larger than %d KiB", maxKeyFile>>10)
	}
	key := strings.TrimSpace(string(b))
	if key == "" || strings.ContainsAny(key, "\n\r") {
		return "", fmt.Errorf("provider: the key file must hold one key on one line")
	}
	return key, nil
}
