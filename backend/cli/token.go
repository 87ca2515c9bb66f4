package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"sidecar/backend/keychain"
	"sidecar/backend/localapi"
	"sidecar/backend/profile"
)

// tokenCommands returns `token rotate | create | list | revoke`.
func tokenCommands() []Command {
	return []Command{{
		Name:  "token",
		Usage: "sidecar token rotate [NAME] | create NAME | list | revoke NAME",
		Summary: "replace the default local API token, or manage named tokens for single clients " +
			"(shown once, stored only as a hash, revocable, last use listed)",
		Run: runToken,
	}}
}

func runToken(ctx context.Context, env Env) error {
	if len(env.Args) == 0 {
		return fmt.Errorf("%w: token needs a subcommand: rotate, create, list or revoke", ErrUsage)
	}
	switch sub, args := env.Args[0], env.Args[1:]; {
	case sub == "rotate" && len(args) == 0:
		return rotateToken(ctx, env)
	case sub == "create" && len(args) == 1, sub == "revoke" && len(args) == 1, sub == "list" && len(args) == 0,
		sub == "rotate" && len(args) == 1:
		return clientToken(env, sub, args)
	}
	return fmt.Errorf("%w: sidecar token rotate [NAME] | create NAME | list | revoke NAME", ErrUsage)
}

func rotateToken(ctx context.Context, env Env) error {
	tok, err := rotateOpen(ctx)
	if errors.Is(err, profile.ErrLocked) {
		// The running window or serve owns the database, but in keychain
		// mode the token lives only in the keychain: rotate it there, and
		// the running instance takes it up (it re-reads the entry).
		tok, err = rotateInKeychain(ctx, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, tok)
	fmt.Fprintln(env.Stderr, "The old token no longer works. Give the new one to your editor plugins; "+
		"a running `sidecar serve` or window takes it up without a restart and writes it to localapi.json within 10 s.")
	return nil
}

// rotateOpen rotates the token through a session of its own.
func rotateOpen(ctx context.Context) (string, error) {
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return "", err
	}
	defer s.Close()
	st, err := s.RotateLocalAPIToken(ctx)
	if err != nil {
		return "", err
	}
	return st.Token, nil
}

// rotateInKeychain rotates the token of a data folder that another process
// holds open. Only a keychain-mode folder with a profile id can be served
// so; otherwise locked (the lock's message) is returned.
func rotateInKeychain(ctx context.Context, locked error) (string, error) {
	dir, err := profile.Dir()
	if err != nil {
		return "", err
	}
	if profile.Mode(dir) != profile.ModeKeychain {
		return "", fmt.Errorf("%w (in passphrase mode the token is inside the database: rotate it in the running window's Settings)", locked)
	}
	id, err := profile.ReadID(dir)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", locked
	}
	t, err := localapi.LoadTokens(ctx, keychain.New().ForProfile(id))
	if err != nil {
		return "", err
	}
	return t.Rotate(ctx)
}

// clientToken manages the named tokens, kept beside the profile as
// hashes: a running API sees a change with its next request.
func clientToken(env Env, sub string, args []string) error {
	dir, err := profile.Dir()
	if err != nil {
		return err
	}
	ct, err := localapi.LoadClientTokens(dir)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		tok, err := ct.Create(args[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, tok)
		fmt.Fprintf(env.Stderr, "Token %q created. It is shown only now; Sidecar keeps only its hash. "+
			"Send it as a bearer token or X-API-Key, or use the base URL http://127.0.0.1:PORT/t/TOKEN.\n", args[0])
	case "rotate":
		tok, err := ct.Rotate(args[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, tok)
		fmt.Fprintf(env.Stderr, "Token %q has a new value, shown only now; the old one no longer works.\n", args[0])
	case "revoke":
		if err := ct.Revoke(args[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "Token %q revoked: it no longer works.\n", args[0])
	case "list":
		list, err := ct.List()
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tCREATED\tLAST USED")
		for _, t := range list {
			last := "never"
			if !t.LastUsed.IsZero() {
				last = t.LastUsed.Local().Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", t.Name, t.Created.Local().Format(time.DateTime), last)
		}
		w.Flush()
	}
	return nil
}
