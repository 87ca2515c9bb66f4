// Package session owns one open profile: it opens the encrypted store
// (with the key from the OS keychain or a passphrase the caller asks for),
// builds the use cases over it, runs every background job (retention,
// backups, embedding, ingest, watched folders, the local API host) under one context, and
// closes, wipes, rotates or re-keys the profile after cancelling those jobs
// and waiting for them. The window, `sidecar serve` and every command of the
// command line open a profile through it.
package session

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"sidecar/backend/assistant"
	"sidecar/backend/catalog"
	"sidecar/backend/docs"
	"sidecar/backend/ggufrt"
	"sidecar/backend/gptjrt"
	"sidecar/backend/keychain"
	"sidecar/backend/llm"
	"sidecar/backend/profile"
	"sidecar/backend/store"
	"sidecar/backend/watch"
)

// Version is set at build time with -ldflags "-X sidecar/backend/session.Version=...".
var Version = "0.1.0-dev"

// Events delivers events to the UI; nil drops them.
type Events = assistant.Events

// Prompt asks the user for the passphrase of data in passphrase mode.
type Prompt func(ctx context.Context) (string, error)

// Options configure a Session.
type Options struct {
	Dir     string       // the data folder (profile.Dir())
	Log     *slog.Logger // nil: slog.Default()
	LogFile string       // shown on the status screen
	Events  Events
	// Passphrase is asked when the data is in passphrase mode; nil makes
	// Open fail with profile.ErrPassphraseNeeded (the window then asks).
	Passphrase Prompt
	// Keychain is the OS keychain the profile's key and secrets live in;
	// nil is s.opt.Keychain (tests give each their own service).
	Keychain *keychain.Keychain
	// Background runs the jobs that keep a long-lived profile tidy:
	// retention, daily backups, filling in missing vectors and, when the
	// user enabled it, the local API. One-shot commands leave it off.
	Background bool
}

// ErrNotOpen is returned by every call that needs the data while none is open.
var ErrNotOpen = errors.New("sidecar could not open your data; see the message on screen")

// Session is one data folder and, while it is open, its profile and jobs.
// Its methods are safe for concurrent use: calls that use the data hold a
// read lock, and what reopens the profile (wipe, key rotation, key mode)
// holds the write lock, after stopping every job.
type Session struct {
	opt Options
	log *slog.Logger

	mu      sync.RWMutex
	cur     *open // nil while nothing is open
	openErr error // why the last open failed
}

// open is an opened profile with what runs over it.
type open struct {
	prof *profile.Profile
	cat  *catalog.Catalog
	svc  *assistant.Service
	docs *docs.Service
	jobs *jobs
	api  apiHost
	emb  embedJob
	// watch keeps the watched folders in sync (running with Background).
	watch *watch.Manager
	// ingest is held while documents are being added (one at a time).
	ingest sync.Mutex
}

// New returns a Session for o.Dir; nothing is opened yet.
func New(o Options) *Session {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Keychain == nil {
		o.Keychain = keychain.New()
	}
	return &Session{opt: o, log: o.Log}
}

// Open opens the profile: with the key from the OS keychain, or in
// passphrase mode with the passphrase Options.Passphrase returns.
func Open(ctx context.Context, o Options) (*Session, error) {
	s := New(o)
	if err := s.Open(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Open opens the profile if it is not open yet.
func (s *Session) Open(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		return nil
	}
	prof, err := profile.OpenWith(ctx, s.opt.Dir, s.opt.Keychain, "")
	if errors.Is(err, profile.ErrPassphraseNeeded) && s.opt.Passphrase != nil {
		pass, perr := s.opt.Passphrase(ctx)
		if perr != nil {
			s.openErr = perr
			return perr
		}
		prof, err = profile.OpenWith(ctx, s.opt.Dir, s.opt.Keychain, pass)
	}
	return s.startLocked(ctx, prof, err)
}

// Unlock opens the data with the passphrase the user typed: data in
// passphrase mode or, on a first start without a keychain, new data
// protected by it. It does nothing if the data is open.
func (s *Session) Unlock(ctx context.Context, passphrase string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		return nil
	}
	if strings.TrimSpace(passphrase) == "" {
		return errors.New("type your passphrase")
	}
	prof, err := profile.OpenWith(ctx, s.opt.Dir, s.opt.Keychain, passphrase)
	if err != nil {
		s.log.Warn("unlock failed", "err", err)
		return err // the earlier reason stays on screen
	}
	return s.startLocked(ctx, prof, nil)
}

// startLocked builds the use cases over prof (or records err) and starts
// the jobs. s.mu is held.
func (s *Session) startLocked(ctx context.Context, prof *profile.Profile, err error) error {
	if err == nil {
		var o *open
		if o, err = s.build(ctx, prof); err == nil {
			s.cur, s.openErr = o, nil
			s.afterOpen(o)
			return nil
		}
	}
	s.openErr = err
	s.log.Error("cannot open the data folder", "dir", s.opt.Dir, "err", err)
	return err
}

// ModelsFolder is where downloaded models go, inside the data folder.
const ModelsFolder = catalog.ModelsFolder

// build makes the use cases over an opened profile; prof is closed if
// that fails.
func (s *Session) build(ctx context.Context, prof *profile.Profile) (*open, error) {
	cat := catalog.New(prof.DB, s.opt.Events, s.log, &llm.Echo{Delay: 25 * time.Millisecond})
	cat.EnableCloud(ctx, prof.Keychain, catalog.CloudFactories()...)
	cat.EnableLocal(filepath.Join(s.opt.Dir, ModelsFolder), ggufrt.Runtime{}, gptjrt.Runtime{})
	cat.EnableEmbeddings(s.opt.Dir)
	cat.SetDownloadCheck(catalogueCheck(prof.DB))
	ds, err := docs.New(ctx, prof.DB, chosenEmbedder(ctx, cat, prof), s.log)
	if err != nil {
		cat.Close()
		prof.Close()
		return nil, err
	}
	svc := assistant.New(prof.DB, cat, s.opt.Events, s.log)
	svc.EnableDocuments(ds)
	w := watch.New(prof.DB, ds, watch.Options{
		OnState:     func(st watch.State) { s.emit(EventDocsFolder, st) },
		OnDocuments: func() { s.emit(EventDocsChanged, nil) },
		Log:         s.log,
	})
	return &open{prof: prof, cat: cat, svc: svc, docs: ds, jobs: newJobs(), watch: w}, nil
}

// chosenEmbedder is the documents' embedding model the user picked, if it
// can run now, else the built-in one (whose vectors the embedding job
// then fills in).
func chosenEmbedder(ctx context.Context, cat *catalog.Catalog, prof *profile.Profile) docs.Embedder {
	if e, err := cat.Embedder(docs.ChosenEmbedder(ctx, prof.DB.SQL())); err == nil {
		return e
	}
	return docs.Lexical{}
}

// afterOpen starts what runs over open data.
func (s *Session) afterOpen(o *open) {
	if !s.opt.Background {
		return
	}
	o.jobs.goRun(func(ctx context.Context) { o.svc.RunRetention(ctx) })
	o.jobs.goRun(func(ctx context.Context) { runBackups(ctx, s, o) })
	// Fill in vectors the model in use lacks (a model whose key was removed
	// falls back to the built-in one, whose index is then rebuilt).
	s.startEmbedding(o, o.docs.Embedder())
	o.jobs.goRun(func(ctx context.Context) {
		if err := o.watch.Run(ctx); err != nil {
			s.log.Warn("watched folders did not start", "err", err)
		}
	})
	if set, err := o.svc.LocalAPISettings(o.jobs.ctx); err == nil && set.Enabled {
		s.applyAPI(o, set)
	}
}

// closeLocked stops every job, the API and the generations, then closes
// the store. s.mu is held.
func (s *Session) closeLocked() error {
	o := s.cur
	if o == nil {
		return nil
	}
	s.cur = nil
	o.jobs.stop()
	s.stopAPI(o)
	o.svc.Close()
	o.cat.Close()
	if o.prof.Closed() {
		return nil
	}
	return o.prof.Close()
}

// Close stops everything and closes the store.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.closeLocked()
	if err != nil {
		s.log.Error("closing the database failed", "err", err)
	}
	return err
}

// Dir is the data folder.
func (s *Session) Dir() string { return s.opt.Dir }

// use runs f over the open profile under the read lock.
func (s *Session) use(f func(o *open) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cur == nil {
		return ErrNotOpen
	}
	return f(s.cur)
}

// with is use for calls that return a value.
func with[T any](s *Session, f func(o *open) (T, error)) (T, error) {
	var out T
	err := s.use(func(o *open) error {
		var err error
		out, err = f(o)
		return err
	})
	return out, err
}

// emit sends an event to the UI, if there is one.
func (s *Session) emit(name string, data any) {
	if s.opt.Events != nil {
		s.opt.Events.Emit(name, data)
	}
}

// Status tells the UI whether the data could be opened, and if not, why
// and what to do.
type Status struct {
	Ready bool `json:"ready"`
	// NeedsPassphrase: the data is protected by a passphrase; Unlock opens it.
	NeedsPassphrase bool `json:"needsPassphrase"`
	// CanUsePassphrase: no keychain and no data yet; Unlock with a new
	// passphrase starts in passphrase mode.
	CanUsePassphrase bool   `json:"canUsePassphrase"`
	Error            string `json:"error"`
	Help             string `json:"help"`
	DataDir          string `json:"dataDir"`
	LogFile          string `json:"logFile"`
	Version          string `json:"version"`
}

// Status reports whether the data is open.
func (s *Session) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Status{Ready: s.cur != nil, DataDir: s.opt.Dir, LogFile: s.opt.LogFile, Version: Version}
	if err := s.openErr; err != nil && s.cur == nil {
		st.Error = err.Error()
		switch {
		case errors.Is(err, profile.ErrPassphraseNeeded):
			st.NeedsPassphrase, st.Error = true, ""
		case errors.Is(err, keychain.ErrUnavailable), errors.Is(err, keychain.ErrTimeout):
			st.Help = keychain.Help
			if _, err := os.Stat(profile.DBPath(s.opt.Dir)); errors.Is(err, os.ErrNotExist) {
				st.CanUsePassphrase = true
				st.Help += " Or protect your data with a passphrase instead: Sidecar then asks for it at every start."
			}
		case errors.Is(err, store.ErrWrongKey), errors.Is(err, profile.ErrKeyMissing):
			st.Help = "Your data file was left untouched. If you restored the keychain from a backup, restart Sidecar; " +
				"to start afresh, move " + profile.DBPath(s.opt.Dir) + " elsewhere."
		}
	}
	return st
}

// OpenErr is why the profile is not open (nil if it is).
func (s *Session) OpenErr() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cur != nil {
		return nil
	}
	return s.openErr
}

// Profile returns the open profile, for one-shot commands of the command
// line that work on the store itself; it is not guarded against a
// concurrent reopen, so long-lived callers use the methods instead.
func (s *Session) Profile() (*profile.Profile, error) {
	return with(s, func(o *open) (*profile.Profile, error) { return o.prof, nil })
}

// Docs returns the open profile's documents, on the same terms as Profile.
func (s *Session) Docs() (*docs.Service, error) {
	return with(s, func(o *open) (*docs.Service, error) { return o.docs, nil })
}
