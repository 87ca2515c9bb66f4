package profile

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// TestProfilesHaveTheirOwnEntries: two data folders on one keychain never
// share an entry; wiping or rotating one leaves the other readable.
func TestProfilesHaveTheirOwnEntries(t *testing.T) {
	ctx := context.Background()
	kc := serviceKeychain(t)
	main, scratch := filepath.Join(t.TempDir(), "main"), filepath.Join(t.TempDir(), "scratch")
	pm, err := Open(ctx, main, kc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteAll(kc.ForProfile(pm.ID)) })
	c, _ := pm.DB.CreateChat(ctx, "main profile", "")
	pm.Keychain.Set(ctx, keychain.ProviderAccount("openai"), "sk-main")
	ps, err := Open(ctx, scratch, kc) // both open at once: one lock each
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteAll(kc.ForProfile(ps.ID)) })
	if pm.ID == ps.ID || len(pm.ID) != 32 {
		t.Fatalf("profile ids %q and %q", pm.ID, ps.ID)
	}
	km, _ := pm.Keychain.LoadKey(ctx, keychain.AccountDBKey, store.KeySize)
	ks, _ := ps.Keychain.LoadKey(ctx, keychain.AccountDBKey, store.KeySize)
	if km == nil || ks == nil || string(km) == string(ks) {
		t.Fatal("the two folders share a database key")
	}
	if _, err := ps.Keychain.Get(ctx, keychain.ProviderAccount("openai")); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("the scratch folder sees the main folder's API key: %v", err)
	}
	if _, err := kc.Get(ctx, keychain.AccountDBKey); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("a key was stored under the shared account: %v", err)
	}
	// Rotating the scratch folder's key leaves the main folder's alone.
	ps, err = Rotate(ctx, ps)
	if err != nil {
		t.Fatal(err)
	}
	ps.Close()
	pm.Close()
	if _, err := Wipe(ctx, scratch, kc, []string{"openai"}); err != nil {
		t.Fatal(err)
	}
	pm, err = Open(ctx, main, kc)
	if err != nil {
		t.Fatalf("the main folder after the scratch folder's rotation and wipe: %v", err)
	}
	defer pm.Close()
	if got, err := pm.DB.Chat(ctx, c.ID); err != nil || got.Title != "main profile" {
		t.Fatalf("main chat: %+v %v", got, err)
	}
	if v, _ := pm.Keychain.Get(ctx, keychain.ProviderAccount("openai")); v != "sk-main" {
		t.Fatalf("main API key after the scratch wipe: %q", v)
	}
}

// legacyFolder makes a data folder as builds before per-profile entries
// left it: a database under key, no profile id.
func legacyFolder(t *testing.T, key []byte, title string) string {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), DBPath(dir), key)
	if err != nil {
		t.Fatal(err)
	}
	db.CreateChat(context.Background(), title, "")
	db.Close()
	return dir
}

func randomKey(t *testing.T) []byte {
	k, err := keychain.RandomSecret(store.KeySize)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestLegacyEntriesAreAdopted: a folder whose database opens with the key
// earlier builds kept under the shared account takes it (and the shared
// secrets) as its own; a folder it does not open, and a new folder, take
// nothing; folders that shared the key all keep working.
func TestLegacyEntriesAreAdopted(t *testing.T) {
	ctx := context.Background()
	kc := serviceKeychain(t)
	shared, orphanKey, spare := randomKey(t), randomKey(t), randomKey(t)
	kc.Set(ctx, keychain.AccountDBKey, hex.EncodeToString(shared))
	kc.Set(ctx, keychain.AccountDBKey+".next", hex.EncodeToString(spare))
	kc.Set(ctx, keychain.ProviderAccount("openai"), "sk-legacy")
	kc.Set(ctx, keychain.AccountAPIToken, "legacy-token")
	owner := legacyFolder(t, shared, "owner")
	sibling := legacyFolder(t, shared, "sibling")  // old builds gave every folder the same key
	orphan := legacyFolder(t, orphanKey, "orphan") // its key went with an old rotation elsewhere
	midRotation := legacyFolder(t, spare, "swapped before the crash")
	fresh := filepath.Join(t.TempDir(), "fresh")

	// A folder the shared key does not open adopts nothing.
	before := fileHash(t, DBPath(orphan))
	if _, err := Open(ctx, orphan, kc); !errors.Is(err, ErrKeyMissing) {
		t.Fatalf("orphan: %v, want ErrKeyMissing", err)
	}
	id, _ := ReadID(orphan)
	if _, err := kc.ForProfile(id).Get(ctx, keychain.AccountDBKey); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("the orphan folder took a key: %v", err)
	}
	if fileHash(t, DBPath(orphan)) != before {
		t.Fatal("the orphan's database changed")
	}
	// A new folder gets a key of its own and none of the shared secrets.
	pf, err := Open(ctx, fresh, kc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteAll(kc.ForProfile(pf.ID)) })
	if k, _ := pf.Keychain.LoadKey(ctx, keychain.AccountDBKey, store.KeySize); string(k) == string(shared) {
		t.Fatal("a new folder reused the shared key")
	}
	if _, err := pf.Keychain.Get(ctx, keychain.ProviderAccount("openai")); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("a new folder took the shared API key: %v", err)
	}
	pf.Close()

	for _, tc := range []struct {
		dir, title string
		key        []byte
	}{{owner, "owner", shared}, {midRotation, "swapped before the crash", spare}, {sibling, "sibling", shared}} {
		p, err := Open(ctx, tc.dir, kc)
		if err != nil {
			t.Fatalf("%s: %v", tc.title, err)
		}
		t.Cleanup(func() { deleteAll(kc.ForProfile(p.ID)) })
		if chats, _ := p.DB.ListChats(ctx); len(chats) != 1 || chats[0].Title != tc.title {
			t.Fatalf("%s: chats %+v", tc.title, chats)
		}
		if k, _ := p.Keychain.LoadKey(ctx, keychain.AccountDBKey, store.KeySize); string(k) != string(tc.key) {
			t.Fatalf("%s: the adopted key is not the one that opens it", tc.title)
		}
		if v, _ := p.Keychain.Get(ctx, keychain.ProviderAccount("openai")); v != "sk-legacy" {
			t.Fatalf("%s: API key %q", tc.title, v)
		}
		if v, _ := p.Keychain.Get(ctx, keychain.AccountAPIToken); v != "legacy-token" {
			t.Fatalf("%s: token %q", tc.title, v)
		}
		if tc.dir == owner { // rotating and wiping the owner leaves its sibling's way in
			if p, err = Rotate(ctx, p); err != nil {
				t.Fatal(err)
			}
			p.Close()
			if _, err := Wipe(ctx, owner, kc, []string{"openai"}); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(DBPath(owner)); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("the wipe left the database")
			}
			continue
		}
		p.Close()
	}
	if v, _ := kc.Get(ctx, keychain.AccountDBKey); v != hex.EncodeToString(shared) {
		t.Fatal("the shared entry changed")
	}
}
