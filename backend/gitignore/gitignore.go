// Package gitignore decides which paths of a folder tree its .gitignore
// files leave out: the root's and nested ones, each applying below its own
// folder, with globs (*, ?, [...], **), negation (!), folder-only patterns
// (a trailing /) and anchored patterns (a / at the start or in the middle),
// the last matching line winning, as git reads them. A path inside an
// ignored folder stays ignored whatever a later line says, as in git.
package gitignore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// FileName is the name of the files the rules are read from.
const FileName = ".gitignore"

// maxFileBytes bounds one .gitignore file; longer ones are read up to it.
const maxFileBytes = 1 << 20

// rule is one pattern line, relative to the folder of its file.
type rule struct {
	base     string   // folder of the file, slash separated, "" at the root
	segs     []string // anchored: the pattern's segments
	name     string   // not anchored: matched against the last element
	negate   bool
	dirOnly  bool
	anchored bool
}

// Matcher holds the rules of the .gitignore files added so far.
type Matcher struct {
	rules []rule
}

// Add reads the rules of one .gitignore file whose folder is base (slash
// separated, relative to the root; "" or "." for the root itself).
func (m *Matcher) Add(base string, content []byte) {
	base = strings.Trim(path.Clean("/"+filepath.ToSlash(base)), "/")
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, 4096), maxFileBytes)
	for sc.Scan() {
		if r, ok := parse(sc.Text()); ok {
			r.base = base
			m.rules = append(m.rules, r)
		}
	}
}

// Load adds root/rel/.gitignore if there is one.
func (m *Matcher) Load(root, rel string) error {
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel), FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gitignore: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxFileBytes)); err != nil {
		return fmt.Errorf("gitignore: %w", err)
	}
	m.Add(rel, buf.Bytes())
	return nil
}

// parse reads one line; ok is false for blank lines and comments.
func parse(line string) (rule, bool) {
	line = strings.TrimSuffix(line, "\r")
	// Trailing spaces are dropped unless escaped with a backslash.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return rule{}, false
	}
	var r rule
	switch {
	case strings.HasPrefix(line, "!"):
		r.negate, line = true, line[1:]
	case strings.HasPrefix(line, `\!`), strings.HasPrefix(line, `\#`):
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly, line = true, strings.TrimRight(line, "/")
	}
	if line == "" {
		return rule{}, false
	}
	line = strings.ReplaceAll(line, "[!", "[^") // git's class negation in path.Match's spelling
	if strings.Contains(line, "/") {
		r.anchored = true
		for _, seg := range strings.Split(strings.TrimPrefix(line, "/"), "/") {
			if seg == "**" && len(r.segs) > 0 && r.segs[len(r.segs)-1] == "**" {
				continue // a run of ** spans no more than one does
			}
			r.segs = append(r.segs, seg)
		}
	} else {
		r.name = line
	}
	return r, true
}

// Match reports whether rel (slash separated, relative to the root) is
// ignored by the rules, looking at rel alone: callers that walk the tree
// never reach the inside of an ignored folder. Ignored also checks the
// folders above rel.
func (m *Matcher) Match(rel string, dir bool) bool {
	out := false
	for i := range m.rules {
		r := &m.rules[i]
		if r.dirOnly && !dir {
			continue
		}
		p := rel
		if r.base != "" {
			if !strings.HasPrefix(rel, r.base+"/") {
				continue
			}
			p = rel[len(r.base)+1:]
		}
		if r.matches(p) {
			out = !r.negate
		}
	}
	return out
}

// Ignored reports whether rel is ignored, either itself or because a
// folder above it is.
func (m *Matcher) Ignored(rel string, dir bool) bool {
	rel = strings.Trim(path.Clean("/"+rel), "/")
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && m.Match(rel[:i], true) {
			return true
		}
	}
	return m.Match(rel, dir)
}

func (r *rule) matches(p string) bool {
	if !r.anchored {
		ok, _ := path.Match(r.name, path.Base(p))
		return ok
	}
	return matchSegs(r.segs, strings.Split(p, "/"))
}

// matchSegs matches pattern segments against path elements; a "**"
// segment spans any number of folders (zero included).
func matchSegs(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return len(parts) > 0 // "dir/**": everything inside, not dir itself
			}
			for i := 0; i <= len(parts); i++ {
				if matchSegs(pat[1:], parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], parts[0]); !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}
