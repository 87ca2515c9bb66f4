package docs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/store"
	"sidecar/backend/store/storetest"
)

func openStore(t testing.TB) *store.DB {
	t.Helper()
	db := storetest.Open(t)
	return db
}

// minimalPDF builds a valid one-page PDF showing lines of text.
func minimalPDF(lines ...string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 12 Tf 72 720 Td 14 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// corpus writes a small project: docs, code, a web page, a PDF, plus files
// that must be left out.
func corpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"README.md":         "# Widget service\n\nThe widget service stores widgets.\n\n## Install\n\n### Linux\n\nRun `make install` and then start the daemon with systemd.\n\n### macOS\n\nUse Homebrew: brew install widget.\n\n## Configuration\n\nThe port is set with WIDGET_PORT; the default is 7070.\n",
		"server/handler.go": "package server\n\nimport \"net/http\"\n\n// ServeWidgets lists widgets as JSON.\nfunc ServeWidgets(w http.ResponseWriter, r *http.Request) {\n\tw.Header().Set(\"Content-Type\", \"application/json\")\n\tw.Write([]byte(`[]`))\n}\n\n// retryBackoff doubles the delay after each failed attempt.\nfunc retryBackoff(attempt int) int {\n\treturn 100 << attempt\n}\n",
		"tools/cleanup.py":  "import os\n\n\ndef remove_stale_caches(root):\n    \"\"\"Delete cache folders older than a week.\"\"\"\n    for name in os.listdir(root):\n        pass\n\n\nclass Inventory:\n    def count_items(self):\n        return 0\n",
		"site/faq.html":     "<html><head><title>FAQ</title><script>alert('x')</script><style>p{}</style></head><body><h1>FAQ</h1><p>Refunds are processed within five business days.</p><h2>Shipping</h2><p>We ship to Iceland and Norway.</p></body></html>",
		"notes/meeting.txt": "Decided to migrate the billing database to PostgreSQL next quarter.\n",
		".gitignore":        "secret.txt\nbuild-output/\n*.log\n",
		"secret.txt":        "password hunter2\n",
		"debug.log":         "noise\n",
		"build-output/x.md": "# generated\n",
		"image.png":         "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"blob.bin":          "abc\x00\x01\x02def",
		"sub/.gitignore":    "draft.md\n",
		"sub/draft.md":      "# Draft\nnot ready\n",
		"sub/final.md":      "# Final\nThe launch date is the first of March.\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "reports/q3.pdf"), nil, 0)
	os.MkdirAll(filepath.Join(dir, "reports"), 0o755)
	os.WriteFile(filepath.Join(dir, "reports/q3.pdf"), minimalPDF("Quarterly report", "Revenue grew by twelve percent in the third quarter."), 0o644)
	return dir
}

func TestIngestFolderAndHybridSearch(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	s, err := New(ctx, db, Lexical{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := corpus(t)
	var last Progress
	results, err := s.AddPaths(ctx, []string{dir}, func(p Progress) { last = p })
	if err != nil {
		t.Fatal(err)
	}
	outcome := map[string]Result{}
	for _, r := range results {
		rel, _ := filepath.Rel(dir, r.Source)
		outcome[filepath.ToSlash(rel)] = r
	}
	for _, want := range []string{"README.md", "server/handler.go", "tools/cleanup.py", "site/faq.html", "notes/meeting.txt", "reports/q3.pdf", "sub/final.md"} {
		if outcome[want].Outcome != Added {
			t.Errorf("%s: %+v, want added", want, outcome[want])
		}
	}
	for _, gone := range []string{"secret.txt", "debug.log", "build-output/x.md", "sub/draft.md", ".gitignore"} {
		if _, ok := outcome[gone]; ok {
			t.Errorf("%s was not ignored: %+v", gone, outcome[gone])
		}
	}
	for _, bin := range []string{"image.png", "blob.bin"} {
		if r := outcome[bin]; r.Outcome != Skipped || !strings.Contains(r.Reason, "binary") {
			t.Errorf("%s: %+v, want skipped as binary", bin, r)
		}
	}
	if last.Files != 9 || last.FilesTotal != 9 || last.Chunks == 0 {
		t.Errorf("last progress = %+v", last)
	}

	// Questions whose answer is in a known file: found in the top 3.
	cases := []struct{ q, file string }{
		{"how do I install on linux", "README.md"},
		{"which port does the widget service use", "README.md"},
		{"retry backoff delay", "server/handler.go"},
		{"remove stale caches", "tools/cleanup.py"},
		{"how long do refunds take", "site/faq.html"},
		{"revenue growth third quarter", "reports/q3.pdf"},
		{"billing database migration", "notes/meeting.txt"},
		{"launch date", "sub/final.md"},
	}
	found := 0
	for _, c := range cases {
		hits, err := s.Search(ctx, c.q, SearchOptions{K: 3})
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, h := range hits {
			ok = ok || strings.HasSuffix(h.Source, c.file)
		}
		if ok {
			found++
		} else {
			t.Logf("%q: want %s in top 3, got %v", c.q, c.file, sources(hits))
		}
	}
	recall := float64(found) / float64(len(cases))
	t.Logf("recall@3 = %.2f", recall)
	if recall < 0.99 {
		t.Errorf("recall@3 = %.2f on the test corpus", recall)
	}

	// The Markdown heading path, exact lines and a highlighted snippet.
	hits, _ := s.Search(ctx, "Homebrew", SearchOptions{K: 1})
	if len(hits) != 1 || hits[0].Heading != "Widget service > Install > macOS" || hits[0].LineStart != 11 || hits[0].LineEnd != 13 ||
		!strings.Contains(hits[0].Snippet, store.MarkStart+"Homebrew"+store.MarkEnd) {
		t.Fatalf("hit = %+v", hits)
	}
	// Filters.
	hits, _ = s.Search(ctx, "widget", SearchOptions{K: 10, Folder: filepath.Join(dir, "server")})
	for _, h := range hits {
		if !strings.Contains(h.Source, "/server/") {
			t.Errorf("folder filter let through %s", h.Source)
		}
	}
	if len(hits) == 0 {
		t.Error("folder filter found nothing")
	}
	readme := outcome["README.md"].Document
	hits, _ = s.Search(ctx, "widget", SearchOptions{K: 10, DocumentIDs: []int64{readme}})
	for _, h := range hits {
		if h.DocumentID != readme {
			t.Errorf("document filter let through %s", h.Source)
		}
	}
	// The HTML page lost its script.
	f, _ := s.Get(ctx, outcome["site/faq.html"].Document)
	if strings.Contains(f.Text, "alert") || !strings.Contains(f.Text, "# FAQ") {
		t.Errorf("html text = %q", f.Text)
	}
	// Context for the chat: numbered, within budget.
	used, text, err := s.Context(ctx, "how do I install on linux", 200, SearchOptions{})
	if err != nil || len(used) == 0 || !strings.HasPrefix(text, "[1] README.md") {
		t.Fatalf("context = %d %q %v", len(used), text, err)
	}
}

func sources(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, filepath.Base(h.Source))
	}
	return out
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDedupeReplaceDelete(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	s, _ := New(ctx, db, Lexical{}, nil)
	r1, err := s.Add(ctx, "/p/a.md", "a.md", []byte("# A\nalpha bravo charlie\n"))
	if err != nil || r1.Outcome != Added {
		t.Fatalf("%+v %v", r1, err)
	}
	if r, _ := s.Add(ctx, "/p/a.md", "a.md", []byte("# A\nalpha bravo charlie\n")); r.Outcome != Unchanged {
		t.Fatalf("same file again: %+v", r)
	}
	if r, _ := s.Add(ctx, "/q/copy.md", "copy.md", []byte("# A\nalpha bravo charlie\n")); r.Outcome != Skipped || !strings.Contains(r.Reason, "/p/a.md") {
		t.Fatalf("duplicate content: %+v", r)
	}
	r2, _ := s.Add(ctx, "/p/a.md", "a.md", []byte("# A\ndelta echo foxtrot\n\n# B\ngolf hotel\n"))
	if r2.Outcome != Updated || r2.Document != r1.Document {
		t.Fatalf("changed file: %+v", r2)
	}
	if hits, _ := s.Search(ctx, "bravo", SearchOptions{}); len(hits) != 0 && strings.Contains(hits[0].Text, "bravo") {
		t.Fatalf("old chunks still searchable: %+v", hits)
	}
	if hits, _ := s.Search(ctx, "foxtrot", SearchOptions{}); len(hits) == 0 {
		t.Fatal("new chunks not searchable")
	}
	if err := s.Delete(ctx, r1.Document); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM documents`:                                0,
		`SELECT count(*) FROM chunks`:                                   0,
		`SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'golf'`: 0,
		`SELECT count(*) FROM ` + s.model.table:                         0,
		`SELECT count(*) FROM ` + s.model.floatTable():                  0,
	} {
		if n := count(t, db, q); n != want {
			t.Errorf("%s = %d after delete", q, n)
		}
	}
	if err := s.Delete(ctx, r1.Document); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestHostileInputsAreSkipped(t *testing.T) {
	ctx := context.Background()
	for name, data := range map[string][]byte{
		"broken.pdf":  []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"),
		"empty.pdf":   minimalPDF(),
		"garbage.pdf": append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0xff, 0x00, 0x13}, 500)...),
		"latin1.txt":  bytes.Repeat([]byte("caf\xe9 "), 300),
	} {
		_, err := Extract(ctx, name, data)
		if !errors.Is(err, ErrSkipped) {
			t.Errorf("%s: err = %v, want a skip with a reason", name, err)
		}
	}
	deep := strings.Repeat("<div>", 20000) + "text" + strings.Repeat("</div>", 20000)
	if ex, err := Extract(ctx, "deep.html", []byte(deep)); err != nil || !strings.Contains(ex.Text, "text") {
		t.Errorf("deep html: %v", err)
	}
}
