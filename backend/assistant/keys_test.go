package assistant

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sidecar/backend/catalog"
	"sidecar/backend/keychain"
	"sidecar/backend/llm"
)

// fakeCloud accepts one key; its error on a bad key quotes the key, as a
// careless SDK might, to prove the catalogue scrubs it.
type fakeCloud struct {
	llm.Echo
	key, base string
}

func (f *fakeCloud) ID() string { return "fakecloud" }
func (f *fakeCloud) Models(context.Context) ([]llm.Model, error) {
	return []llm.Model{{ID: "big-1", Name: "Big 1"}}, nil
}
func (f *fakeCloud) CheckKey(context.Context) error {
	if f.key != "sk-good-0123456789wxyz" {
		return fmt.Errorf("401 invalid api key %s", f.key)
	}
	return nil
}

func realSecrets(t *testing.T) *keychain.Keychain {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under `make test`")
	}
	k := &keychain.Keychain{Service: fmt.Sprintf("SidecarAssistantTest-%d", os.Getpid()), Timeout: 10 * time.Second}
	t.Cleanup(func() { k.Delete(context.Background(), keychain.ProviderAccount("fakecloud")) })
	return k
}

func TestProviderKeysLiveOnlyInTheKeychain(t *testing.T) {
	ctx := context.Background()
	db, path, _ := openDB(t)
	secrets := realSecrets(t)
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	factory := catalog.CloudFactory{ID: "fakecloud", Name: "Fake Cloud", New: func(key, base string) (llm.Provider, error) {
		return &fakeCloud{key: key, base: base}, nil
	}}
	s.cat.EnableCloud(ctx, secrets, factory)

	const bad, good = "sk-bad-9999999999abcd", "sk-good-0123456789wxyz"
	_, err := s.cat.SetProviderKey(ctx, "fakecloud", bad, "")
	if err == nil || strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad key err = %v: want the provider's answer without the key", err)
	}
	if _, err := secrets.Get(ctx, keychain.ProviderAccount("fakecloud")); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("a rejected key was stored: %v", err)
	}
	if _, err := s.cat.SetProviderKey(ctx, "fakecloud", good, "ftp://x"); err == nil {
		t.Fatal("bad base URL accepted")
	}
	v, err := s.cat.SetProviderKey(ctx, "fakecloud", "  "+good+"\n", "https://gateway.example/v1")
	if err != nil {
		t.Fatal(err)
	}
	if v.KeyHint != "…wxyz" || !v.HasKey || v.BaseURL != "https://gateway.example/v1" {
		t.Fatalf("view = %+v", v)
	}
	models, _ := s.cat.Models(ctx)
	found := false
	for _, m := range models {
		found = found || m.ID == "fakecloud/big-1"
	}
	if !found {
		t.Fatalf("cloud models not offered: %+v", models)
	}
	if got, _ := secrets.Get(ctx, keychain.ProviderAccount("fakecloud")); got != good {
		t.Fatalf("keychain holds %q", got)
	}
	list, _ := s.cat.Providers(ctx)
	if len(list) != 1 || list[0].KeyHint != "…wxyz" || strings.Contains(fmt.Sprint(list), good) {
		t.Fatalf("providers = %+v", list)
	}

	// A restart finds the key in the keychain again.
	s2 := newService(db, nil, &llm.Echo{})
	s2.cat.EnableCloud(ctx, secrets, factory)
	if err := s2.SetChatModel(ctx, mustChat(t, s2), "fakecloud/big-1"); err != nil {
		t.Fatalf("provider not restored from keychain: %v", err)
	}
	s2.Close()

	if err := s.cat.RemoveProviderKey(ctx, "fakecloud"); err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.Get(ctx, keychain.ProviderAccount("fakecloud")); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("key survives removal: %v", err)
	}
	if models, _ := s.cat.Models(ctx); len(models) != 1 {
		t.Fatalf("models after removal = %+v", models)
	}

	// The key is in no row of the (decrypted) database: every text column
	// of every table is searched.
	tables, err := db.SQL().QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		if dumpContains(t, db.SQL(), n, good) > 0 {
			t.Fatalf("table %s holds the API key", n)
		}
	}
	// Nor the files (ciphertext, but also -wal and anything else there).
	db.Close()
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
		if bytes.Contains(b, []byte(good)) || bytes.Contains(b, []byte(bad)) {
			t.Fatalf("%s contains an API key", e.Name())
		}
	}
}

func mustChat(t *testing.T, s *Service) int64 {
	t.Helper()
	c, err := s.CreateChat(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func dumpContains(t *testing.T, sqldb *sql.DB, table, needle string) int {
	t.Helper()
	rows, err := sqldb.Query(fmt.Sprintf(`SELECT * FROM %q`, table))
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		rows.Scan(ptrs...)
		if strings.Contains(fmt.Sprint(vals...), needle) {
			n++
		}
	}
	return n
}
