// Package applog sets up Sidecar's structured logging (log/slog): JSON lines
// to a size-rotated file in the data folder and text to stderr. Attributes
// whose names suggest a secret or user content are redacted, so a careless
// log call cannot leak an API key or a chat message.
package applog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// FileName is the current log file's name in the data folder; rotated
// files get .1, .2, ... appended (.1 newest).
const FileName = "sidecar.log"

// Options configure Setup.
type Options struct {
	Dir      string     // data folder; the log file goes here
	Level    slog.Level // minimum level for both outputs
	MaxBytes int64      // rotate when the file would grow past this; 0: 5 MiB
	Keep     int        // rotated files kept; 0: 3
	Stderr   io.Writer  // nil: os.Stderr
}

// ParseLevel parses "debug", "info", "warn" or "error" (any case).
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return slog.LevelInfo, fmt.Errorf("applog: unknown log level %q (want debug, info, warn or error)", s)
	}
	return l, nil
}

// Setup builds the logger; the returned closer closes the file.
func Setup(o Options) (*slog.Logger, io.Closer, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 5 << 20
	}
	if o.Keep <= 0 {
		o.Keep = 3
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("applog: %w", err)
	}
	rw, err := OpenRotating(filepath.Join(o.Dir, FileName), o.MaxBytes, o.Keep)
	if err != nil {
		return nil, nil, err
	}
	hopts := &slog.HandlerOptions{Level: o.Level, ReplaceAttr: Redact}
	h := fanout{slog.NewJSONHandler(rw, hopts), slog.NewTextHandler(o.Stderr, hopts)}
	return slog.New(h), rw, nil
}

// sensitive are substrings of attribute keys whose values are never logged.
var sensitive = []string{"token", "key", "secret", "password", "passphrase", "authorization", "content", "prompt", "message_text", "text"}

// Redactor is an error that may carry text the user wrote (a cloud
// provider's error message can quote the prompt it was sent): the log
// shows Redacted() wherever Error() would appear.
type Redactor interface {
	error
	Redacted() string
}

// Redact is a slog ReplaceAttr that hides the values of sensitive keys
// and the user's text inside errors (see Redactor).
func Redact(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, s := range sensitive {
		if strings.Contains(k, s) {
			return slog.String(a.Key, "[redacted]")
		}
	}
	if err, ok := a.Value.Any().(error); ok && a.Value.Kind() == slog.KindAny {
		if msg, changed := redactError(err); changed {
			return slog.String(a.Key, msg)
		}
	}
	return a
}

// redactError returns err's message with the message of every Redactor in
// its chain replaced by its redacted form.
func redactError(err error) (string, bool) {
	msg, changed := err.Error(), false
	var walk func(error)
	walk = func(e error) {
		if r, ok := e.(Redactor); ok {
			if full := r.Error(); full != "" && strings.Contains(msg, full) {
				msg, changed = strings.ReplaceAll(msg, full, r.Redacted()), true
			} else if full != "" {
				// Wrapped in a way that changed its text: keep nothing
				// of the wrapper rather than risk the user's words.
				msg, changed = r.Redacted(), true
			}
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				walk(next)
			}
		case interface{ Unwrap() []error }:
			for _, next := range u.Unwrap() {
				walk(next)
			}
		}
	}
	walk(err)
	return msg, changed
}

// fanout sends each record to several handlers.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var first error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

// Rotating is an io.WriteCloser that rotates its file by size.
type Rotating struct {
	mu   sync.Mutex
	path string
	max  int64
	keep int
	f    *os.File
	size int64
}

// OpenRotating opens (appending) path, rotating past max bytes and keeping
// keep old files.
func OpenRotating(path string, max int64, keep int) (*Rotating, error) {
	r := &Rotating{path: path, max: max, keep: keep}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Rotating) open() error {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("applog: open %s: %w", filepath.Base(r.path), err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("applog: %w", err)
	}
	r.f, r.size = f, fi.Size()
	return nil
}

// Write implements io.Writer; a record is never split across files.
func (r *Rotating) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, fmt.Errorf("applog: write after close")
	}
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *Rotating) rotate() error {
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("applog: rotate: %w", err)
	}
	os.Remove(fmt.Sprintf("%s.%d", r.path, r.keep))
	for i := r.keep - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", r.path, i), fmt.Sprintf("%s.%d", r.path, i+1))
	}
	if err := os.Rename(r.path, r.path+".1"); err != nil {
		return fmt.Errorf("applog: rotate: %w", err)
	}
	return r.open()
}

// Close closes the file.
func (r *Rotating) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
