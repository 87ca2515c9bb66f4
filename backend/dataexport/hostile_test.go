package dataexport

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sidecar/backend/bombtest"
	"sidecar/backend/docs"
	"sidecar/backend/procmem"
	"sidecar/backend/store"
)

// withParts builds a well-formed archive (manifest sums and counts right)
// from the parts of a real export with some replaced.
func withParts(t *testing.T, base map[string][]byte, counts Counts, edit map[string][]byte) []byte {
	t.Helper()
	p := map[string][]byte{}
	for k, v := range base {
		p[k] = v
	}
	for k, v := range edit {
		p[k] = v
	}
	var m Manifest
	json.Unmarshal(p[PartManifest], &m)
	m.Counts = counts
	for _, name := range []string{PartChats, PartDocuments, PartSettings, PartPresets, PartAttachments} {
		if _, ok := p[name]; !ok {
			continue
		}
		sum := sha256.Sum256(p[name])
		m.SHA256[name] = hex.EncodeToString(sum[:])
	}
	p[PartManifest], _ = json.Marshal(m)
	return rezip(t, p, zip.Deflate)
}

// An archive that would point the user's providers, local API, models and
// backups elsewhere restores its chats, documents and theme, and nothing
// else: every other setting is listed as skipped and the profile's own
// settings are as they were.
func TestImportSkipsSecuritySettings(t *testing.T) {
	ctx := context.Background()
	src, srcDocs := newProfile(t)
	fill(t, src, srcDocs)
	good, m, _ := Export(ctx, src, "test", "", nil)
	hostile := map[string]string{
		"appearance.theme":            "dark",
		"provider.openai.base_url":    "https://collector.example/v1",
		"provider.anthropic.base_url": "https://collector.example",
		"localapi.enabled":            "true",
		"localapi.port":               "80",
		"localapi.origins":            `["https://evil.example"]`,
		"models.local":                `[{"id":"x","path":"/tmp/evil.bin"}]`,
		"models.downloads":            `{"x":{"url":"https://evil.example/m.bin"}}`,
		"docs.embedder":               "openai:text-embedding-3-small",
		"backup.dir":                  "/mnt/share/backups",
		"backup.daily":                "true",
		"retention.days":              "1",
		"some.future.setting":         "x",
	}
	settings, _ := json.Marshal(hostile)
	counts := m.Counts
	counts.Settings = len(hostile)
	archive := withParts(t, unzip(t, good), counts, map[string][]byte{PartSettings: settings})

	db, ds := newProfile(t)
	db.SetSetting(ctx, "provider.openai.base_url", "https://api.openai.com/v1") // the user's own
	rep, err := Import(ctx, db, ds, archive, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Chats != 2 || rep.Documents != 2 || rep.Settings != 1 {
		t.Errorf("report %+v, want 2 chats, 2 documents and the theme", rep)
	}
	var want []string
	for k := range hostile {
		if k != "appearance.theme" {
			want = append(want, k)
		}
	}
	if len(rep.SettingsSkipped) != len(want) {
		t.Errorf("skipped %v, want all of %v", rep.SettingsSkipped, want)
	}
	for _, k := range want {
		if !contains(rep.SettingsSkipped, k) {
			t.Errorf("%s not reported as skipped", k)
		}
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var k, v string
		rows.Scan(&k, &v)
		got[k] = v
	}
	rows.Close()
	delete(got, docs.SettingEmbedder) // written by the documents service itself
	wantDB := map[string]string{"appearance.theme": "dark", "provider.openai.base_url": "https://api.openai.com/v1"}
	if !reflect.DeepEqual(got, wantDB) {
		t.Errorf("settings after import = %v, want %v", got, wantDB)
	}
	// A theme value outside the known ones is skipped as well.
	if Importable("appearance.theme", "<script>") || !Importable("appearance.theme", "light") {
		t.Error("theme values are not checked")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// bombReport is what the child process of TestImportBombBounded tells.
type bombReport struct {
	ArchiveBytes     int
	Err              string
	BadArchive       bool
	PeakBefore, Peak int64
	Seconds          float64
	Chats, Documents int
}

// TestImportBombBounded imports, in a child process of its own (a clean
// peak RSS), an archive of a few MB whose documents.json holds one 600 MB
// document at a compression ratio of about 159 (under the 200 guard),
// with correct sums and counts: it is refused with a clear error, the
// process stays within a few hundred MB, and nothing is written.
func TestImportBombBounded(t *testing.T) {
	if os.Getenv("SIDECAR_IMPORTBOMB_CHILD") != "" {
		importBombChild()
		return
	}
	key := make([]byte, store.KeySize)
	rand.Read(key)
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportBombBounded$")
	cmd.Env = append(os.Environ(), "SIDECAR_IMPORTBOMB_CHILD=1", "SIDECAR_IMPORTBOMB_DB="+filepath.Join(t.TempDir(), store.FileName),
		fmt.Sprintf("SIDECAR_IMPORTBOMB_KEY=%x", key))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var rep bombReport
	line := out[strings.LastIndex(strings.TrimSpace(string(out)), "\n")+1:]
	if err := json.Unmarshal(line, &rep); err != nil {
		t.Fatalf("child said %q: %v", out, err)
	}
	t.Logf("a %d KB archive: %q in %.1f s; peak RSS %d MiB before, %d MiB after", rep.ArchiveBytes>>10, rep.Err, rep.Seconds, rep.PeakBefore>>20, rep.Peak>>20)
	if !rep.BadArchive || !strings.Contains(rep.Err, "MiB") {
		t.Errorf("err = %q, want a refusal that names the limit", rep.Err)
	}
	// One item in the decoder's buffer (which may double) and decoded,
	// plus room for the Go heap's own swings.
	if limit := rep.PeakBefore + raceFactor*(2*maxItemJSON+64<<20); rep.Peak > limit {
		t.Errorf("peak RSS %d MiB, over the bound of %d MiB", rep.Peak>>20, limit>>20)
	}
	if rep.Chats != 0 || rep.Documents != 0 {
		t.Errorf("the refused import wrote %d chats and %d documents", rep.Chats, rep.Documents)
	}
}

func importBombChild() {
	var rep bombReport
	report := func() {
		b, _ := json.Marshal(rep)
		fmt.Printf("\n%s\n", b)
		os.Exit(0)
	}
	var key []byte
	fmt.Sscanf(os.Getenv("SIDECAR_IMPORTBOMB_KEY"), "%x", &key)
	ctx := context.Background()
	db, err := store.Open(ctx, os.Getenv("SIDECAR_IMPORTBOMB_DB"), key)
	if err != nil {
		rep.Err = err.Error()
		report()
	}
	ds, err := docs.New(ctx, db, docs.Lexical{}, nil)
	if err != nil {
		rep.Err = err.Error()
		report()
	}
	archive := importBomb(600 << 20)
	rep.ArchiveBytes = len(archive)
	rep.PeakBefore = procmem.PeakRSS()
	start := time.Now()
	_, err = Import(ctx, db, ds, archive, "", nil)
	rep.Seconds = time.Since(start).Seconds()
	rep.Peak = procmem.PeakRSS()
	if err != nil {
		rep.Err, rep.BadArchive = err.Error(), errors.Is(err, ErrBadArchive)
	}
	chats, _ := db.ListChats(ctx)
	list, _ := ds.List(ctx)
	rep.Chats, rep.Documents = len(chats), len(list)
	report()
}

// importBomb is a valid-looking archive whose one document's content is n
// spaces, its documents.json deflated by hand.
func importBomb(n int64) []byte {
	prefix := []byte(`[{"source":"/home/u/big.txt","title":"big.txt","kind":"text","size":` + fmt.Sprint(n) +
		`,"sha256":"` + strings.Repeat("ab", 32) + `","content":"`)
	suffix := []byte(`","created_at":1,"updated_at":1,"chunks":[]}]`)
	// The part's CRC-32 and SHA-256, computed a megabyte at a time.
	crc, sh := crc32.NewIEEE(), sha256.New()
	crc.Write(prefix)
	sh.Write(prefix)
	block := bytes.Repeat([]byte(" "), 1<<20)
	for left := n; left > 0; left -= int64(len(block)) {
		b := block[:min(int64(len(block)), left)]
		crc.Write(b)
		sh.Write(b)
	}
	crc.Write(suffix)
	sh.Write(suffix)
	size := uint64(len(prefix)) + uint64(n) + uint64(len(suffix))
	raw := bombtest.RawDeflate(prefix, ' ', n, suffix)

	parts := map[string][]byte{PartChats: []byte("[]"), PartSettings: []byte("{}"), PartPresets: []byte("[]"), PartAttachments: []byte("[]")}
	m := Manifest{Format: Format, SchemaVersion: SchemaVersion, Counts: Counts{Documents: 1}, SHA256: map[string]string{PartDocuments: hex.EncodeToString(sh.Sum(nil))}}
	for name, b := range parts {
		s := sha256.Sum256(b)
		m.SHA256[name] = hex.EncodeToString(s[:])
	}
	parts[PartManifest], _ = json.Marshal(m)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for name, b := range parts {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: PartDocuments, Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(len(raw)), UncompressedSize64: size})
	w.Write(raw)
	zw.Close()
	return out.Bytes()
}
