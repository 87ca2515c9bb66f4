package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envMainArgs makes the test binary run the command line (run) with these
// arguments (JSON) instead of the tests, so a test can start the program as
// its own process: `sidecar serve` in one, `sidecar token rotate` in another.
const envMainArgs = "SIDECAR_TEST_MAIN_ARGS"

func TestRunMain(t *testing.T) {
	raw := os.Getenv(envMainArgs)
	if raw == "" {
		t.Skip("runs the command line when another test starts it")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

// sidecar returns the command line as a process with its own SIDECAR_HOME.
func sidecar(t *testing.T, home string, args ...string) *exec.Cmd {
	t.Helper()
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunMain$")
	cmd.Env = append(os.Environ(), envMainArgs+"="+string(b), "SIDECAR_HOME="+home)
	return cmd
}

func needKeychain(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under tools/with-keyring.sh")
	}
}

// `sidecar token rotate` while `sidecar serve` runs: the new token works at
// once, the old one stops, and the discovery file gets the new one.
func TestTokenRotateWhileServing(t *testing.T) {
	needKeychain(t)
	home := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	serve := sidecar(t, home, "serve", "--port", fmt.Sprint(port))
	serveOut, err := os.Create(filepath.Join(t.TempDir(), "serve.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer serveOut.Close()
	serve.Stdout, serve.Stderr = serveOut, serveOut
	began := time.Now()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(syscall.SIGTERM)
		serve.Wait()
	}()
	type discovery struct{ URL, Token string }
	read := func() discovery {
		var d discovery
		if b, err := os.ReadFile(filepath.Join(home, "localapi.json")); err == nil {
			json.Unmarshal(b, &d)
		}
		return d
	}
	deadline := time.Now().Add(3 * time.Minute) // a wait, not a bound: SQLite compiles at start, slowly under -race
	for read().Token == "" {
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(serveOut.Name())
			t.Fatalf("serve did not start:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	d := read()
	t.Logf("serve answered after %v", time.Since(began))
	status := func(tok string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", d.URL+"/v1/models", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if got := status(d.Token); got != 200 {
		t.Fatalf("the token from localapi.json: %d", got)
	}

	rotate := sidecar(t, home, "token", "rotate")
	var stdout, stderr bytes.Buffer
	rotate.Stdout, rotate.Stderr = &stdout, &stderr
	began = time.Now()
	if err := rotate.Run(); err != nil {
		t.Fatalf("token rotate: %v\n%s", err, stderr.String())
	}
	t.Logf("token rotate took %v", time.Since(began))
	fresh := strings.TrimSpace(stdout.String())
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(fresh) || fresh == d.Token {
		t.Fatalf("token rotate printed %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "old token no longer works") {
		t.Errorf("stderr: %q", stderr.String())
	}
	if got := status(fresh); got != 200 {
		t.Fatalf("the new token, right after the rotation: %d", got)
	}
	if got := status(d.Token); got != 401 {
		t.Fatalf("the old token after the rotation: %d", got)
	}
	deadline = time.Now().Add(time.Minute)
	for read().Token != fresh {
		if time.Now().After(deadline) {
			t.Fatal("localapi.json never got the new token")
		}
		time.Sleep(100 * time.Millisecond)
	}

	usage := sidecar(t, home, "token", "show")
	if out, err := usage.CombinedOutput(); err == nil || !strings.Contains(string(out), "usage: sidecar token rotate") {
		t.Fatalf("token show: %v %s", err, out)
	}
}
