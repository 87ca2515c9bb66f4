package backup

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sidecar/backend/dataexport"
	"sidecar/backend/docs"
	"sidecar/backend/keychain"
	"sidecar/backend/store"
	"sidecar/backend/store/storetest"
)

func setup(t *testing.T) (*store.DB, *keychain.Keychain) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under `make test`")
	}
	db := storetest.Open(t)
	kc := &keychain.Keychain{Service: fmt.Sprintf("SidecarBackupTest-%d", os.Getpid()), Timeout: 10 * time.Second}
	t.Cleanup(func() { kc.Delete(context.Background(), AccountPassphrase) })
	return db, kc
}

func TestBackupsKeepTheLastNAndRestore(t *testing.T) {
	ctx := context.Background()
	db, kc := setup(t)
	c, _ := db.CreateChat(ctx, "MARKER-backed-up", "")
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "back me up"})
	if _, err := Now(ctx, db, kc, "test"); err == nil {
		t.Fatal("a backup without a folder")
	}
	dir := t.TempDir()
	if _, err := Save(ctx, db, kc, Config{Dir: "relative/dir", Keep: 2}, ""); err == nil {
		t.Fatal("a relative folder was accepted")
	}
	if _, err := Save(ctx, db, kc, Config{Dir: dir, Keep: 2}, "short"); err == nil {
		t.Fatal("a short passphrase was accepted")
	}
	cfg, err := Save(ctx, db, kc, Config{Dir: dir, Keep: 2, Daily: true}, "backup passphrase 1")
	if err != nil || !cfg.HasPassphrase || cfg.Keep != 2 || !cfg.Daily {
		t.Fatalf("save: %+v %v", cfg, err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not ours"), 0o644)
	var last string
	for i := 0; i < 3; i++ {
		if last, err = Now(ctx, db, kc, "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // names have one-second resolution
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 3 { // two backups and the user's file
		t.Fatalf("files = %v", names)
	}
	data, _ := os.ReadFile(last)
	if !dataexport.IsEncrypted(data) || bytes.Contains(data, []byte("MARKER-backed-up")) {
		t.Fatal("the backup is not encrypted")
	}
	// It restores into an empty profile with the passphrase.
	fresh := storetest.Open(t)
	ds, _ := docs.New(ctx, fresh, docs.Lexical{}, nil)
	rep, err := dataexport.Import(ctx, fresh, ds, data, "backup passphrase 1", nil)
	if err != nil || rep.Chats != 1 || rep.Messages != 1 {
		t.Fatalf("restore: %+v %v", rep, err)
	}
	if cfg, _ := Load(ctx, db, kc); cfg.Last == 0 {
		t.Error("last backup time not recorded")
	}
}
