package keychain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// These tests talk to the real OS keychain. On Linux CI they run inside
// dbus-run-session with gnome-keyring unlocked (see the Makefile); without
// a session bus they are skipped, except the unavailable-path test.
func realKeychain(t *testing.T) *Keychain {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under `make test` (dbus-run-session + gnome-keyring)")
	}
	k := &Keychain{Service: fmt.Sprintf("SidecarTest-%d-%s", os.Getpid(), t.Name()), Timeout: 10 * time.Second}
	t.Cleanup(func() {
		ctx := context.Background()
		for _, a := range []string{AccountDBKey, AccountAPIToken, ProviderAccount("openai"), "x"} {
			k.Delete(ctx, a)
		}
	})
	return k
}

func TestSetGetDelete(t *testing.T) {
	ctx := context.Background()
	k := realKeychain(t)
	if _, err := k.Get(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing entry err = %v, want ErrNotFound", err)
	}
	if err := k.Set(ctx, "x", "s3cr3t value ✓"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(ctx, "x"); err != nil || v != "s3cr3t value ✓" {
		t.Fatalf("get = %q, %v", v, err)
	}
	// Seen from outside the process too: secret-tool reads the same item.
	if path, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command(path, "lookup", "service", k.Service, "username", "x").Output()
		if err != nil || string(out) != "s3cr3t value ✓" {
			t.Errorf("secret-tool lookup = %q, %v", out, err)
		}
	}
	if err := k.Delete(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete err = %v", err)
	}
	if err := k.Delete(ctx, "x"); err != nil {
		t.Errorf("deleting a missing entry: %v", err)
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	ctx := context.Background()
	k := realKeychain(t)
	key, created, err := k.LoadOrCreateKey(ctx, AccountDBKey, 32)
	if err != nil || !created || len(key) != 32 {
		t.Fatalf("first: %x %v %v", key, created, err)
	}
	again, created, err := k.LoadOrCreateKey(ctx, AccountDBKey, 32)
	if err != nil || created || string(again) != string(key) {
		t.Fatalf("second: %x %v %v, want same key, not created", again, created, err)
	}
	other := &Keychain{Service: k.Service + "-other"}
	k2, _, err := other.LoadOrCreateKey(ctx, AccountDBKey, 32)
	defer other.Delete(ctx, AccountDBKey)
	if err != nil || string(k2) == string(key) {
		t.Fatalf("keys of two services must differ: %v", err)
	}
	// A corrupted entry is reported, never replaced.
	if err := k.Set(ctx, AccountDBKey, "not hex"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.LoadOrCreateKey(ctx, AccountDBKey, 32); err == nil {
		t.Fatal("corrupted entry accepted")
	}
	if v, _ := k.Get(ctx, AccountDBKey); v != "not hex" {
		t.Fatalf("corrupted entry was overwritten: %q", v)
	}
}

// TestUnavailable runs a child without any D-Bus session: the error must be
// ErrUnavailable with actionable help, fast, not a hang.
func TestUnavailable(t *testing.T) {
	if os.Getenv("SIDECAR_KEYCHAIN_CHILD") != "" {
		k := &Keychain{Service: "SidecarTestUnavailable", Timeout: 5 * time.Second}
		_, _, err := k.LoadOrCreateKey(context.Background(), AccountDBKey, 32)
		fmt.Printf("ERR=%v\nUNAVAILABLE=%v\n", err, errors.Is(err, ErrUnavailable))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnavailable$", "-test.v")
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, e)
		}
	}
	cmd.Env = append(env, "SIDECAR_KEYCHAIN_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/sidecar-bus")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "UNAVAILABLE=true") {
		t.Fatalf("child output lacks ErrUnavailable:\n%s", out)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("unavailable keychain took %v to report", d)
	}
}

func TestTimeout(t *testing.T) {
	k := &Keychain{Timeout: 50 * time.Millisecond}
	block := make(chan struct{})
	defer close(block)
	_, err := k.call(context.Background(), "read x", func() (string, error) { <-block; return "", nil })
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}

// TestProfileEntries: a profile's entries are stored as NAME@ID, apart
// from another profile's and from the bare name.
func TestProfileEntries(t *testing.T) {
	ctx := context.Background()
	k := realKeychain(t)
	a, b := k.ForProfile("aaaa"), k.ForProfile("bbbb")
	t.Cleanup(func() {
		for _, kc := range []*Keychain{a, b} {
			kc.Delete(ctx, ProviderAccount("openai"))
		}
	})
	if err := a.Set(ctx, ProviderAccount("openai"), "sk-a"); err != nil {
		t.Fatal(err)
	}
	if got := a.Account(ProviderAccount("openai")); got != "provider:openai@aaaa" {
		t.Fatalf("account = %q", got)
	}
	for _, other := range []*Keychain{b, k} {
		if _, err := other.Get(ctx, ProviderAccount("openai")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("profile %q sees another profile's entry: %v", other.Profile, err)
		}
	}
	if path, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command(path, "lookup", "service", k.Service, "username", "provider:openai@aaaa").Output()
		if err != nil || string(out) != "sk-a" {
			t.Errorf("secret-tool lookup = %q, %v", out, err)
		}
	}
	if err := b.Delete(ctx, ProviderAccount("openai")); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Get(ctx, ProviderAccount("openai")); v != "sk-a" {
		t.Fatalf("another profile's delete removed the entry: %q", v)
	}
}
