package cli

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A provider configured from the command line: the key is checked with
// a server speaking OpenAI's wire format, stored in the real keychain,
// listed by its hint only, and removed.
func TestProviderCommands(t *testing.T) {
	needKeychain(t)
	t.Setenv("SIDECAR_HOME", t.TempDir())
	const key = "sk-test-provider-cli-0123456789WXYZ"
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		if auth != "Bearer "+key {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
			return
		}
		io.WriteString(w, `{"object":"list","data":[{"id":"gpt-4o","object":"model","created":1,"owned_by":"system"}]}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "key"), filepath.Join(dir, "bad")
	os.WriteFile(good, []byte(key+"\n"), 0o600)
	os.WriteFile(bad, []byte("sk-wrong\n"), 0o600)
	t.Cleanup(func() { runCmd(t, runProvider, "rm", "openai") })

	if _, err := runCmd(t, runProvider, "set", "openai", "--key-file", bad, "--base-url", srv.URL+"/v1"); err == nil || strings.Contains(err.Error(), "sk-wrong") {
		t.Fatalf("a rejected key: %v", err)
	}
	out, err := runCmd(t, runProvider, "set", "openai", "--key-file", good, "--base-url", srv.URL+"/v1")
	if err != nil || !strings.Contains(out, "WXYZ") || strings.Contains(out, key) {
		t.Fatalf("set: %q %v", out, err)
	}
	out, err = runCmd(t, runProvider, "list")
	if err != nil || !strings.Contains(out, "openai") || !strings.Contains(out, "WXYZ") || !strings.Contains(out, srv.URL) || strings.Contains(out, key) {
		t.Fatalf("list: %q %v", out, err)
	}
	if _, err := runCmd(t, runProvider, "rm", "openai"); err != nil {
		t.Fatal(err)
	}
	if out, _ := runCmd(t, runProvider, "list"); strings.Contains(out, "WXYZ") {
		t.Fatalf("after rm: %q", out)
	}
	for _, args := range [][]string{{}, {"set", "openai"}, {"rm"}, {"list", "x"}} {
		if _, err := runCmd(t, runProvider, args...); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: %v", args, err)
		}
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err := runCmd(t, runProvider, "set", "openai", "--key-file", empty); err == nil || !strings.Contains(err.Error(), "one key") {
		t.Fatalf("empty key file: %v", err)
	}
}
