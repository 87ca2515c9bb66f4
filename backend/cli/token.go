package cli

import (
	"context"
	"fmt"

	"sidecar/backend/localapi"
)

// tokenCommands returns `token rotate`.
func tokenCommands() []Command {
	return []Command{{
		Name:    "token",
		Usage:   "sidecar token rotate",
		Summary: "replace the local API token and print the new one (the old one stops working; a running API picks it up)",
		Run:     runToken,
	}}
}

func runToken(ctx context.Context, env Env) error {
	if len(env.Args) != 1 || env.Args[0] != "rotate" {
		return fmt.Errorf("%w: the only token command is rotate", ErrUsage)
	}
	prof, err := OpenProfile(ctx)
	if err != nil {
		return err
	}
	defer prof.Close()
	tokens, err := localapi.LoadTokens(ctx, prof.Keychain)
	if err != nil {
		return err
	}
	tok, err := tokens.Rotate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, tok)
	fmt.Fprintln(env.Stderr, "The old token no longer works. Give the new one to your editor plugins; "+
		"a running `sidecar serve` or window takes it up without a restart and writes it to localapi.json within 10 s.")
	return nil
}
