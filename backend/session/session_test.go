package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sidecar/backend/keychain"
	"sidecar/backend/profile"
	"sidecar/backend/store"
)

// testKeychain is the real OS keychain under a service of the test's own,
// so tests running at once never share entries.
func testKeychain(t *testing.T) *keychain.Keychain {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under tools/with-keyring.sh")
	}
	kc := &keychain.Keychain{Service: fmt.Sprintf("SidecarSessionTest-%d-%s", os.Getpid(), t.Name()), Timeout: 10 * time.Second}
	t.Cleanup(func() {
		for _, a := range append(SecretAccounts(), keychain.AccountDBKey) {
			kc.Delete(context.Background(), a)
		}
	})
	return kc
}

// events records what the session emits.
type events struct {
	mu    sync.Mutex
	names map[string]int
}

func (e *events) Emit(name string, _ any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.names == nil {
		e.names = map[string]int{}
	}
	e.names[name]++
}

func TestOpenUseReopenClose(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	dir := t.TempDir()
	ev := &events{}
	s := New(Options{Keychain: kc, Dir: dir, Events: ev, Background: true})
	if _, err := s.ListChats(ctx); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("before open: %v, want ErrNotOpen", err)
	}
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); !st.Ready || st.DataDir != dir {
		t.Fatalf("status = %+v", st)
	}
	c, err := s.CreateChat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, "deploys", "Production deploys happen on Tuesdays."); err != nil {
		t.Fatal(err)
	}
	if err := s.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.OpenChat(ctx, c.ID)
	if err != nil || d.Chat.ID != c.ID {
		t.Fatalf("chat after rotation: %+v %v", d, err)
	}
	hits, err := s.SearchDocuments(ctx, "deploys Tuesdays")
	if err != nil || len(hits) == 0 {
		t.Fatalf("search after rotation: %v %v", hits, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListChats(ctx); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("after close: %v, want ErrNotOpen", err)
	}
	// Reopened by a new session (a later start): the data is there.
	s2, err := Open(ctx, Options{Keychain: kc, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if list, err := s2.ListChats(ctx); err != nil || len(list) != 1 {
		t.Fatalf("chats after restart: %v %v", list, err)
	}
}

func TestPassphraseIsAskedThroughThePrompt(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Keychain: kc, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UsePassphrase(ctx, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if s.KeyMode() != profile.ModePassphrase {
		t.Fatalf("key mode = %q", s.KeyMode())
	}
	s.Close()

	// No prompt: the window's case; Status asks for the passphrase.
	w := New(Options{Keychain: kc, Dir: dir})
	if err := w.Open(ctx); !errors.Is(err, profile.ErrPassphraseNeeded) {
		t.Fatalf("open without prompt: %v", err)
	}
	if st := w.Status(); !st.NeedsPassphrase || st.Ready {
		t.Fatalf("status = %+v", st)
	}
	if err := w.Unlock(ctx, "wrong one"); err == nil {
		t.Fatal("a wrong passphrase unlocked the data")
	}
	if err := w.Unlock(ctx, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	w.Close()

	// The command line's case: the prompt is called once.
	asked := 0
	c, err := Open(ctx, Options{Keychain: kc, Dir: dir, Passphrase: func(context.Context) (string, error) { asked++; return "correct horse battery", nil }})
	if err != nil || asked != 1 {
		t.Fatalf("open with prompt: %v, asked %d times", err, asked)
	}
	if err := c.UseKeychain(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// TestConcurrentCallsWhileReopening calls what the window binds from many
// goroutines while the profile is re-keyed, switched to a passphrase and
// back, and wiped. Under -race: no race, no panic; every call either
// works or says the data is not open.
func TestConcurrentCallsWhileReopening(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Keychain: kc, Dir: dir, Events: &events{}, Background: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	calls := []func() error{
		func() error { _, err := s.ListChats(ctx); return err },
		func() error {
			c, err := s.CreateChat(ctx)
			if err != nil {
				return err
			}
			if _, err := s.SendMessage(ctx, c.ID, "hello there"); err != nil {
				return err
			}
			return s.StopGeneration(ctx, c.ID)
		},
		func() error { _, err := s.AddNote(ctx, "note", "a note about queues and workers"); return err },
		func() error { _, err := s.SearchDocuments(ctx, "queues"); return err },
		func() error { _, err := s.EmbeddingModels(ctx); return err },
		func() error { _, err := s.LocalAPIStatus(ctx); return err },
		func() error { _, err := s.Models(ctx); return err },
		func() error { _ = s.Status(); _ = s.KeyMode(); return nil },
		func() error { _, err := s.BackupConfig(ctx); return err },
	}
	var ok, notOpen atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var unexpected sync.Map
	for i, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch err := call(); {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrNotOpen):
					notOpen.Add(1)
				default:
					unexpected.Store(i, err)
				}
			}
		}()
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"rotate", func() error { return s.RotateKey(ctx) }},
		{"passphrase", func() error { return s.UsePassphrase(ctx, "a passphrase for the race") }},
		{"keychain", func() error { return s.UseKeychain(ctx) }},
		{"wipe", func() error { return s.WipeData(ctx, "DELETE") }},
		{"rotate again", func() error { return s.RotateKey(ctx) }},
	}
	for _, st := range steps {
		before := ok.Load()
		deadline := time.Now().Add(20 * time.Second)
		for ok.Load() < before+20 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if ok.Load() < before+20 {
			t.Fatalf("before %s: calls stopped succeeding", st.name)
		}
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	close(stop)
	wg.Wait()
	unexpected.Range(func(k, v any) bool {
		// A chat created before the wipe is gone after it; anything else
		// is a failure.
		if err := v.(error); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("call %d: %v", k, err)
		}
		return true
	})
	if !s.Status().Ready {
		t.Fatal("the session is not open after the reopens")
	}
	t.Logf("%d calls succeeded, %d found the data closed", ok.Load(), notOpen.Load())
}
