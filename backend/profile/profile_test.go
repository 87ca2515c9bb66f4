package profile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sidecar/backend/keychain"
)

// testKeychain returns a keychain service of the test's own, scoped to the
// profile id it gives dir (as Open would on the folder's first start).
func testKeychain(t *testing.T, dir string) *keychain.Keychain {
	t.Helper()
	kc := serviceKeychain(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	id, err := loadOrCreateID(dir)
	if err != nil {
		t.Fatal(err)
	}
	kc = kc.ForProfile(id)
	t.Cleanup(func() { deleteAll(kc) })
	return kc
}

// serviceKeychain returns the whole keychain service of the test.
func serviceKeychain(t *testing.T) *keychain.Keychain {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under `make test`")
	}
	kc := &keychain.Keychain{Service: fmt.Sprintf("SidecarProfileTest-%d-%s", os.Getpid(), t.Name()), Timeout: 10 * time.Second}
	t.Cleanup(func() { deleteAll(kc) })
	return kc
}

// deleteAll removes every entry a profile may have in kc.
func deleteAll(kc *keychain.Keychain) {
	for _, a := range keychain.LegacyAccounts() {
		kc.Delete(context.Background(), a)
	}
}

func TestFirstStartThenReopen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "Sidecar")
	kc := testKeychain(t, dir)
	p, err := Open(ctx, dir, kc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DB.CreateChat(ctx, "persisted", ""); err != nil {
		t.Fatal(err)
	}
	p.Close()
	key, err := kc.LoadKey(ctx, keychain.AccountDBKey, 32)
	if err != nil {
		t.Fatalf("key not in keychain: %v", err)
	}
	// The key is nowhere in the data folder.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if bytes.Contains(b, key) || bytes.Contains(b, []byte(fmt.Sprintf("%x", key))) {
			t.Errorf("%s contains the database key", e.Name())
		}
	}
	p, err = Open(ctx, dir, kc)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	chats, _ := p.DB.ListChats(ctx)
	if len(chats) != 1 || chats[0].Title != "persisted" {
		t.Fatalf("chats = %+v", chats)
	}
}

func TestMissingKeyLeavesDatabaseAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kc := testKeychain(t, dir)
	p, err := Open(ctx, dir, kc)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	before, _ := os.ReadFile(DBPath(dir))
	kc.Delete(ctx, keychain.AccountDBKey)
	_, err = Open(ctx, dir, kc)
	if !errors.Is(err, ErrKeyMissing) {
		t.Fatalf("err = %v, want ErrKeyMissing", err)
	}
	after, _ := os.ReadFile(DBPath(dir))
	if !bytes.Equal(before, after) {
		t.Fatal("database changed")
	}
	if _, err := kc.Get(ctx, keychain.AccountDBKey); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("a new key was stored for an existing database: %v", err)
	}
}

// TestNoKeychainIsActionable runs Open in a child process with no reachable
// D-Bus (the session bus connection is cached per process).
func TestNoKeychainIsActionable(t *testing.T) {
	if dir := os.Getenv("SIDECAR_PROFILE_CHILD"); dir != "" {
		kc := &keychain.Keychain{Service: "SidecarProfileNoBus", Timeout: 5 * time.Second}
		_, err := Open(context.Background(), dir, kc)
		fmt.Printf("UNAVAILABLE=%v\nERR=%v\n", errors.Is(err, keychain.ErrUnavailable), err)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoKeychainIsActionable$")
	cmd.Env = append(os.Environ(), "SIDECAR_PROFILE_CHILD="+dir, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/sidecar-test-bus")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "UNAVAILABLE=true") {
		t.Fatalf("want ErrUnavailable, child said:\n%s", out)
	}
	if _, err := os.Stat(DBPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a database was created without a key: %v", err)
	}
}

func TestDirHonoursEnv(t *testing.T) {
	t.Setenv(EnvHome, "/tmp/sidecar-home-test")
	if d, _ := Dir(); d != "/tmp/sidecar-home-test" {
		t.Fatalf("Dir = %q", d)
	}
}
