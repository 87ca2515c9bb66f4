package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// sidecarBinary builds the command-line binary once for the test.
func sidecarBinary(t *testing.T) string {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under tools/with-keyring.sh")
	}
	bin := filepath.Join(t.TempDir(), "sidecar")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// sidecarRun runs one command of the binary in the data folder home.
type sidecarRun struct {
	t        *testing.T
	bin      string
	home     string
	extraEnv []string
}

func (r sidecarRun) cmd(args ...string) *exec.Cmd {
	c := exec.Command(r.bin, args...)
	c.Env = append(append(os.Environ(), "SIDECAR_HOME="+r.home), r.extraEnv...)
	return c
}

// ok runs args and fails the test unless it succeeds; it returns stdout.
func (r sidecarRun) ok(args ...string) string {
	r.t.Helper()
	var out, errb bytes.Buffer
	c := r.cmd(args...)
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		r.t.Fatalf("sidecar %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// fails runs args and fails the test unless it exits non-zero; it returns
// stderr.
func (r sidecarRun) fails(args ...string) string {
	r.t.Helper()
	var out, errb bytes.Buffer
	c := r.cmd(args...)
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err == nil {
		r.t.Fatalf("sidecar %s succeeded:\n%s", strings.Join(args, " "), out.String())
	}
	return errb.String()
}

// TestKeyCommandsThroughTheBinary runs rotate-key and key-mode as a user
// does, from the command line (whose context can be cancelled), on an
// empty and on a filled profile.
func TestKeyCommandsThroughTheBinary(t *testing.T) {
	bin := sidecarBinary(t)
	home := t.TempDir()
	r := sidecarRun{t: t, bin: bin, home: home}
	r.ok("rotate-key") // a first start, then a rotation of the empty profile
	note := filepath.Join(t.TempDir(), "note.md")
	os.WriteFile(note, []byte("# Rotation\n\nThe word zanzibar survives every key change.\n"), 0o600)
	r.ok("docs", "add", note)
	if out := r.ok("rotate-key"); !strings.Contains(out, "re-encrypted") {
		t.Fatalf("rotate-key said %q", out)
	}
	pass := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pass, []byte("a passphrase of some length\n"), 0o600)
	r.ok("key-mode", "passphrase", "--passphrase-file", pass)
	if got := strings.TrimSpace(r.ok("key-mode")); got != "passphrase" {
		t.Fatalf("key-mode = %q", got)
	}
	r.extraEnv = []string{"SIDECAR_PASSPHRASE_FILE=" + pass}
	if out := r.ok("docs", "search", "zanzibar"); !strings.Contains(out, "note.md") {
		t.Fatalf("search under the passphrase: %q", out)
	}
	r.ok("key-mode", "keychain")
	r.extraEnv = nil
	if got := strings.TrimSpace(r.ok("key-mode")); got != "keychain" {
		t.Fatalf("key-mode = %q", got)
	}
	if out := r.ok("docs", "search", "zanzibar"); !strings.Contains(out, "note.md") {
		t.Fatalf("search after the switches: %q", out)
	}
	checkPrivate(t, home)
}

// TestOneProcessPerDataFolder: while `serve` runs, commands that write
// refuse and name it, and the data stays as it was; after kill -9 the lock
// is free, the stale discovery file goes, and a wipe of another folder
// leaves this one readable.
func TestOneProcessPerDataFolder(t *testing.T) {
	bin := sidecarBinary(t)
	home, scratch := t.TempDir(), t.TempDir()
	r := sidecarRun{t: t, bin: bin, home: home}
	note := filepath.Join(t.TempDir(), "note.md")
	os.WriteFile(note, []byte("# Locked\n\nThe word quokka is in the main profile.\n"), 0o600)
	r.ok("docs", "add", note)

	serve := r.cmd("serve", "--port", strconv.Itoa(freePort(t)))
	out, _ := serve.StdoutPipe()
	serve.Stderr = os.Stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "Sidecar API on") {
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if _, err := os.Stat(filepath.Join(home, "localapi.json")); err != nil {
		t.Fatalf("serve wrote no discovery file: %v", err)
	}
	db := filepath.Join(home, "sidecar.db")
	before, _ := os.ReadFile(db)
	want := fmt.Sprintf("Sidecar is already running (pid %d); close it or use its local API", serve.Process.Pid)
	for _, args := range [][]string{{"rotate-key"}, {"key-mode", "keychain"}, {"wipe", "--yes"}, {"docs", "add", note}, {"serve"}} {
		if msg := r.fails(args...); !strings.Contains(msg, want) {
			t.Fatalf("sidecar %s while serve runs said %q, want %q", strings.Join(args, " "), msg, want)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Fatal("the refused commands changed the database")
	}

	serve.Process.Signal(syscall.SIGKILL)
	serve.Wait()
	if _, err := os.Stat(filepath.Join(home, "localapi.json")); err != nil {
		t.Fatalf("kill -9 should leave the discovery file for this test to see: %v", err)
	}
	// What a rotation killed while SQLite wrote its copy leaves behind.
	for _, f := range []string{"sidecar.db.rotating", "sidecar.db.rotating-journal"} {
		os.WriteFile(filepath.Join(home, f), []byte("partial copy"), 0o644)
	}
	if out := r.ok("docs", "search", "quokka"); !strings.Contains(out, "note.md") {
		t.Fatalf("after kill -9: %q", out)
	}
	for _, f := range []string{"localapi.json", "sidecar.db.rotating", "sidecar.db.rotating-journal"} {
		if _, err := os.Stat(filepath.Join(home, f)); !os.IsNotExist(err) {
			t.Errorf("%s left after the next start: %v", f, err)
		}
	}

	// A scratch folder: its own key; rotating and wiping it spares home.
	s := sidecarRun{t: t, bin: bin, home: scratch}
	s.ok("docs", "add", note)
	s.ok("rotate-key")
	s.ok("wipe", "--yes")
	if left, _ := os.ReadDir(scratch); len(left) != 0 {
		t.Errorf("wipe left %v", left)
	}
	if out := r.ok("docs", "search", "quokka"); !strings.Contains(out, "note.md") {
		t.Fatalf("the main folder after the scratch folder's rotation and wipe: %q", out)
	}
	checkPrivate(t, home)
	r.ok("wipe", "--yes")
	if left, _ := os.ReadDir(home); len(left) != 0 {
		t.Errorf("wipe left %v", left)
	}
}

// checkPrivate fails for any file in dir not 0600 or folder not 0700.
func checkPrivate(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
