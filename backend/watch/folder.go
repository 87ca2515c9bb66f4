package watch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"sidecar/backend/docs"
)

// folder is one watched folder while the manager knows it.
type folder struct {
	m    *Manager
	id   int64
	path string

	// Owned by the manager (m.mu): the running goroutine, if any.
	paused bool
	cancel context.CancelFunc
	done   chan struct{}

	stMu sync.Mutex
	st   State

	// Owned by the goroutine.
	seen    map[string]seenFile // files synced, with what they looked like then
	watched map[string]bool     // folders with a notification watch
	polling bool
}

// seenFile is a file as the last sync left it; kept: it is a document.
type seenFile struct {
	fileSig
	kept bool
}

// fileSig tells a file that did not change from one that may have.
type fileSig struct {
	size  int64
	mtime int64
}

func (f *folder) state() State {
	f.stMu.Lock()
	defer f.stMu.Unlock()
	return f.st
}

func (f *folder) set(change func(*State)) {
	f.stMu.Lock()
	change(&f.st)
	f.st.Seq = f.m.seq.Add(1)
	st := f.st
	f.stMu.Unlock()
	f.m.notify(st)
}

// addWatch adds a notification watch; tests replace it to stand in for
// the system's watch limit.
var addWatch = func(w *fsnotify.Watcher, dir string) error { return w.Add(dir) }

// run syncs the folder, then again after each burst of changes and at
// every rescan, until ctx ends.
func (f *folder) run(ctx context.Context) {
	f.seen, f.watched, f.polling = map[string]seenFile{}, map[string]bool{}, false
	changed := make(chan struct{}, 1)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		f.polling = true
		f.set(func(s *State) { s.Polling, s.Notice = true, "change notifications unavailable ("+err.Error()+")" })
	} else {
		defer w.Close()
		go forward(w, changed)
	}
	rescan := time.NewTicker(f.m.opt.RescanEvery)
	defer rescan.Stop()
	for {
		f.sync(ctx, w)
		select {
		case <-ctx.Done():
			return
		case <-rescan.C:
		case <-changed:
			if !f.settle(ctx, changed) {
				return
			}
		}
	}
}

// forward turns notifications into a signal on changed until w closes.
func forward(w *fsnotify.Watcher, changed chan<- struct{}) {
	for {
		select {
		case _, ok := <-w.Events:
			if !ok {
				return
			}
		case _, ok := <-w.Errors:
			if !ok {
				return
			}
			// An overflow lost events: a sync finds what they were.
		}
		select {
		case changed <- struct{}{}:
		default:
		}
	}
}

// settle waits for a burst of changes to stop (Quiet without one, or
// MaxDelay since the first); false if ctx ended.
func (f *folder) settle(ctx context.Context, changed <-chan struct{}) bool {
	latest := time.NewTimer(f.m.opt.MaxDelay)
	defer latest.Stop()
	quiet := time.NewTimer(f.m.opt.Quiet)
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-changed:
			quiet.Reset(f.m.opt.Quiet)
		case <-quiet.C:
			return true
		case <-latest.C:
			return true
		}
	}
}

// entry is a file of the folder as the walk found it.
type entry struct {
	path string
	sig  fileSig
}

// sync makes the store agree with the folder. Errors go to the state;
// the next change or rescan tries again.
func (f *folder) sync(ctx context.Context, w *fsnotify.Watcher) {
	f.set(func(s *State) { s.Status, s.Done, s.Total, s.Error = Scanning, 0, 0, "" })
	changedDocs, err := f.syncOnce(ctx, w)
	if changedDocs && f.m.opt.OnDocuments != nil {
		f.m.opt.OnDocuments()
	}
	if ctx.Err() != nil {
		return // paused or shutting down: the state says so already
	}
	if err != nil {
		f.m.opt.Log.Warn("watched folder sync failed", "folder", f.path, "err", err)
		f.set(func(s *State) { s.Status, s.Error = Failed, err.Error() })
		return
	}
	f.set(func(s *State) {
		s.Status, s.Done, s.Total, s.LastSync = Ready, 0, 0, time.Now().UnixMilli()
	})
}

func (f *folder) syncOnce(ctx context.Context, w *fsnotify.Watcher) (bool, error) {
	fi, err := os.Stat(f.path)
	if err != nil || !fi.IsDir() {
		// Never delete documents because a drive is not mounted.
		return false, fmt.Errorf("the folder cannot be read (%v); its documents are kept", errText(err, "not a folder"))
	}
	var files []entry
	var total int64
	dirs := map[string]bool{}
	err = docs.Walk(f.path, docs.WalkFuncs{
		Dir: func(p string) error {
			dirs[p] = true
			return ctx.Err()
		},
		File: func(p string, size int64) error {
			if len(files) >= docs.MaxFolderFiles {
				return fmt.Errorf("more than %d files: watch a smaller folder", docs.MaxFolderFiles)
			}
			if total += size; total > docs.MaxFolderBytes {
				return fmt.Errorf("more than %d MiB of files: watch a smaller folder", docs.MaxFolderBytes>>20)
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return nil // gone since the walk saw it
			}
			files = append(files, entry{p, fileSig{fi.Size(), fi.ModTime().UnixNano()}})
			return nil
		},
	})
	if err != nil {
		return false, err
	}
	f.watch(w, dirs)
	stored, err := f.m.docs.StoredUnder(ctx, f.path)
	if err != nil {
		return false, err
	}
	bySource := make(map[string]docs.Stored, len(stored))
	for _, d := range stored {
		bySource[d.Source] = d
	}
	onDisk := make(map[string]bool, len(files))
	var todo []entry
	for _, e := range files {
		onDisk[e.path] = true
		_, isStored := bySource[e.path]
		// Unchanged since the last sync, and stored if it was then (a
		// document removed by hand comes back: the folder is the truth).
		if old, ok := f.seen[e.path]; ok && old.fileSig == e.sig && (isStored || !old.kept) {
			continue
		}
		todo = append(todo, e)
	}
	// Documents whose file is gone: a rename's old name, unless a new file
	// with the same content claims it first; else deleted below.
	gone := map[string][]int64{}
	goneIDs := map[int64]bool{}
	for _, d := range stored {
		if !onDisk[d.Source] {
			gone[d.SHA256] = append(gone[d.SHA256], d.ID)
			goneIDs[d.ID] = true
		}
	}
	for p := range f.seen {
		if !onDisk[p] {
			delete(f.seen, p)
		}
	}
	changedDocs := false
	if len(todo) > 0 {
		f.set(func(s *State) { s.Status, s.Done, s.Total = Indexing, 0, len(todo) })
	}
	for i, e := range todo {
		if err := ctx.Err(); err != nil {
			return changedDocs, err
		}
		r, err := f.syncFile(ctx, e, bySource, gone, goneIDs)
		if err != nil {
			return changedDocs, err
		}
		if r.Outcome != docs.Unchanged && r.Outcome != docs.Skipped {
			changedDocs = true
		}
		if f.m.opt.OnFile != nil {
			f.m.opt.OnFile(r)
		}
		f.set(func(s *State) { s.Done = i + 1 })
	}
	for id := range goneIDs {
		if err := f.m.docs.Delete(ctx, id); err != nil {
			return changedDocs, err
		}
		changedDocs = true
	}
	f.set(func(s *State) { s.Files = len(files) })
	return changedDocs, nil
}

// Moved is the outcome of a renamed file whose document was kept.
const Moved = "moved"

// syncFile brings one new or possibly changed file into the store.
func (f *folder) syncFile(ctx context.Context, e entry, bySource map[string]docs.Stored, gone map[string][]int64, goneIDs map[int64]bool) (docs.Result, error) {
	data, skip := docs.ReadFile(e.path)
	if skip != nil {
		f.seen[e.path] = seenFile{e.sig, false}
		return *skip, nil
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if d, ok := bySource[e.path]; ok && d.SHA256 == sha {
		f.seen[e.path] = seenFile{e.sig, true}
		return docs.Result{Source: e.path, Outcome: docs.Unchanged, Document: d.ID}, nil
	}
	if _, ok := bySource[e.path]; !ok {
		for ids := gone[sha]; len(ids) > 0; ids = gone[sha] {
			id := ids[0]
			gone[sha] = ids[1:]
			if !goneIDs[id] {
				continue
			}
			delete(goneIDs, id)
			if err := f.m.docs.Move(ctx, id, e.path); err != nil {
				return docs.Result{}, err
			}
			f.seen[e.path] = seenFile{e.sig, true}
			return docs.Result{Source: e.path, Outcome: Moved, Document: id}, nil
		}
	}
	r, err := f.m.docs.Add(ctx, e.path, filepath.Base(e.path), data)
	if err != nil {
		return r, err
	}
	f.seen[e.path] = seenFile{e.sig, r.Outcome != docs.Skipped}
	return r, nil
}

// watch adds notification watches for new folders and drops those of
// folders gone or now ignored. At the system's limit it falls back to
// polling, which the state shows.
func (f *folder) watch(w *fsnotify.Watcher, dirs map[string]bool) {
	if w == nil || f.polling {
		return
	}
	for d := range f.watched {
		if !dirs[d] {
			w.Remove(d)
			delete(f.watched, d)
		}
	}
	for d := range dirs {
		if f.watched[d] {
			continue
		}
		if err := addWatch(w, d); err != nil {
			if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) {
				f.polling = true
				every := f.m.opt.RescanEvery.Round(time.Second)
				f.set(func(s *State) {
					s.Polling = true
					s.Notice = fmt.Sprintf("the system's limit of watched folders is reached: checking for changes every %v instead", every)
				})
				return
			}
			continue // a folder removed since the walk
		}
		f.watched[d] = true
	}
}

func errText(err error, def string) string {
	if err == nil {
		return def
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
