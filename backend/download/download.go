// Package download fetches large files (model weights) over HTTP into a
// folder: to a temporary ".part" name first, resuming an interrupted
// transfer with a Range request, optionally checking a SHA-256, and
// renaming to the final name only when complete. Names that come from the
// network never escape the folder.
package download

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// PartSuffix marks an incomplete download.
const PartSuffix = ".part"

// Progress reports a transfer's state.
type Progress struct {
	Name       string        `json:"name"`
	Done       int64         `json:"done"`  // bytes on disk
	Total      int64         `json:"total"` // -1 when the server does not say
	BytesPerS  float64       `json:"bytesPerSecond"`
	Remaining  time.Duration `json:"remaining"` // -1 when unknown
	Resumed    bool          `json:"resumed"`   // continued an earlier .part
	Verifying  bool          `json:"verifying"` // checking the SHA-256
	Completed  bool          `json:"completed"`
	FinalPath  string        `json:"finalPath,omitempty"`
	StartedAt  time.Time     `json:"-"`
	resumeBase int64
	lastReport time.Time
}

// Request describes one download.
type Request struct {
	URL    string
	Dir    string // destination folder (created 0700 if missing)
	Name   string // file name; "" derives it from the response or the URL
	SHA256 string // optional, hex
	// Accept, if set, checks the first bytes of the body (e.g. a model
	// file's magic) and returns an error for wrong content.
	Accept func(head []byte) error
	// MaxBytes bounds the file size; 0 means no bound.
	MaxBytes int64
	// Progress is called at most every 200 ms and at the end.
	Progress func(Progress)
	Client   *http.Client
}

// Errors callers can test for with errors.Is.
var (
	ErrChecksum    = errors.New("download: the file's SHA-256 does not match")
	ErrDiskFull    = errors.New("download: the disk is full")
	ErrBadName     = errors.New("download: unsafe file name")
	ErrWrongType   = errors.New("download: the server sent something that is not the expected file")
	ErrTooLarge    = errors.New("download: the file is larger than allowed")
	ErrHTTP        = errors.New("download: the server refused")
	ErrExists      = errors.New("download: a file with that name already exists")
	errNoRangeSupp = errors.New("range not supported")
)

// SafeName checks that name is a plain file name that stays inside a folder.
func SafeName(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == "", n == ".", n == "..", len(n) > 200,
		strings.ContainsAny(n, `/\:`), strings.HasPrefix(n, "."),
		filepath.IsAbs(n), filepath.Base(n) != n:
		return "", fmt.Errorf("%w %q", ErrBadName, name)
	}
	for _, r := range n {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return "", fmt.Errorf("%w %q", ErrBadName, name)
		}
	}
	if strings.HasSuffix(n, PartSuffix) {
		return "", fmt.Errorf("%w %q: reserved suffix", ErrBadName, name)
	}
	return n, nil
}

// nameFromURL takes the last path element of the URL, or "" when that is
// not a usable file name (the response's Content-Disposition is used then).
func nameFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	n, err := SafeName(path.Base(u.Path))
	if err != nil {
		return ""
	}
	return n
}

// PartPath is where an unfinished download of name is kept.
func PartPath(dir, name string) string { return filepath.Join(dir, name+PartSuffix) }

// Fetch downloads req.URL and returns the final path. If a ".part" file
// from an earlier attempt exists, the transfer resumes from its end when
// the server supports ranges (restarting otherwise). Cancelling ctx pauses:
// the .part is kept for the next Fetch.
func Fetch(ctx context.Context, req Request) (string, error) {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("download: %q is not an http(s) URL", req.URL)
	}
	if err := os.MkdirAll(req.Dir, 0o700); err != nil {
		return "", fmt.Errorf("download: create folder: %w", err)
	}
	client := req.Client
	if client == nil {
		client = &http.Client{Timeout: 0}
	}
	name := req.Name
	if name == "" {
		name = nameFromURL(req.URL)
	}
	// A name given by the caller or taken from the URL is checked now; one
	// from Content-Disposition is checked when it arrives.
	if name != "" {
		if name, err = SafeName(name); err != nil {
			return "", err
		}
	}
	var want []byte
	if req.SHA256 != "" {
		if want, err = hex.DecodeString(strings.TrimSpace(req.SHA256)); err != nil || len(want) != sha256.Size {
			return "", fmt.Errorf("download: %q is not a SHA-256 in hex", req.SHA256)
		}
	}
	for attempt := 0; attempt < 2; attempt++ {
		p, err := fetchOnce(ctx, client, req, name, want)
		if errors.Is(err, errNoRangeSupp) {
			continue // .part was discarded: start again from zero
		}
		return p, err
	}
	return "", fmt.Errorf("download: the server does not support resuming")
}

func fetchOnce(ctx context.Context, client *http.Client, req Request, name string, want []byte) (string, error) {
	var offset int64
	if name != "" {
		final := filepath.Join(req.Dir, name)
		if _, err := os.Lstat(final); err == nil {
			return "", fmt.Errorf("%w: %s", ErrExists, name)
		}
		if fi, err := os.Lstat(PartPath(req.Dir, name)); err == nil && fi.Mode().IsRegular() {
			offset = fi.Size()
		}
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	if offset > 0 {
		hr.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := client.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("download: paused: %w", ctx.Err())
		}
		return "", fmt.Errorf("download: cannot reach the server: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && offset > 0:
		// The .part may already be complete, or the file changed: restart.
		os.Remove(PartPath(req.Dir, name))
		return "", errNoRangeSupp
	case offset > 0 && resp.StatusCode == http.StatusOK:
		os.Remove(PartPath(req.Dir, name))
		offset = 0
	case offset > 0 && resp.StatusCode != http.StatusPartialContent,
		offset == 0 && resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("%w: HTTP %d %s", ErrHTTP, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
		return "", fmt.Errorf("%w (the server sent a web page, %s: is the URL a direct download link?)", ErrWrongType, ct)
	}
	if name == "" {
		if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
			name = params["filename"]
		}
		if name, err = SafeName(name); err != nil {
			return "", err
		}
		if _, err := os.Lstat(filepath.Join(req.Dir, name)); err == nil {
			return "", fmt.Errorf("%w: %s", ErrExists, name)
		}
	}
	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = offset + resp.ContentLength
	}
	if req.MaxBytes > 0 && total > req.MaxBytes {
		return "", fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, total, req.MaxBytes)
	}
	part := PartPath(req.Dir, name)
	flags := os.O_WRONLY | os.O_CREATE
	if offset > 0 {
		flags |= os.O_APPEND
	} else {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(part, flags, 0o600)
	if err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if offset > 0 && want != nil {
		if err := hashPrefix(h, part, offset); err != nil {
			return "", err
		}
	}
	pr := &Progress{Name: name, Done: offset, Total: total, Resumed: offset > 0, StartedAt: time.Now(), resumeBase: offset}
	if err := copyBody(ctx, f, h, resp.Body, pr, req, offset == 0); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", diskErr(err)
	}
	if err := f.Close(); err != nil {
		return "", diskErr(err)
	}
	if total >= 0 && pr.Done != total {
		return "", fmt.Errorf("download: connection ended at %d of %d bytes; start again to resume", pr.Done, total)
	}
	if want != nil {
		pr.Verifying = true
		report(req, pr, true)
		if got := h.Sum(nil); !equal(got, want) {
			os.Remove(part)
			return "", fmt.Errorf("%w (got %x); the partial file was removed", ErrChecksum, got)
		}
	}
	final := filepath.Join(req.Dir, name)
	if err := os.Rename(part, final); err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	pr.Completed, pr.FinalPath, pr.Verifying = true, final, false
	report(req, pr, true)
	return final, nil
}

func equal(a, b []byte) bool { return hex.EncodeToString(a) == hex.EncodeToString(b) }

func hashPrefix(h hash.Hash, path string, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer f.Close()
	if _, err := io.CopyN(h, f, n); err != nil {
		return fmt.Errorf("download: re-reading the partial file: %w", err)
	}
	return nil
}

func copyBody(ctx context.Context, f *os.File, h hash.Hash, body io.Reader, pr *Progress, req Request, fresh bool) error {
	buf := make([]byte, 256<<10)
	checked := !fresh || req.Accept == nil
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if !checked {
				if err := req.Accept(buf[:n]); err != nil {
					f.Close()
					os.Remove(f.Name())
					return fmt.Errorf("%w: %v", ErrWrongType, err)
				}
				checked = true
			}
			if req.MaxBytes > 0 && pr.Done+int64(n) > req.MaxBytes {
				return fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, req.MaxBytes)
			}
			if _, err := f.Write(buf[:n]); err != nil {
				return diskErr(err)
			}
			h.Write(buf[:n])
			pr.Done += int64(n)
			report(req, pr, false)
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("download: paused at %d bytes: %w", pr.Done, ctx.Err())
			}
			return fmt.Errorf("download: connection lost at %d bytes (start again to resume): %w", pr.Done, rerr)
		}
	}
}

func report(req Request, pr *Progress, force bool) {
	if req.Progress == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(pr.lastReport) < 200*time.Millisecond {
		return
	}
	pr.lastReport = now
	elapsed := now.Sub(pr.StartedAt).Seconds()
	pr.Remaining = -1
	if elapsed > 0 {
		pr.BytesPerS = float64(pr.Done-pr.resumeBase) / elapsed
		if pr.Total > 0 && pr.BytesPerS > 0 {
			pr.Remaining = time.Duration(float64(pr.Total-pr.Done) / pr.BytesPerS * float64(time.Second))
		}
	}
	req.Progress(*pr)
}

func diskErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: free some space and start again to resume (%v)", ErrDiskFull, err)
	}
	return fmt.Errorf("download: write: %w", err)
}
