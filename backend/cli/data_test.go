package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sidecar/backend/profile"
	"strings"
	"testing"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

func runCmd(t *testing.T, fn func(context.Context, Env) error, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	// A context that can be cancelled, as the command line's (Ctrl+C).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := fn(ctx, Env{Args: args, Stdout: &out, Stderr: &out})
	return out.String(), err
}

func TestExportWipeImport(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	home := t.TempDir()
	t.Setenv("SIDECAR_HOME", home)
	const secret = "sk-proj-EXPORTMUSTNOTCONTAINTHIS0123"
	prof, err := OpenProfile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kc := prof.Keychain // this folder's entries
	if err := kc.Set(ctx, keychain.ProviderAccount("openai"), secret); err != nil {
		t.Fatal(err)
	}
	c, _ := prof.DB.CreateChat(ctx, "Keep me", "")
	prof.DB.AddMessage(ctx, storeMessage(c.ID, "a message to keep"))
	prof.Close()
	docDir := t.TempDir()
	os.WriteFile(filepath.Join(docDir, "n.md"), []byte("# Note\n\nkeep this document\n"), 0o644)
	if _, err := run(t, "add", docDir); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "backup.sidecar")
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte("a long passphrase\n"), 0o600)
	msg, err := runCmd(t, runExport, "--out", out, "--passphrase-file", pf)
	if err != nil || !strings.Contains(msg, "1 chats, 1 messages, 1 documents") || !strings.Contains(msg, "encrypted") {
		t.Fatalf("export: %v %s", err, msg)
	}
	data, _ := os.ReadFile(out)
	if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte("keep this document")) {
		t.Fatal("the archive holds a secret or plaintext")
	}
	plain := filepath.Join(t.TempDir(), "plain.zip")
	runCmd(t, runExport, "--out", plain)
	if data, _ := os.ReadFile(plain); bytes.Contains(data, []byte(secret)) {
		t.Fatal("the plain archive holds the API key")
	}

	if _, err := runCmd(t, runWipe); !errors.Is(err, ErrUsage) {
		t.Fatalf("wipe without --yes: %v", err)
	}
	if _, err := os.Stat(filepath.Join(home, "sidecar.db")); err != nil {
		t.Fatal("wipe without --yes deleted the database")
	}
	if msg, err := runCmd(t, runWipe, "--yes"); err != nil || !strings.Contains(msg, "all Sidecar data deleted") {
		t.Fatalf("wipe: %v %s", err, msg)
	}
	entries, _ := os.ReadDir(home)
	for _, e := range entries {
		t.Errorf("left after wipe: %s", e.Name())
	}
	for _, a := range []string{keychain.AccountDBKey, keychain.AccountAPIToken, keychain.ProviderAccount("openai")} {
		if _, err := kc.Get(ctx, a); !errors.Is(err, keychain.ErrNotFound) {
			t.Errorf("keychain entry %s survives wipe: %v", a, err)
		}
	}

	if _, err := runCmd(t, runImport, out); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("import without passphrase: %v", err)
	}
	msg, err = runCmd(t, runImport, out, "--passphrase-file", pf)
	// The fresh profile has the starting presets already.
	if err != nil || !strings.Contains(msg, "imported 1 chats (0 already here), 1 messages, 1 documents") || !strings.Contains(msg, ", 0 presets (2 already here)") {
		t.Fatalf("import: %v %s", err, msg)
	}
	prof, err = OpenProfile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer prof.Close()
	chats, _ := prof.DB.ListChats(ctx)
	if len(chats) != 1 || chats[0].Title != "Keep me" {
		t.Fatalf("chats after import = %+v", chats)
	}
}

func storeMessage(chatID int64, text string) store.Message {
	return store.Message{ChatID: chatID, Role: "user", Content: text}
}

func TestRotateKeyCommand(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	t.Setenv("SIDECAR_HOME", t.TempDir())
	prof, err := OpenProfile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := prof.DB.CreateChat(ctx, "still here", "")
	prof.Close()
	kc := prof.Keychain
	before, _ := kc.Get(ctx, keychain.AccountDBKey)
	out, err := runCmd(t, runRotateKey)
	if err != nil || !strings.Contains(out, "re-encrypted") {
		t.Fatalf("rotate-key: %v %s", err, out)
	}
	after, _ := kc.Get(ctx, keychain.AccountDBKey)
	if after == before || after == "" {
		t.Fatal("the key did not change")
	}
	prof, err = OpenProfile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer prof.Close()
	if got, err := prof.DB.Chat(ctx, c.ID); err != nil || got.Title != "still here" {
		t.Fatalf("after rotation: %+v %v", got, err)
	}
}

// OpenProfile opens the profile through a session, for the tests that look
// into the store itself.
func OpenProfile(ctx context.Context) (*profile.Profile, error) {
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return nil, err
	}
	return s.Profile()
}
