// Package store keeps everything the user owns (chats, messages, documents,
// chunks, vectors, settings) in one SQLite file encrypted with Adiantum.
//
// The file is opened through ncruces/go-sqlite3's "adiantum" VFS with a
// 32-byte key; every page, the WAL included, is ciphertext on disk. The
// SQLite build embedded here includes sqlite-vec and FTS5.
package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	sqlitevec "github.com/asg017/sqlite-vec-go-bindings/ncruces"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	_ "github.com/ncruces/go-sqlite3/vfs/adiantum" // registers the "adiantum" VFS
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// KeySize is the length of the database key in bytes.
const KeySize = 32

// FileName is the database's file name inside the data folder.
const FileName = "sidecar.db"

// Errors callers can test for with errors.Is.
var (
	// ErrWrongKey means the file exists but cannot be decrypted with the
	// key given: either the key is wrong or the file is damaged.
	ErrWrongKey = errors.New("the database cannot be decrypted: wrong key or damaged file")
	// ErrBadKey means the key does not have KeySize bytes.
	ErrBadKey = errors.New("the database key must be 32 bytes")
	// ErrNotFound is returned when a row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrTooNew means the file was written by a newer Sidecar.
	ErrTooNew = errors.New("the database was created by a newer version of Sidecar")
)

var _ = sqlitevec.SerializeFloat32 // the import installs the SQLite build with sqlite-vec

var configureOnce sync.Once

// configure sets the Wasm runtime up for sqlite-vec: it needs threads
// (atomics) and enough memory for the vector tables. It must run before
// the first connection is opened. go.mod holds wazero at v1.9.0 or later:
// v1.8.2's compiler traps ("out of bounds memory access") committing an
// FTS5 write on some x86-64 machines, which every store test catches.
//
// It also compiles SQLite now, keeping the native code in WasmCacheDir
// for the next start (see wasmcache.go): unless another process is
// filling that cache, whose lock then leaves this one compiling in memory.
func configure() {
	configureOnce.Do(func() {
		cfg := wazero.NewRuntimeConfig().
			WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesThreads).
			WithMemoryLimitPages(16384) // 1 GiB per connection, reserved lazily
		dir := WasmCacheDir()
		release, locked := lockWasmCache(dir)
		if !locked {
			sqlite3.RuntimeConfig = cfg
			return
		}
		defer release()
		cache, _ := openWasmCache(dir)
		if cache != nil {
			// Compile once through the cache in a runtime of its own
			// first: wazero fails a compile whose cache write fails (a
			// full disk), and sqlite3.Initialize keeps its first error
			// for good. A failed write leaves the cache out, so the data
			// still opens, compiled in memory.
			if err := compileInto(cfg.WithCompilationCache(cache)); err != nil {
				cache.Close(context.Background())
				os.RemoveAll(dir)
				cache = nil
			} else {
				cfg = cfg.WithCompilationCache(cache)
			}
		}
		sqlite3.RuntimeConfig = cfg
		if err := sqlite3.Initialize(); err == nil && cache != nil {
			sealWasmCache(dir) // an unsealed cache is emptied at the next start
		}
	})
}

// compileInto compiles the SQLite build with cfg in a runtime that is
// closed again, filling cfg's compilation cache.
func compileInto(cfg wazero.RuntimeConfig) error {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	defer rt.Close(ctx)
	_, err := rt.CompileModule(ctx, sqlite3.Binary)
	return err
}

// DB is an open, migrated Sidecar database.
type DB struct {
	sql  *sql.DB
	path string
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// SQL exposes the underlying handle for packages that own their own tables
// (documents, vectors). Callers must not change the schema outside migrations.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database; the WAL is checkpointed by SQLite.
func (db *DB) Close() error {
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Open opens the database at path with key, creating it (mode 0600, parent
// folder 0700) when it does not exist, and applies pending migrations.
// An existing file that cannot be decrypted yields ErrWrongKey and is never
// written to.
func Open(ctx context.Context, path string, key []byte) (*DB, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("store: open: %w (got %d)", ErrBadKey, len(key))
	}
	configure()
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: open: create folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: open: folder permissions: %w", err)
	}
	mode := "rw"
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		mode = "rwc"
		// Create the empty file ourselves so it is 0600 from the start.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: open: create file: %w", err)
		}
		f.Close()
	case err != nil:
		return nil, fmt.Errorf("store: open: %w", err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("store: open: %s is not a regular file", path)
	case fi.Size() > 0 && fi.Size() < 512:
		return nil, fmt.Errorf("store: open: %w (file is %d bytes)", ErrWrongKey, fi.Size())
	}
	// The key never goes into the URI (where other code could read it back
	// from the file name); each connection sets it first thing.
	hexKey := hex.EncodeToString(key)
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path),
		RawQuery: "vfs=adiantum&mode=" + mode + "&_txlock=immediate"}).String()
	db, err := driver.Open(dsn, func(c *sqlite3.Conn) error {
		if err := c.Exec("PRAGMA hexkey='" + hexKey + "'"); err != nil {
			return err
		}
		// The first read of the schema is where a wrong key shows up.
		if err := c.Exec("PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON; PRAGMA synchronous=FULL;"); err != nil {
			return classify(err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	s := &DB{sql: db, path: path}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("store: open: file permissions: %w", err)
		}
	}
	return s, nil
}

func (db *DB) init(ctx context.Context) error {
	var mode string
	if err := db.sql.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fmt.Errorf("store: open: %w", classify(err))
	}
	if mode != "wal" {
		return fmt.Errorf("store: open: journal mode is %q, want wal", mode)
	}
	var vecVersion string
	if err := db.sql.QueryRowContext(ctx, "SELECT vec_version()").Scan(&vecVersion); err != nil {
		return fmt.Errorf("store: open: sqlite-vec not available: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	return nil
}

// classify turns SQLite's "not a database" into ErrWrongKey.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.NOTADB, sqlite3.CORRUPT:
			return fmt.Errorf("%w: %v", ErrWrongKey, err)
		}
	}
	return err
}
