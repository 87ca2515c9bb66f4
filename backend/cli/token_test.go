package cli

import (
	"errors"
	"strings"
	"testing"
)

func TestNamedTokenCommands(t *testing.T) {
	t.Setenv("SIDECAR_HOME", t.TempDir())
	out, err := runCmd(t, runToken, "create", "Zed")
	if err != nil || !strings.HasPrefix(out, "sct_") || !strings.Contains(out, "shown only now") {
		t.Fatalf("create: %q %v", out, err)
	}
	tok := strings.Fields(out)[0]
	out, err = runCmd(t, runToken, "list")
	if err != nil || !strings.Contains(out, "Zed") || !strings.Contains(out, "never") || strings.Contains(out, tok) {
		t.Fatalf("list: %q %v", out, err)
	}
	if _, err := runCmd(t, runToken, "create", "Zed"); err == nil {
		t.Fatal("a second token with the same name")
	}
	if _, err := runCmd(t, runToken, "revoke", "Zed"); err != nil {
		t.Fatal(err)
	}
	if out, _ := runCmd(t, runToken, "list"); strings.Contains(out, "Zed") {
		t.Fatalf("revoked token listed: %q", out)
	}
	for _, args := range [][]string{{}, {"create"}, {"list", "x"}, {"frobnicate"}} {
		if _, err := runCmd(t, runToken, args...); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: %v", args, err)
		}
	}
}
