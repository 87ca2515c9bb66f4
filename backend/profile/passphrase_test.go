package profile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

func init() {
	kdfCost = kdfParams{Time: 1, MemoryKiB: 8 << 10, Threads: 1} // fast tests; the format is the same
}

const testPass = "correct horse battery"

// TestPassphraseModeWithoutKeychain runs in a child process with no
// reachable D-Bus, as on a machine without a keychain.
func TestPassphraseModeWithoutKeychain(t *testing.T) {
	if dir := os.Getenv("SIDECAR_PASS_CHILD"); dir != "" {
		passphraseModeChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPassphraseModeWithoutKeychain$", "-test.v")
	cmd.Env = append(os.Environ(), "SIDECAR_PASS_CHILD="+dir, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/sidecar-test-bus")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "CHILD OK") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	// Nothing secret is on disk in the clear.
	for _, name := range []string{store.FileName, store.FileName + "-wal", KeyFile} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if bytes.Contains(b, []byte("sk-passphrase-mode-secret")) || bytes.Contains(b, []byte(testPass)) {
			t.Errorf("%s holds a secret in the clear", name)
		}
	}
}

func passphraseModeChild(dir string) {
	ctx := context.Background()
	kc := &keychain.Keychain{Service: "SidecarPassNoBus", Timeout: 5 * time.Second}
	fail := func(f string, a ...any) { fmt.Printf("FAIL "+f+"\n", a...); os.Exit(1) }
	if _, err := Open(ctx, dir, kc); !errors.Is(err, keychain.ErrUnavailable) {
		fail("without a keychain or passphrase: %v", err)
	}
	if _, err := OpenWith(ctx, dir, kc, "short"); !errors.Is(err, ErrShortPassphrase) {
		fail("short passphrase: %v", err)
	}
	p, err := OpenWith(ctx, dir, kc, testPass)
	if err != nil {
		fail("first start: %v", err)
	}
	if p.Mode != ModePassphrase || Mode(dir) != ModePassphrase {
		fail("mode %q", p.Mode)
	}
	c, _ := p.DB.CreateChat(ctx, "kept under a passphrase", "")
	if err := p.Keychain.Set(ctx, keychain.ProviderAccount("openai"), "sk-passphrase-mode-secret"); err != nil {
		fail("secret: %v", err)
	}
	p.Close()
	before, _ := os.ReadFile(DBPath(dir))
	if _, err := Open(ctx, dir, kc); !errors.Is(err, ErrPassphraseNeeded) {
		fail("reopen without the passphrase: %v", err)
	}
	if _, err := OpenWith(ctx, dir, kc, "wrong passphrase!"); !errors.Is(err, ErrWrongPassphrase) {
		fail("wrong passphrase: %v", err)
	}
	if after, _ := os.ReadFile(DBPath(dir)); !bytes.Equal(before, after) {
		fail("a wrong passphrase changed the file")
	}
	p, err = OpenWith(ctx, dir, kc, testPass)
	if err != nil {
		fail("reopen: %v", err)
	}
	if got, err := p.DB.Chat(ctx, c.ID); err != nil || got.Title != "kept under a passphrase" {
		fail("chat: %v %v", got, err)
	}
	if v, err := p.Keychain.Get(ctx, keychain.ProviderAccount("openai")); err != nil || v != "sk-passphrase-mode-secret" {
		fail("secret back: %q %v", v, err)
	}
	if _, err := Rotate(ctx, p); err == nil {
		fail("rotate in passphrase mode should ask for a passphrase change")
	}
	// A new passphrase replaces the old one.
	p, err = UsePassphrase(ctx, p, "another passphrase", nil)
	if err != nil {
		fail("change passphrase: %v", err)
	}
	p.Close()
	if _, err := OpenWith(ctx, dir, kc, testPass); !errors.Is(err, ErrWrongPassphrase) {
		fail("old passphrase after the change: %v", err)
	}
	p, err = OpenWith(ctx, dir, kc, "another passphrase")
	if err != nil {
		fail("new passphrase: %v", err)
	}
	if v, _ := p.Keychain.Get(ctx, keychain.ProviderAccount("openai")); v != "sk-passphrase-mode-secret" {
		fail("secret after the change: %q", v)
	}
	p.Close()
	// Switching back needs a keychain: refused, nothing changes.
	p, _ = OpenWith(ctx, dir, kc, "another passphrase")
	if _, err := UseKeychain(ctx, p); !errors.Is(err, keychain.ErrUnavailable) {
		fail("use keychain without one: %v", err)
	}
	p.Close()
	// A planted key file with absurd costs is refused before any work.
	kf := filepath.Join(dir, KeyFile)
	good, _ := os.ReadFile(kf)
	os.WriteFile(kf, bytes.Replace(good, []byte(`"memory_kib": 8192`), []byte(`"memory_kib": 1073741824`), 1), 0o600)
	if _, err := OpenWith(ctx, dir, kc, "another passphrase"); err == nil || !strings.Contains(err.Error(), "does not accept") {
		fail("hostile key file: %v", err)
	}
	os.WriteFile(kf, good, 0o600)
	// Wipe works without a keychain and leaves nothing of ours.
	if _, err := Wipe(ctx, dir, kc, []string{"openai"}); err != nil {
		fail("wipe: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		fail("wipe left %v", left)
	}
	fmt.Println("CHILD OK")
}

// TestSwitchModesSurvivesACrashAtEveryStep switches keychain → passphrase
// and back in a child process that SIGKILLs itself after each step.
func TestSwitchModesSurvivesACrashAtEveryStep(t *testing.T) {
	if dir := os.Getenv("SIDECAR_SWITCH_DIR"); dir != "" {
		crash, _ := strconv.Atoi(os.Getenv("SIDECAR_SWITCH_CRASH"))
		stepHook = func(step int) {
			if step == crash {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
		ctx := context.Background()
		kc := &keychain.Keychain{Service: os.Getenv("SIDECAR_SWITCH_SERVICE")}
		p, err := OpenWith(ctx, dir, kc, testPass)
		if err == nil && p.Mode == ModeKeychain {
			_, err = UsePassphrase(ctx, p, testPass, []string{keychain.ProviderAccount("openai")})
		} else if err == nil {
			_, err = UseKeychain(ctx, p)
		}
		if err != nil {
			fmt.Println("switch:", err)
			os.Exit(3)
		}
		return
	}
	ctx := context.Background()
	run := func(t *testing.T, dir, service string, crash int) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSwitchModesSurvivesACrashAtEveryStep$")
		cmd.Env = append(os.Environ(), "SIDECAR_SWITCH_DIR="+dir, "SIDECAR_SWITCH_CRASH="+strconv.Itoa(crash), "SIDECAR_SWITCH_SERVICE="+service)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if killed := errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled(); !killed && crash != 0 {
			t.Fatalf("the child was not killed at step %d: %v\n%s", crash, err, out)
		}
		if crash == 0 && err != nil {
			t.Fatalf("switch failed: %v\n%s", err, out)
		}
	}
	check := func(t *testing.T, dir string, kc *keychain.Keychain, c int64, wantMode string) {
		t.Helper()
		p, err := OpenWith(ctx, dir, kc, testPass)
		if err != nil {
			t.Fatalf("the data does not open: %v", err)
		}
		defer p.Close()
		if p.Mode != wantMode {
			t.Errorf("mode %q, want %q", p.Mode, wantMode)
		}
		if msgs, _ := p.DB.Messages(ctx, c); len(msgs) != 20 {
			t.Fatalf("%d messages", len(msgs))
		}
		if v, err := p.Keychain.Get(ctx, keychain.ProviderAccount("openai")); v != "sk-switch" {
			t.Errorf("provider key: %q %v", v, err)
		}
		for _, f := range []string{DBPath(dir) + rotatingSuffix, filepath.Join(dir, keyFileNext)} {
			if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("leftover %s", f)
			}
		}
		if _, err := kc.Get(ctx, accountNextKey); !errors.Is(err, keychain.ErrNotFound) {
			t.Errorf("the spare key remains: %v", err)
		}
		if wantMode == ModeKeychain {
			if n, _ := p.DB.SecretAccounts(ctx); len(n) != 0 {
				t.Errorf("secrets left in the database in keychain mode: %v", n)
			}
		}
	}
	// Steps 11-15 of UsePassphrase; 0 runs to the end.
	for _, crash := range []int{11, 12, 13, 14, 15, 0} {
		t.Run(fmt.Sprintf("to passphrase, crash after step %d", crash), func(t *testing.T) {
			dir := t.TempDir()
			kc := testKeychain(t, dir)
			t.Cleanup(func() {
				kc.Delete(ctx, accountNextKey)
				kc.Delete(ctx, keychain.ProviderAccount("openai"))
			})
			p, err := Open(ctx, dir, kc)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := p.DB.CreateChat(ctx, "switch", "")
			for i := 0; i < 20; i++ {
				p.DB.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: fmt.Sprintf("m%d", i)})
			}
			kc.Set(ctx, keychain.ProviderAccount("openai"), "sk-switch")
			p.Close()
			run(t, dir, kc.Service, crash)
			want := ModeKeychain
			if crash == 0 || crash >= 14 {
				want = ModePassphrase
			}
			check(t, dir, kc, c.ID, want)
			if crash == 0 {
				if _, err := kc.Get(ctx, keychain.AccountDBKey); !errors.Is(err, keychain.ErrNotFound) {
					t.Errorf("the OS keychain still holds the database key: %v", err)
				}
				if _, err := kc.Get(ctx, keychain.ProviderAccount("openai")); !errors.Is(err, keychain.ErrNotFound) {
					t.Errorf("the OS keychain still holds the provider key: %v", err)
				}
			}
		})
	}
	// Steps 1-4 of the way back (UseKeychain); 0 runs to the end.
	for _, crash := range []int{1, 2, 3, 4, 0} {
		t.Run(fmt.Sprintf("to keychain, crash after step %d", crash), func(t *testing.T) {
			dir := t.TempDir()
			kc := testKeychain(t, dir)
			t.Cleanup(func() {
				kc.Delete(ctx, accountNextKey)
				kc.Delete(ctx, keychain.ProviderAccount("openai"))
			})
			p, err := OpenWith(ctx, dir, kc, testPass)
			if err != nil || p.Mode != ModeKeychain {
				// a fresh folder with a passphrase starts in passphrase mode
				if err != nil {
					t.Fatal(err)
				}
			}
			c, _ := p.DB.CreateChat(ctx, "switch back", "")
			for i := 0; i < 20; i++ {
				p.DB.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: fmt.Sprintf("m%d", i)})
			}
			p.Keychain.Set(ctx, keychain.ProviderAccount("openai"), "sk-switch")
			p.Close()
			run(t, dir, kc.Service, crash)
			want := ModePassphrase
			if crash == 0 || crash >= 3 {
				want = ModeKeychain
			}
			check(t, dir, kc, c.ID, want)
		})
	}
}
