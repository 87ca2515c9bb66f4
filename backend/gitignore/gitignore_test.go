package gitignore

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPatterns(t *testing.T) {
	var m Matcher
	m.Add("", []byte(`# comment
*.log
!keep.log
build/
/top.txt
docs/*.tmp
**/cache
out/**
a/**/z.md
\#hash
trailing   
[!x]y.bin
`))
	m.Add("sub", []byte("local.md\n/rooted.md\n!*.log\n"))
	cases := []struct {
		p    string
		dir  bool
		want bool
	}{
		{"x.log", false, true},
		{"deep/er/x.log", false, true},
		{"keep.log", false, false},
		{"build", true, true},
		{"build", false, false}, // folder-only pattern, a file of that name
		{"src/build", true, true},
		{"top.txt", false, true},
		{"sub/top.txt", false, false}, // anchored to the root
		{"docs/a.tmp", false, true},
		{"docs/x/a.tmp", false, false}, // * does not cross a slash
		{"cache", true, true},
		{"x/y/cache", true, true},
		{"out", true, false}, // out/** matches inside, not out itself
		{"out/a/b.md", false, true},
		{"a/z.md", false, true},
		{"a/b/c/z.md", false, true},
		{"b/z.md", false, false},
		{"#hash", false, true},
		{"trailing", false, true},
		{"ay.bin", false, true},
		{"xy.bin", false, false},
		{"sub/local.md", false, true},
		{"sub/deeper/local.md", false, true},
		{"local.md", false, false}, // the nested file applies below its folder only
		{"sub/rooted.md", false, true},
		{"sub/x/rooted.md", false, false},
		{"sub/x.log", false, false}, // re-included by the nested file, read later
		{"readme.md", false, false},
	}
	for _, c := range cases {
		if got := m.Match(c.p, c.dir); got != c.want {
			t.Errorf("Match(%q, dir=%v) = %v, want %v", c.p, c.dir, got, c.want)
		}
	}
}

// A file inside an ignored folder stays ignored even if a later line
// re-includes it, as in git.
func TestIgnoredFolderCannotBeReincluded(t *testing.T) {
	var m Matcher
	m.Add("", []byte("logs/\n!logs/important.txt\n"))
	if !m.Ignored("logs/important.txt", false) {
		t.Error("logs/important.txt re-included inside an ignored folder")
	}
	if m.Ignored("src/main.go", false) {
		t.Error("src/main.go ignored")
	}
	if !m.Ignored("a/logs/b/c.txt", false) {
		t.Error("a/logs/b/c.txt not ignored under an ignored folder")
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "n"), 0o755)
	os.WriteFile(filepath.Join(root, ".gitignore"), []byte("*.o\r\n"), 0o644)
	os.WriteFile(filepath.Join(root, "n", ".gitignore"), []byte("secret\n"), 0o644)
	var m Matcher
	for _, rel := range []string{"", "n", "missing"} {
		if err := m.Load(root, rel); err != nil {
			t.Fatal(err)
		}
	}
	if !m.Match("x.o", false) || !m.Match("n/secret", false) || m.Match("secret", false) {
		t.Errorf("loaded rules: %+v", m.rules)
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("a/**/b\n!c\n[", "a/x/b")
	f.Fuzz(func(t *testing.T, rules, p string) {
		var m Matcher
		m.Add("", []byte(rules))
		m.Ignored(p, false)
		m.Ignored(p, true)
	})
}
