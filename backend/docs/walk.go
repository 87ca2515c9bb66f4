package docs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sidecar/backend/gitignore"
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

// walk calls add for each file under root that is not ignored, and skip
// for entries it leaves out with a reason worth showing.
func walk(root string, add func(string, int64) error, skip func(string, string)) error {
	return Walk(root, WalkFuncs{File: add, Skip: skip})
}

// WalkFuncs receive what Walk finds; nil ones are not called.
type WalkFuncs struct {
	Dir  func(path string) error             // each folder walked into, root included
	File func(path string, size int64) error // each regular file kept
	Skip func(path, reason string)           // entries left out with a reason worth showing
}

// Walk visits the files under root that a folder add keeps: .gitignore
// files (root and nested) are respected, hidden entries and dependency
// folders are skipped, symlinks and devices are not followed. An error
// from a callback stops the walk and is returned.
func Walk(root string, fn WalkFuncs) error {
	var rules gitignore.Matcher
	if err := rules.Load(root, ""); err != nil && fn.Skip != nil {
		fn.Skip(filepath.Join(root, gitignore.FileName), "cannot read: "+err.Error())
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if fn.Skip != nil {
				fn.Skip(p, "cannot read: "+pathless(err))
			}
			if d != nil && d.IsDir() && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if p == root {
			if fn.Dir != nil {
				return fn.Dir(p)
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			if strings.HasPrefix(name, ".") || skipDirs[name] || rules.Match(rel, true) {
				return filepath.SkipDir
			}
			if err := rules.Load(root, rel); err != nil && fn.Skip != nil {
				fn.Skip(filepath.Join(p, gitignore.FileName), "cannot read: "+err.Error())
			}
			if fn.Dir != nil {
				return fn.Dir(p)
			}
			return nil
		}
		if strings.HasPrefix(name, ".") || rules.Match(rel, false) {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks and devices are not followed
		}
		fi, err := d.Info()
		if err != nil {
			if fn.Skip != nil {
				fn.Skip(p, "cannot read: "+pathless(err))
			}
			return nil
		}
		if fn.File != nil {
			return fn.File(p, fi.Size())
		}
		return nil
	})
}
