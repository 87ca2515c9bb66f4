package profile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// TestRotateSurvivesACrashAtEveryStep rotates the key in a child process
// that SIGKILLs itself after step N, then opens the data as the app would.
func TestRotateSurvivesACrashAtEveryStep(t *testing.T) {
	if dir := os.Getenv("SIDECAR_ROTATE_DIR"); dir != "" {
		crash, _ := strconv.Atoi(os.Getenv("SIDECAR_ROTATE_CRASH"))
		stepHook = func(step int) {
			if step == crash {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
		kc := &keychain.Keychain{Service: os.Getenv("SIDECAR_ROTATE_SERVICE")}
		p, err := Open(context.Background(), dir, kc)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(3)
		}
		if _, err := Rotate(context.Background(), p); err != nil {
			fmt.Println("rotate:", err)
			os.Exit(3)
		}
		return
	}
	ctx := context.Background()
	for crash := 1; crash <= 5; crash++ { // 5: no crash
		t.Run(fmt.Sprintf("crash after step %d", crash), func(t *testing.T) {
			dir := t.TempDir()
			kc := testKeychain(t, dir)
			t.Cleanup(func() { kc.Delete(ctx, accountNextKey) })
			p, err := Open(ctx, dir, kc)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := p.DB.CreateChat(ctx, "survivor", "")
			for i := 0; i < 30; i++ {
				p.DB.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: fmt.Sprintf("message %d", i)})
			}
			p.Close()
			oldKey, _ := kc.LoadKey(ctx, keychain.AccountDBKey, store.KeySize)

			cmd := exec.Command(os.Args[0], "-test.run=^TestRotateSurvivesACrashAtEveryStep$")
			cmd.Env = append(os.Environ(), "SIDECAR_ROTATE_DIR="+dir, "SIDECAR_ROTATE_CRASH="+strconv.Itoa(crash), "SIDECAR_ROTATE_SERVICE="+kc.Service)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			killed := errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled()
			if crash <= 4 && !killed {
				t.Fatalf("the child was not killed at step %d: %v\n%s", crash, err, out)
			}
			if crash == 5 && err != nil {
				t.Fatalf("rotation failed: %v\n%s", err, out)
			}

			p, err = Open(ctx, dir, kc)
			if err != nil {
				t.Fatalf("the data does not open after a crash at step %d: %v", crash, err)
			}
			defer p.Close()
			msgs, _ := p.DB.Messages(ctx, c.ID)
			if len(msgs) != 30 || msgs[29].Content != "message 29" {
				t.Fatalf("after step %d: %d messages", crash, len(msgs))
			}
			if _, err := os.Stat(DBPath(dir) + rotatingSuffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a rotation leftover remains: %v", err)
			}
			if _, err := kc.Get(ctx, accountNextKey); !errors.Is(err, keychain.ErrNotFound) {
				t.Errorf("the spare key remains: %v", err)
			}
			newKey, _ := kc.LoadKey(ctx, keychain.AccountDBKey, store.KeySize)
			if rotated := string(newKey) != string(oldKey); rotated != (crash >= 3) {
				t.Errorf("after step %d the key rotated = %v", crash, rotated)
			}
		})
	}
}

// TestKeyChangesWithCancellableContext runs the key changes Settings
// offers with a context that can be cancelled, as the window's is: each
// once failed with "cannot VACUUM - SQL statements in progress".
func TestKeyChangesWithCancellableContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	kc := testKeychain(t, dir)
	p, err := Open(ctx, dir, kc)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.DB.CreateChat(ctx, "through every key", "")
	steps := []struct {
		name   string
		change func(*Profile) (*Profile, error)
		mode   string
	}{
		{"rotate", func(p *Profile) (*Profile, error) { return Rotate(ctx, p) }, ModeKeychain},
		{"use a passphrase", func(p *Profile) (*Profile, error) { return UsePassphrase(ctx, p, testPass, nil) }, ModePassphrase},
		{"change the passphrase", func(p *Profile) (*Profile, error) { return UsePassphrase(ctx, p, testPass+"!", nil) }, ModePassphrase},
		{"use the keychain", func(p *Profile) (*Profile, error) { return UseKeychain(ctx, p) }, ModeKeychain},
	}
	for _, s := range steps {
		if p, err = s.change(p); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if p.Mode != s.mode {
			t.Fatalf("%s: mode %q", s.name, p.Mode)
		}
		if got, err := p.DB.Chat(ctx, c.ID); err != nil || got.Title != "through every key" {
			t.Fatalf("%s: chat %+v %v", s.name, got, err)
		}
	}
	p.Close()
}
