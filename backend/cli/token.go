package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"sidecar/backend/localapi"
	"sidecar/backend/profile"
)

// tokenCommands returns `token rotate | create | list | revoke`.
func tokenCommands() []Command {
	return []Command{{
		Name:  "token",
		Usage: "sidecar token rotate | create NAME | list | revoke NAME",
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
	case sub == "create" && len(args) == 1, sub == "revoke" && len(args) == 1, sub == "list" && len(args) == 0:
		return clientToken(env, sub, args)
	}
	return fmt.Errorf("%w: sidecar token rotate | create NAME | list | revoke NAME", ErrUsage)
}

func rotateToken(ctx context.Context, env Env) error {
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.RotateLocalAPIToken(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, st.Token)
	fmt.Fprintln(env.Stderr, "The old token no longer works. Give the new one to your editor plugins; "+
		"a running `sidecar serve` or window takes it up without a restart and writes it to localapi.json within 10 s.")
	return nil
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
