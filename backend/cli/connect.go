package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"sidecar/backend/localapi"
	"sidecar/backend/profile"
)

// connectCommands returns `connect`: the configuration Settings shows for
// each client, printed for the running local API.
func connectCommands() []Command {
	return []Command{{
		Name:  "connect",
		Usage: "sidecar connect [--model ID] [--token TOKEN] [" + strings.Join(localapi.ClientIDs, "|") + "]",
		Summary: "print the base URLs of the running local API, or one client's configuration " +
			"(the token as a placeholder unless --token gives it)",
		Run: runConnect,
	}}
}

func runConnect(_ context.Context, env Env) error {
	fs := flag.NewFlagSet("connect", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	model := fs.String("model", "echo/echo", "the model the configuration names (an ID from /v1/models)")
	token := fs.String("token", "", "the token to put in (default: a placeholder)")
	if err := fs.Parse(env.Args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 1 || fs.NArg() == 1 && !slices.Contains(localapi.ClientIDs, fs.Arg(0)) {
		return fmt.Errorf("%w: the client is one of %s", ErrUsage, strings.Join(localapi.ClientIDs, ", "))
	}
	dir, err := profile.Dir()
	if err != nil {
		return err
	}
	url, _, err := localapi.ReadDiscovery(dir)
	if err != nil {
		return err
	}
	tok := *token
	if tok == "" {
		tok = localapi.TokenPlaceholder("")
	}
	info := localapi.Connect(url, tok, *model)
	if fs.NArg() == 0 {
		for _, d := range info.Dialects {
			fmt.Fprintf(env.Stdout, "%-17s %s  (%s)\n", d.Dialect, d.BaseURL, d.Auth)
		}
		return nil
	}
	for _, c := range info.Clients {
		if c.ID == fs.Arg(0) {
			fmt.Fprintf(env.Stderr, "# %s (%s dialect), in %s:\n", c.Client, c.Dialect, c.Where)
			_, err := io.WriteString(env.Stdout, c.Text)
			return err
		}
	}
	return nil
}
