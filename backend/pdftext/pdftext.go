// Package pdftext reads the text layer of PDF files with PDFium compiled
// to WebAssembly and run by wazero, so a hostile file meets a sandbox: no
// file system, a fixed cap on the module's memory (MemoryCap), at most
// MaxConcurrent documents at once, and a hard stop: when the time runs out
// or the caller gives up, the module is closed, the call unwinds and its
// memory is handed back before Extract returns.
//
// The module (6 MB) is compiled on the first use only, once per process,
// and the machine code is kept in the user's cache folder, so later
// processes load it in a fraction of a second.
package pdftext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

const (
	// MemoryCap bounds one document's WebAssembly memory: PDFium's heap,
	// the file's copy and everything parsed from it.
	MemoryCap = 256 << 20
	// MaxConcurrent documents are read at once; more wait their turn.
	MaxConcurrent = 2
)

// Options bound one read.
type Options struct {
	Timeout  time.Duration // whole read; 0 means 30 s
	MaxText  int           // stop after this many bytes of text; 0 means no limit
	MaxPages int           // read at most this many pages; 0 means 10,000
}

// Result is a document's text, its pages separated by blank lines.
type Result struct {
	Text      string
	Pages     int    // pages in the document
	Read      int    // pages read
	MemoryTop uint64 // the largest the module's memory grew, in bytes
}

var (
	// ErrDamaged: PDFium could not open the file.
	ErrDamaged = errors.New("pdftext: damaged or unsupported PDF")
	// ErrPassword: the file is encrypted with a password.
	ErrPassword = errors.New("pdftext: the PDF is password-protected")
	// ErrMemory: reading needed more than MemoryCap.
	ErrMemory = errors.New("pdftext: the PDF needs more memory than allowed to read")
	// ErrTimeout: reading took longer than allowed.
	ErrTimeout = errors.New("pdftext: the PDF took too long to read")
)

// engine is the compiled module and its readers. Each of the
// MaxConcurrent slots holds a pool of one instance under a context of its
// own: cancelling that context is how a read is stopped (wazero then
// closes the module from inside the call, where it is safe), after which
// the slot's pool is closed and made anew on its next use, from the
// compiled code the runtimes share through one compilation cache.
type engine struct {
	once  sync.Once
	cache wazero.CompilationCache
	err   error
	alloc *allocator
	slots chan *slot

	instMu sync.Mutex // one instantiation at a time, so alloc.last is ours
}

type slot struct {
	pool   pdfium.Pool
	cancel context.CancelFunc
}

var eng = newEngine()

func newEngine() *engine {
	e := &engine{alloc: &allocator{limit: MemoryCap}, slots: make(chan *slot, MaxConcurrent)}
	for range MaxConcurrent {
		e.slots <- &slot{}
	}
	return e
}

// CacheDir is where the compiled module is kept: the user's cache
// folder, which holds nothing of the user's.
func CacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "Sidecar", "wasm")
}

// Prepare compiles the module now (or loads it from the cache) instead of
// on the first Extract.
func Prepare() error {
	s := <-eng.slots
	defer func() { eng.slots <- s }()
	return eng.open(s)
}

func (e *engine) runtimeConfig() wazero.RuntimeConfig {
	e.once.Do(func() {
		if dir := CacheDir(); dir != "" {
			e.cache, e.err = wazero.NewCompilationCacheWithDir(dir)
		}
		if e.cache == nil || e.err != nil {
			e.cache, e.err = wazero.NewCompilationCache(), nil
		}
	})
	return wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true).
		WithCompilationCache(e.cache)
}

// open makes the slot's pool if it has none.
func (e *engine) open(s *slot) error {
	if s.pool != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(experimental.WithMemoryAllocator(context.Background(), e.alloc))
	pool, err := webassembly.Init(webassembly.Config{
		Context:       ctx,
		MinIdle:       0,
		MaxIdle:       1,
		MaxTotal:      1,
		RuntimeConfig: e.runtimeConfig(),
		FSConfig:      wazero.NewFSConfig(), // nothing of the disk is visible
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if err != nil {
		cancel()
		return fmt.Errorf("pdftext: start PDFium: %w", err)
	}
	s.pool, s.cancel = pool, cancel
	return nil
}

// Running is the number of reads whose module call has not returned; a
// stopped read is over only when it is back to what it was.
func Running() int { return eng.alloc.running() }

// Extract returns the text of the PDF in data.
func Extract(ctx context.Context, data []byte, o Options) (Result, error) {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 10000
	}
	var s *slot
	select {
	case s = <-eng.slots:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	defer func() { eng.slots <- s }()
	if err := eng.open(s); err != nil {
		return Result{}, err
	}
	eng.instMu.Lock()
	inst, err := s.pool.GetInstanceWithContext(ctx)
	eng.alloc.mu.Lock()
	mem := eng.alloc.last
	eng.alloc.last = nil
	eng.alloc.mu.Unlock()
	eng.instMu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return Result{}, fmt.Errorf("pdftext: start a reader: %w", err)
	}
	done := make(chan outcome, 1)
	eng.alloc.enter()
	go func() {
		var res outcome
		func() {
			defer func() {
				if v := recover(); v != nil {
					res = outcome{err: fmt.Errorf("%w (%v)", ErrDamaged, v)}
				}
			}()
			r, err := read(inst, data, o)
			res = outcome{r, err}
		}()
		// The read counts as over before anyone hears of its end, so a
		// caller woken by done never sees it still running.
		eng.alloc.leave()
		done <- res
	}()
	timer := time.NewTimer(o.Timeout)
	defer timer.Stop()
	var out outcome
	select {
	case out = <-done:
		inst.Close()
	case <-timer.C:
		out = outcome{err: ErrTimeout}
		s.stop(inst, done)
	case <-ctx.Done():
		out = outcome{err: ctx.Err()}
		s.stop(inst, done)
	}
	if mem != nil {
		peak, refused := mem.stats()
		out.r.MemoryTop = peak
		if refused && out.err != nil && !errors.Is(out.err, ErrTimeout) && ctx.Err() == nil {
			out.err = fmt.Errorf("%w (%d MiB)", ErrMemory, MemoryCap>>20)
		}
	}
	return out.r, out.err
}

type outcome struct {
	r   Result
	err error
}

// stop ends a running read: it cancels the slot's context, which makes
// wazero close the module at the next function call or loop, waits until
// the call has returned, and closes the slot's pool.
func (s *slot) stop(inst pdfium.Pdfium, done <-chan outcome) {
	s.cancel()
	<-done
	inst.Close()
	s.pool.Close()
	s.pool, s.cancel = nil, nil
}
