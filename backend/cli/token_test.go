package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/localapi"
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

func TestNamedTokenRotateAndConnect(t *testing.T) {
	home := t.TempDir()
	t.Setenv("SIDECAR_HOME", home)
	out, err := runCmd(t, runToken, "create", "nvim")
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Fields(out)[0]
	out, err = runCmd(t, runToken, "rotate", "nvim")
	if err != nil || !strings.HasPrefix(out, "sct_") || strings.Contains(out, old) || !strings.Contains(out, "new value") {
		t.Fatalf("rotate: %q %v", out, err)
	}
	if _, err := runCmd(t, runToken, "rotate", "nobody"); err == nil {
		t.Fatal("rotated a token that does not exist")
	}

	if _, err := runCmd(t, runConnect, "codex"); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("connect without a running API: %v", err)
	}
	os.WriteFile(filepath.Join(home, localapi.DiscoveryFile), []byte(`{"url":"http://127.0.0.1:9555","token":"abc"}`), 0o600)
	out, err = runCmd(t, runConnect, "--model", "local/qwen", "codex")
	if err != nil || !strings.Contains(out, `base_url = "http://127.0.0.1:9555/v1"`) || !strings.Contains(out, `model = "local/qwen"`) ||
		!strings.Contains(out, "SIDECAR_TOKEN=YOUR_TOKEN") || strings.Contains(out, "abc") {
		t.Fatalf("connect codex: %q %v", out, err)
	}
	out, err = runCmd(t, runConnect, "--token", "sct_x", "zed")
	if err != nil || !strings.Contains(out, `"api_url": "http://127.0.0.1:9555/t/sct_x"`) {
		t.Fatalf("connect zed: %q %v", out, err)
	}
	out, err = runCmd(t, runConnect)
	if err != nil || !strings.Contains(out, "Anthropic") || !strings.Contains(out, "http://127.0.0.1:9555/v1") {
		t.Fatalf("connect: %q %v", out, err)
	}
	if _, err := runCmd(t, runConnect, "emacs"); !errors.Is(err, ErrUsage) {
		t.Fatalf("an unknown client: %v", err)
	}
}
