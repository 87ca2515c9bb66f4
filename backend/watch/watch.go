// Package watch keeps the documents of watched folders in sync with the
// files on disk while Sidecar runs: new and changed files are chunked and
// embedded again, deleted ones removed, renamed ones moved without being
// embedded again when their content is unchanged (the store knows each
// document's SHA-256), .gitignore files respected. Change notifications
// come from fsnotify, one watch per folder (it is not recursive); a burst
// of them is debounced into one sync, and a periodic rescan catches what
// notifications miss, or stands in for them when the system's watch limit
// is reached. Every sync compares the whole folder with the store, so a
// sync cut short (pause, shutdown, a killed process) is completed by the
// next one; the folders and their paused flag live in the profile's store.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sidecar/backend/docs"
	"sidecar/backend/store"
)

// Status values of a folder's State.
const (
	Scanning = "scanning" // comparing the folder with the store
	Indexing = "indexing" // adding changed files (Done of Total)
	Ready    = "ready"    // up to date
	Paused   = "paused"
	Failed   = "error" // Error says why; the next change or rescan tries again
)

// State is what the Documents screen shows for a folder.
type State struct {
	ID     int64  `json:"id"`
	Path   string `json:"path"`
	Status string `json:"status"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Files  int    `json:"files"` // files of the folder kept as documents, after the last sync
	Error  string `json:"error"`
	// Polling: change notifications are not available (the system's watch
	// limit was reached); the folder is rescanned every RescanEvery.
	Polling  bool   `json:"polling"`
	Notice   string `json:"notice"`
	LastSync int64  `json:"lastSync"` // Unix ms of the last completed sync, 0 before
	// Seq orders a folder's states: of two, the higher one is newer (the
	// state a call returns may reach the screen after a later event).
	Seq int64 `json:"seq"`
}

// Options tune a Manager; zero values take the defaults.
type Options struct {
	Quiet       time.Duration // a sync starts once changes stop for this long (300 ms)
	MaxDelay    time.Duration // or at the latest this long after the first change of a burst (3 s)
	RescanEvery time.Duration // a full rescan this often whatever notifications say (2 min)
	// OnState is called with a folder's state each time it changes.
	OnState func(State)
	// OnDocuments is called when a sync changed documents.
	OnDocuments func()
	// OnFile is called after each file a sync handles, with its result.
	OnFile func(docs.Result)
	Log    *slog.Logger
}

// Manager runs the watched folders of one profile.
type Manager struct {
	db   *store.DB
	docs *docs.Service
	opt  Options

	seq     atomic.Int64
	mu      sync.Mutex
	ctx     context.Context //nolint:containedctx // Run's context, while it runs
	wg      sync.WaitGroup
	folders map[int64]*folder
}

// New returns a manager over the profile's store and documents; Run
// starts it.
func New(db *store.DB, d *docs.Service, opt Options) *Manager {
	if opt.Quiet <= 0 {
		opt.Quiet = 300 * time.Millisecond
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = 3 * time.Second
	}
	if opt.RescanEvery <= 0 {
		opt.RescanEvery = 2 * time.Minute
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	return &Manager{db: db, docs: d, opt: opt, folders: map[int64]*folder{}}
}

// Run watches every folder that is not paused until ctx ends, then waits
// for their syncs to stop.
func (m *Manager) Run(ctx context.Context) error {
	list, err := m.db.WatchedFolders(ctx)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	m.mu.Lock()
	m.ctx = ctx
	for _, wf := range list {
		m.folderLocked(wf)
	}
	for _, f := range m.folders { // with any added meanwhile
		if !f.paused {
			m.startLocked(f)
		}
	}
	m.mu.Unlock()
	<-ctx.Done()
	m.mu.Lock()
	m.ctx = nil
	m.mu.Unlock()
	m.wg.Wait()
	return nil
}

// folderLocked returns the folder for wf, making it if new. m.mu is held.
func (m *Manager) folderLocked(wf store.WatchedFolder) *folder {
	if f, ok := m.folders[wf.ID]; ok {
		return f
	}
	f := &folder{m: m, id: wf.ID, path: wf.Path, st: State{ID: wf.ID, Path: wf.Path, Status: Scanning}}
	if wf.Paused {
		f.st.Status, f.paused = Paused, true
	}
	m.folders[wf.ID] = f
	return f
}

// startLocked starts f's goroutine if Run is running. m.mu is held.
func (m *Manager) startLocked(f *folder) {
	if m.ctx == nil || f.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(m.ctx)
	f.cancel, f.done = cancel, make(chan struct{})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(f.done)
		f.run(ctx)
	}()
}

// stop cancels f's goroutine and waits for it to return.
func (f *folder) stop() {
	f.m.mu.Lock()
	cancel, done := f.cancel, f.done
	f.cancel, f.done = nil, nil
	f.m.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// ErrOverlap: a folder inside, or around, one already watched.
var ErrOverlap = errors.New("watch: overlaps a folder already watched")

// Add watches the folder at path (made absolute) and syncs it at once.
func (m *Manager) Add(ctx context.Context, path string) (State, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return State{}, fmt.Errorf("watch: %w", err)
	}
	abs = filepath.Clean(abs)
	fi, err := os.Stat(abs)
	if err != nil {
		return State{}, fmt.Errorf("watch: %w", err)
	}
	if !fi.IsDir() {
		return State{}, fmt.Errorf("watch: %s is not a folder", abs)
	}
	existing, err := m.db.WatchedFolders(ctx)
	if err != nil {
		return State{}, fmt.Errorf("watch: %w", err)
	}
	for _, e := range existing {
		if e.Path == abs {
			return m.state(e.ID), nil
		}
		if within(abs, e.Path) || within(e.Path, abs) {
			return State{}, fmt.Errorf("%w: %s and %s", ErrOverlap, abs, e.Path)
		}
	}
	wf, err := m.db.AddWatchedFolder(ctx, abs)
	if err != nil {
		return State{}, fmt.Errorf("watch: %w", err)
	}
	m.mu.Lock()
	f := m.folderLocked(wf)
	m.startLocked(f)
	st := f.state()
	m.mu.Unlock()
	m.notify(st)
	return st, nil
}

// within reports whether p is inside dir.
func within(p, dir string) bool {
	return strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// SetPaused pauses a folder (a sync under way stops; what it stored
// stays) or resumes it (a full sync first). The flag is kept in the store.
func (m *Manager) SetPaused(ctx context.Context, id int64, paused bool) (State, error) {
	if err := m.db.SetWatchedFolderPaused(ctx, id, paused); err != nil {
		return State{}, fmt.Errorf("watch: %w", err)
	}
	f, err := m.folder(ctx, id)
	if err != nil {
		return State{}, err
	}
	f.m.mu.Lock()
	f.paused = paused
	f.m.mu.Unlock()
	if paused {
		f.stop()
		f.set(func(s *State) {
			*s = State{ID: s.ID, Path: s.Path, Status: Paused, Files: s.Files, LastSync: s.LastSync}
		})
	} else {
		f.set(func(s *State) { s.Status = Scanning })
		m.mu.Lock()
		m.startLocked(f)
		m.mu.Unlock()
	}
	return f.state(), nil
}

// folder returns the folder with id, loading it from the store if Run
// has not yet.
func (m *Manager) folder(ctx context.Context, id int64) (*folder, error) {
	m.mu.Lock()
	f, ok := m.folders[id]
	m.mu.Unlock()
	if ok {
		return f, nil
	}
	list, err := m.db.WatchedFolders(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	for _, wf := range list {
		if wf.ID == id {
			m.mu.Lock()
			defer m.mu.Unlock()
			return m.folderLocked(wf), nil
		}
	}
	return nil, fmt.Errorf("watch: folder %d: %w", id, store.ErrNotFound)
}

// Remove stops watching a folder and deletes its documents. The folder
// is forgotten only once every document is gone, so a remove cut short
// can be repeated.
func (m *Manager) Remove(ctx context.Context, id int64) error {
	f, err := m.folder(ctx, id)
	if err != nil {
		return err
	}
	f.stop()
	stored, err := m.docs.StoredUnder(ctx, f.path)
	if err != nil {
		return err
	}
	for _, d := range stored {
		if err := m.docs.Delete(ctx, d.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if len(stored) > 0 && m.opt.OnDocuments != nil {
		m.opt.OnDocuments()
	}
	if err := m.db.DeleteWatchedFolder(ctx, id); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	m.mu.Lock()
	delete(m.folders, id)
	m.mu.Unlock()
	return nil
}

// States lists every watched folder's state, in the order they were added.
func (m *Manager) States(ctx context.Context) ([]State, error) {
	list, err := m.db.WatchedFolders(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]State, 0, len(list))
	for _, wf := range list {
		out = append(out, m.folderLocked(wf).state())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (m *Manager) state(id int64) State {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.folders[id]; ok {
		return f.state()
	}
	return State{ID: id}
}

func (m *Manager) notify(st State) {
	if m.opt.OnState != nil {
		m.opt.OnState(st)
	}
}
