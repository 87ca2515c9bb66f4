package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Name       string
	Doc        string
	Deps       []string
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
	blocks := []string{"store", "keychain", "llm", "gptj", "gptjrt", "models", "docs", "applog", "profile", "download", "dataexport", "backup"}
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
