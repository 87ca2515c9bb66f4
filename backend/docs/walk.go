package docs

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits for adding folders.
const (
	MaxFolderFiles = 5000
	MaxFolderBytes = 500 << 20
)

// skipDirs are never walked into.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, "__pycache__": true, ".venv": true, "venv": true, "dist": true, "build": true, "target": true, ".idea": true, ".vscode": true}

// AddPaths adds files and whole folders. In folders, .gitignore files are
// respected (nested ones too), hidden entries and dependency folders are
// skipped, and the file count and total size are bounded. Every file gets
// a Result; progress is called after each file.
func (s *Service) AddPaths(ctx context.Context, paths []string, progress func(Progress)) ([]Result, error) {
	var files []string
	var results []Result
	var total int64
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("docs: %w", err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			results = append(results, Result{Source: abs, Outcome: Skipped, Reason: "cannot read: " + pathless(err)})
			continue
		}
		if !fi.IsDir() {
			files = append(files, abs)
			continue
		}
		err = walk(abs, func(f string, size int64) error {
			if len(files) >= MaxFolderFiles {
				return fmt.Errorf("docs: %s has more than %d files: add a smaller folder", abs, MaxFolderFiles)
			}
			total += size
			if total > MaxFolderBytes {
				return fmt.Errorf("docs: %s holds more than %d MiB of files: add a smaller folder", abs, MaxFolderBytes>>20)
			}
			files = append(files, f)
			return nil
		}, func(f, reason string) { results = append(results, Result{Source: f, Outcome: Skipped, Reason: reason}) })
		if err != nil {
			return results, err
		}
	}
	chunks := 0
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		if progress != nil {
			progress(Progress{Files: i, FilesTotal: len(files), Chunks: chunks, Current: f})
		}
		r := Result{Source: f}
		fi, err := os.Stat(f)
		switch {
		case err != nil:
			r.Outcome, r.Reason = Skipped, "cannot read: "+pathless(err)
		case fi.Size() > MaxFileBytes:
			r.Outcome, r.Reason = Skipped, fmt.Sprintf("larger than %d MiB", MaxFileBytes>>20)
		default:
			data, err := os.ReadFile(f)
			if err != nil {
				r.Outcome, r.Reason = Skipped, "cannot read: "+pathless(err)
				break
			}
			r, err = s.Add(ctx, f, filepath.Base(f), data)
			if err != nil {
				return results, err
			}
		}
		chunks += r.Chunks
		results = append(results, r)
	}
	if progress != nil {
		progress(Progress{Files: len(files), FilesTotal: len(files), Chunks: chunks})
	}
	return results, nil
}

func pathless(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// ignoreRule is one line of a .gitignore, relative to its folder.
type ignoreRule struct {
	base     string // folder of the .gitignore, relative to the root, "" at the root
	pattern  string
	negate   bool
	dirOnly  bool
	anchored bool // contains a slash: matches from base, not at any depth
}

func readIgnore(root, rel string) []ignoreRule {
	f, err := os.Open(filepath.Join(root, rel, ".gitignore"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []ignoreRule
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), " \t\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		r := ignoreRule{base: filepath.ToSlash(rel)}
		if strings.HasPrefix(l, "!") {
			r.negate, l = true, l[1:]
		}
		if strings.HasSuffix(l, "/") {
			r.dirOnly, l = true, strings.TrimSuffix(l, "/")
		}
		if strings.Contains(l, "/") {
			r.anchored = true
			l = strings.TrimPrefix(l, "/")
		}
		r.pattern = l
		out = append(out, r)
	}
	return out
}

// ignored applies rules in order (the last match wins) to rel (slash
// separated, relative to the root).
func ignored(rules []ignoreRule, rel string, dir bool) bool {
	out := false
	for _, r := range rules {
		if r.dirOnly && !dir {
			continue
		}
		p := rel
		if r.base != "" && r.base != "." {
			if !strings.HasPrefix(rel, r.base+"/") {
				continue
			}
			p = strings.TrimPrefix(rel, r.base+"/")
		}
		if matchGlob(r.pattern, p, r.anchored) {
			out = !r.negate
		}
	}
	return out
}

// matchGlob matches a gitignore pattern: without a slash it matches the
// last element at any depth; with one, the whole path; ** spans folders.
func matchGlob(pattern, p string, anchored bool) bool {
	if !anchored {
		ok, _ := path.Match(pattern, path.Base(p))
		return ok
	}
	if strings.Contains(pattern, "**") {
		return matchDoubleStar(strings.Split(pattern, "/"), strings.Split(p, "/"))
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

func matchDoubleStar(pat, parts []string) bool {
	if len(pat) == 0 {
		return len(parts) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(parts); i++ {
			if matchDoubleStar(pat[1:], parts[i:]) {
				return true
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], parts[0])
	return ok && matchDoubleStar(pat[1:], parts[1:])
}

// walk calls add for each file under root that is not ignored, and skip
// for entries it leaves out with a reason worth showing.
func walk(root string, add func(string, int64) error, skip func(string, string)) error {
	rules := readIgnore(root, "")
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			skip(p, "cannot read: "+pathless(err))
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			if strings.HasPrefix(name, ".") || skipDirs[name] || ignored(rules, rel, true) {
				return filepath.SkipDir
			}
			rules = append(rules, readIgnore(root, rel)...)
			return nil
		}
		if strings.HasPrefix(name, ".") || ignored(rules, rel, false) {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks and devices are not followed
		}
		fi, err := d.Info()
		if err != nil {
			skip(p, "cannot read: "+pathless(err))
			return nil
		}
		return add(p, fi.Size())
	})
}
