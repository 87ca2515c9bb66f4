package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := runDocs(context.Background(), Env{Args: args, Stdout: &out, Stderr: &errb})
	return out.String(), err
}

func TestDocsCommands(t *testing.T) {
	needKeychain(t)
	t.Setenv("SIDECAR_HOME", t.TempDir())
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "guide.md"), []byte("# Guide\n\nTo rotate the signing key run keytool rotate.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "photo.jpg"), []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), 0o644)

	out, err := run(t, "add", dir)
	if err != nil || !strings.Contains(out, "2 added, 0 updated, 0 unchanged, 1 skipped") || !strings.Contains(out, "photo.jpg") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	if out, _ := run(t, "add", dir); !strings.Contains(out, "0 added, 0 updated, 2 unchanged") {
		t.Fatalf("re-add: %s", out)
	}
	out, err = run(t, "list")
	if err != nil || !strings.Contains(out, "guide.md") || !strings.Contains(out, "markdown") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = run(t, "search", "rotate", "signing", "key", "--k", "1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var hits []struct {
		Document struct {
			ID     int64
			Source string
		}
		Chunk struct {
			LineStart int `json:"line_start"`
			LineEnd   int `json:"line_end"`
		}
		Score float64
		Text  string
	}
	if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) != 1 || !strings.HasSuffix(hits[0].Document.Source, "guide.md") ||
		hits[0].Score <= 0 || !strings.Contains(hits[0].Text, "keytool") || hits[0].Chunk.LineStart < 1 {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	if out, _ := run(t, "search", "keytool"); !strings.Contains(out, "**keytool**") {
		t.Fatalf("search text: %s", out)
	}
	if _, err := run(t, "rm", "abc"); !errors.Is(err, ErrUsage) {
		t.Fatalf("rm abc: %v", err)
	}
	if _, err := run(t, "rm", "9999"); err == nil {
		t.Fatal("rm of a missing document succeeded")
	}
	if out, err := run(t, "rm", "1"); err != nil || !strings.Contains(out, "removed document 1") {
		t.Fatalf("rm: %v %s", err, out)
	}
	if _, err := run(t, "frob"); !errors.Is(err, ErrUsage) {
		t.Fatalf("unknown subcommand: %v", err)
	}
}

// Escape sequences and bidi overrides in file names, headings and text
// reach the terminal as visible escapes, never raw.
func TestDocsOutputIsTerminalSafe(t *testing.T) {
	needKeychain(t)
	t.Setenv("SIDECAR_HOME", t.TempDir())
	dir := t.TempDir()
	name := "notes\x1b]0;owned\x07\u202egpj.md"
	body := "# Plan \x1b[2J\x1b]8;;http://evil\x1b\\\n\nThe zebra migration \x1b[31mstarts\u202e on monday.\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	if out, err := run(t, "add", dir); err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	list, err := run(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	search, err := run(t, "search", "zebra", "migration")
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]string{"list": list, "search": search} {
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("%s printed raw control characters: %q", what, out)
		}
		if !strings.Contains(out, `notes\x1b]0;owned\x07\u202egpj.md`) {
			t.Errorf("%s does not show the name escaped: %q", what, out)
		}
	}
	if !strings.Contains(search, `\x1b[31m`) || !strings.Contains(search, "zebra") {
		t.Errorf("search snippet: %q", search)
	}
}
