package archtest

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Name       string
	Doc        string
	Deps       []string
	Imports    []string
}

func listPackages(t *testing.T, patterns ...string) []pkg {
	t.Helper()
	args := append([]string{"list", "-deps=false", "-json"}, patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// Building blocks must not depend on what is built from them.
func TestImportDirection(t *testing.T) {
	forbidden := []string{"sidecar/backend/assistant", "sidecar/backend/localapi", "sidecar/backend/cli", "github.com/wailsapp/wails"}
	blocks := []string{"store", "keychain", "llm", "gptj", "gptjrt", "models", "catalog", "docs", "applog", "profile", "download", "dataexport", "backup", "torchfile", "hfcache", "watch", "gitignore", "attach"}
	checked := 0
	for _, p := range listPackages(t, "sidecar/backend/...") {
		rel := strings.TrimPrefix(p.ImportPath, "sidecar/backend/")
		top, _, _ := strings.Cut(rel, "/")
		isBlock := false
		for _, b := range blocks {
			if top == b {
				isBlock = true
			}
		}
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "github.com/wailsapp/wails") {
				t.Errorf("%s imports Wails (%s): only main.go and app.go may", p.ImportPath, d)
			}
			if !isBlock {
				continue
			}
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("building block %s depends on %s", p.ImportPath, d)
				}
			}
		}
		if isBlock {
			checked++
		}
	}
	if checked < 5 {
		t.Fatalf("only %d building-block packages found: the test is not looking at the tree", checked)
	}
	// assistant itself must not reach up to the adapters either.
	for _, p := range listPackages(t, "sidecar/backend/assistant/...") {
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "sidecar/backend/localapi") || strings.HasPrefix(d, "sidecar/backend/cli") {
				t.Errorf("%s depends on %s", p.ImportPath, d)
			}
		}
	}
}

func TestEveryPackageHasDocComment(t *testing.T) {
	for _, p := range listPackages(t, "sidecar/...") {
		if strings.HasPrefix(p.ImportPath, "sidecar/tools") {
			continue
		}
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("package %s has no doc comment", p.ImportPath)
		}
	}
}

// package main is the thin shell: flags, wails.Run and one-line bound
// methods. It reaches the product only through the session and the
// command line.
func TestMainIsThin(t *testing.T) {
	pkgs := listPackages(t, "sidecar")
	if len(pkgs) != 1 {
		t.Fatalf("go list sidecar: %d packages", len(pkgs))
	}
	allowed := map[string]bool{"sidecar/backend/session": true, "sidecar/backend/cli": true}
	sawSession := false
	for _, imp := range pkgs[0].Imports {
		switch {
		case allowed[imp]:
			sawSession = sawSession || imp == "sidecar/backend/session"
		case strings.HasPrefix(imp, "github.com/wailsapp/wails/"):
		case !strings.Contains(strings.Split(imp, "/")[0], "."): // the standard library
			if strings.HasPrefix(imp, "sidecar/") {
				t.Errorf("package main imports %s: only the session and the command line", imp)
			}
		default:
			t.Errorf("package main imports %s: only the session, the command line and Wails", imp)
		}
	}
	if !sawSession {
		t.Error("package main does not import the session: the test is not looking at the shell")
	}
}

// Only the session opens the store: outside backend/session (and the
// packages that implement opening), no code calls profile.Open,
// profile.OpenWith or store.Open; tests may.
func TestOnlySessionOpensProfiles(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "sidecar").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root := strings.TrimSpace(string(out))
	opens := []string{"profile.Open(", "profile.OpenWith(", "store.Open("}
	mayOpen := []string{"backend/session", "backend/profile", "backend/store", "tools"}
	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			for _, m := range mayOpen {
				if rel == m || strings.HasPrefix(rel, m+"/") {
					return filepath.SkipDir
				}
			}
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "frontend" || d.Name() == "e2e" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for _, o := range opens {
			if strings.Contains(string(src), o) {
				t.Errorf("%s calls %s: open a profile through backend/session", rel, o)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 20 {
		t.Fatalf("only %d files scanned: the test is not looking at the tree", scanned)
	}
}
