package dataexport

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"sidecar/backend/docs"
	"sidecar/backend/store"
	"sidecar/backend/store/storetest"
)

func init() { kdfTime, kdfMemory, kdfThreads = 1, 64, 1 } // cheap KDF in tests

func newProfile(t *testing.T) (*store.DB, *docs.Service) {
	t.Helper()
	db := storetest.Open(t)
	ds, err := docs.New(context.Background(), db, docs.Lexical{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db, ds
}

func fill(t *testing.T, db *store.DB, ds *docs.Service) {
	t.Helper()
	ctx := context.Background()
	c, _ := db.CreateChat(ctx, "Deploys", "echo/echo")
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "when do we deploy? ✓"})
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "assistant", Content: "On Tuesdays [1].", Model: "echo/echo", CompletionTokens: 4, DurationMS: 120,
		Citations: `[{"n":1,"documentId":1,"title":"ops.md","source":"/x/ops.md","lineStart":1,"lineEnd":3,"heading":"Ops"}]`})
	temp := 0.4
	c2, _ := db.CreateChatWith(ctx, "Empty", "", store.ChatSettings{SystemPrompt: "Review <b>carefully</b>.", Temperature: &temp, MaxTokens: 300})
	_ = c2
	topP := 0.7
	if _, err := db.CreatePreset(ctx, "Pirate", store.ChatSettings{SystemPrompt: "Talk like a pirate.", TopP: &topP}); err != nil {
		t.Fatal(err)
	}
	db.SetSetting(ctx, "appearance.theme", "dark")
	db.SetSetting(ctx, "provider.openai.api_key", "sk-MUST-NOT-LEAK") // a careless setting: never exported
	ds.Add(ctx, "/x/ops.md", "ops.md", []byte("# Ops\n\nDeploys happen on Tuesdays.\n\n## Rollback\n\nUse the previous tag.\n"))
	ds.Add(ctx, "/x/main.go", "main.go", []byte("package main\n\nfunc main() {}\n"))
}

// content strips what legitimately differs between two exports.
func content(t *testing.T, data []byte, pass string) string {
	t.Helper()
	a, err := Read(data, pass)
	if err != nil {
		t.Fatal(err)
	}
	// Presets without their times: a new profile makes its starting
	// presets itself, so theirs are the importing profile's.
	presets := []Preset{}
	for _, p := range a.presets {
		p.CreatedAt, p.UpdatedAt = 0, 0
		presets = append(presets, p)
	}
	sort.Slice(presets, func(i, j int) bool { return presets[i].Name < presets[j].Name })
	b, _ := json.Marshal([]any{a.chats, a.docs, a.settings, a.manifest.Counts, presets})
	return string(b)
}

func TestRoundTripExactAndMerge(t *testing.T) {
	ctx := context.Background()
	db, ds := newProfile(t)
	fill(t, db, ds)
	var stages []string
	first, m, err := Export(ctx, db, "test", "", func(p Progress) { stages = append(stages, p.Stage) })
	if err != nil {
		t.Fatal(err)
	}
	if m.Counts != (Counts{Chats: 2, Messages: 2, Documents: 2, Chunks: m.Counts.Chunks, Settings: 1, Presets: 3}) || m.Counts.Chunks < 2 || len(stages) == 0 {
		t.Fatalf("manifest counts %+v stages %v", m.Counts, stages)
	}
	if bytes.Contains(first, []byte("sk-MUST-NOT-LEAK")) || bytes.Contains(first, []byte("api_key")) {
		t.Fatal("a secret setting was exported")
	}
	// Into an empty profile: exactly the same content comes back out.
	db2, ds2 := newProfile(t)
	rep, err := Import(ctx, db2, ds2, first, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Chats != 2 || rep.Messages != 2 || rep.Documents != 2 || rep.Settings != 1 || rep.Presets != 1 || rep.PresetsSkipped != 2 {
		t.Fatalf("report %+v", rep)
	}
	second, _, err := Export(ctx, db2, "test", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if content(t, first, "") != content(t, second, "") {
		t.Fatalf("round trip differs:\n%s\n%s", content(t, first, ""), content(t, second, ""))
	}
	if hits, _ := ds2.Search(ctx, "rollback previous tag", docs.SearchOptions{K: 1}); len(hits) != 1 || hits[0].Heading != "Ops > Rollback" {
		t.Fatalf("imported documents are not searchable: %+v", hits)
	}
	// Again into the same profile: nothing is duplicated.
	rep, err = Import(ctx, db2, ds2, first, "", nil)
	if err != nil || rep.Chats != 0 || rep.ChatsSkipped != 2 || rep.Documents != 0 || rep.DocumentsSkipped != 2 {
		t.Fatalf("merge: %+v %v", rep, err)
	}
	chats, _ := db2.ListChats(ctx)
	if len(chats) != 2 {
		t.Fatalf("chats after merge = %d", len(chats))
	}
}

func TestEncryptedArchive(t *testing.T) {
	ctx := context.Background()
	db, ds := newProfile(t)
	fill(t, db, ds)
	enc, _, err := Export(ctx, db, "test", "correct horse", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !IsEncrypted(enc) || bytes.Contains(enc, []byte("Tuesdays")) || bytes.Contains(enc, []byte("PK\x03\x04")) {
		t.Fatal("archive is not encrypted")
	}
	db2, ds2 := newProfile(t)
	if _, err := Import(ctx, db2, ds2, enc, "", nil); !errors.Is(err, ErrNeedPassphrase) {
		t.Fatalf("no passphrase: %v", err)
	}
	if _, err := Import(ctx, db2, ds2, enc, "wrong", nil); !errors.Is(err, ErrPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	for _, cut := range [][]byte{enc[:len(enc)-1], enc[:len(enc)/2], append(append([]byte{}, enc...), 'x')} {
		if _, err := Read(cut, "correct horse"); !errors.Is(err, ErrPassphrase) {
			t.Fatalf("damaged archive: %v", err)
		}
	}
	if chats, _ := db2.ListChats(ctx); len(chats) != 0 {
		t.Fatal("a refused import wrote chats")
	}
	if _, err := Import(ctx, db2, ds2, enc, "correct horse", nil); err != nil {
		t.Fatal(err)
	}
}

// rezip builds an archive from parts, for the hostile cases.
func rezip(t *testing.T, parts map[string][]byte, method uint16) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	return b.Bytes()
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		out[f.Name] = b.Bytes()
	}
	return out
}

func TestHostileArchivesChangeNothing(t *testing.T) {
	ctx := context.Background()
	db, ds := newProfile(t)
	fill(t, db, ds)
	good, _, _ := Export(ctx, db, "test", "", nil)
	base := unzip(t, good)
	with := func(edit func(map[string][]byte)) []byte {
		p := map[string][]byte{}
		for k, v := range base {
			p[k] = append([]byte(nil), v...)
		}
		edit(p)
		return rezip(t, p, zip.Deflate)
	}
	manifest := func(edit func(*Manifest)) func(map[string][]byte) {
		return func(p map[string][]byte) {
			var m Manifest
			json.Unmarshal(p[PartManifest], &m)
			edit(&m)
			p[PartManifest], _ = json.Marshal(m)
		}
	}
	bomb := bytes.Repeat([]byte(" "), 64<<20)
	cases := map[string][]byte{
		"zip slip":        with(func(p map[string][]byte) { p["../../evil.sh"] = []byte("x") }),
		"absolute path":   with(func(p map[string][]byte) { p["/etc/cron.d/x"] = []byte("x") }),
		"extra part":      with(func(p map[string][]byte) { p["notes.txt"] = []byte("x") }),
		"missing part":    with(func(p map[string][]byte) { delete(p, PartChats) }),
		"zip bomb":        with(func(p map[string][]byte) { p[PartSettings] = bomb }),
		"wrong schema":    with(manifest(func(m *Manifest) { m.SchemaVersion = 99 })),
		"schema 0":        with(manifest(func(m *Manifest) { m.SchemaVersion = 0 })),
		"v1 with presets": with(manifest(func(m *Manifest) { m.SchemaVersion = 1 })),
		"v2 no presets":   with(func(p map[string][]byte) { delete(p, PartPresets) }),
		"wrong format":    with(manifest(func(m *Manifest) { m.Format = "other" })),
		"wrong counts":    with(manifest(func(m *Manifest) { m.Counts.Chats++ })),
		"sha mismatch": with(func(p map[string][]byte) {
			p[PartChats] = bytes.Replace(p[PartChats], []byte("Deploys"), []byte("Hacked!"), 1)
		}),
		"malformed json": with(func(p map[string][]byte) { p[PartDocuments] = []byte("[{") }),
		"not a zip":      []byte("hello, this is not a zip"),
		"truncated":      good[:len(good)/2],
		"empty":          {},
	}
	db2, ds2 := newProfile(t)
	for name, data := range cases {
		_, err := Import(ctx, db2, ds2, data, "", nil)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrBadArchive) {
			t.Errorf("%s: err = %v, want ErrBadArchive", name, err)
		}
		if strings.Contains(err.Error(), "panic") {
			t.Errorf("%s: %v", name, err)
		}
	}
	chats, _ := db2.ListChats(ctx)
	list, _ := ds2.List(ctx)
	if len(chats) != 0 || len(list) != 0 {
		t.Fatalf("refused archives changed the profile: %d chats, %d documents", len(chats), len(list))
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("PK\x03\x04"), "")
	f.Add(append(append([]byte{}, magic...), make([]byte, 60)...), "p")
	f.Fuzz(func(t *testing.T, data []byte, pass string) {
		Read(data, pass) // must not panic
	})
}
