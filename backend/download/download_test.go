package download

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	copy(b, "ggml")
	return b
}

// server serves data with Range support; cutAt > 0 drops the first
// connection after that many bytes.
func server(t *testing.T, data []byte, cutAt int64, headers map[string]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		if n == 1 && cutAt > 0 && r.Header.Get("Range") == "" {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			w.WriteHeader(http.StatusOK)
			w.Write(data[:cutAt])
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		http.ServeContent(w, r, "model.bin", time.Unix(0, 0), bytes.NewReader(data))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestFetchWithProgressAndChecksum(t *testing.T) {
	data := payload(3 << 20)
	srv, _ := server(t, data, 0, nil)
	dir := t.TempDir()
	var events []Progress
	p, err := Fetch(context.Background(), Request{URL: srv.URL + "/files/model.bin", Dir: dir, SHA256: sum(data),
		Progress: func(p Progress) { events = append(events, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if p != filepath.Join(dir, "model.bin") {
		t.Errorf("path = %s", p)
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	last := events[len(events)-1]
	if !last.Completed || last.Done != int64(len(data)) || last.Total != int64(len(data)) || last.FinalPath != p {
		t.Errorf("last progress = %+v", last)
	}
	sawVerify := false
	for _, e := range events {
		sawVerify = sawVerify || e.Verifying
	}
	if !sawVerify {
		t.Error("no verifying progress event")
	}
	if _, err := os.Stat(PartPath(dir, "model.bin")); !os.IsNotExist(err) {
		t.Error(".part left behind")
	}
	// A second fetch of the same name refuses to overwrite.
	if _, err := Fetch(context.Background(), Request{URL: srv.URL + "/files/model.bin", Dir: dir}); !errors.Is(err, ErrExists) {
		t.Errorf("overwrite err = %v", err)
	}
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	data := payload(2 << 20)
	srv, hits := server(t, data, 700_000, nil)
	dir := t.TempDir()
	req := Request{URL: srv.URL + "/m.bin", Dir: dir, SHA256: sum(data)}
	_, err := Fetch(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("first attempt err = %v, want a connection-lost error", err)
	}
	fi, err := os.Stat(PartPath(dir, "m.bin"))
	if err != nil || fi.Size() != 700_000 {
		t.Fatalf("part after drop: %v %v", fi, err)
	}
	var resumed bool
	req.Progress = func(p Progress) { resumed = resumed || p.Resumed }
	p, err := Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, data) || !resumed || hits.Load() != 2 {
		t.Fatalf("resume: equal=%v resumed=%v hits=%d", bytes.Equal(got, data), resumed, hits.Load())
	}
}

func TestPauseByCancelKeepsPart(t *testing.T) {
	data := payload(4 << 20)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		for i := 0; i < len(data); i += 64 << 10 {
			if _, err := w.Write(data[i : i+64<<10]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}))
	defer slow.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Fetch(ctx, Request{URL: slow.URL + "/x.bin", Dir: dir, Progress: func(p Progress) {
		if p.Done > 256<<10 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want paused (context.Canceled)", err)
	}
	if fi, err := os.Stat(PartPath(dir, "x.bin")); err != nil || fi.Size() == 0 {
		t.Fatalf("part not kept: %v", err)
	}
}

func TestChecksumMismatchRemovesPart(t *testing.T) {
	data := payload(100_000)
	srv, _ := server(t, data, 0, nil)
	dir := t.TempDir()
	_, err := Fetch(context.Background(), Request{URL: srv.URL + "/a.bin", Dir: dir, SHA256: sum([]byte("other"))})
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("files left: %v", entries)
	}
}

func TestHTTPErrorsAndWrongContent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing.bin":
			http.NotFound(w, r)
		case "/page.bin":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<html>login</html>"))
		case "/notmodel.bin":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte("PK\x03\x04 zip file"))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	if _, err := Fetch(context.Background(), Request{URL: srv.URL + "/missing.bin", Dir: dir}); !errors.Is(err, ErrHTTP) || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
	if _, err := Fetch(context.Background(), Request{URL: srv.URL + "/page.bin", Dir: dir}); !errors.Is(err, ErrWrongType) {
		t.Errorf("html: %v", err)
	}
	accept := func(head []byte) error {
		if !bytes.HasPrefix(head, []byte("ggml")) {
			return errors.New("not a model file")
		}
		return nil
	}
	if _, err := Fetch(context.Background(), Request{URL: srv.URL + "/notmodel.bin", Dir: dir, Accept: accept}); !errors.Is(err, ErrWrongType) {
		t.Errorf("magic: %v", err)
	}
	if _, err := Fetch(context.Background(), Request{URL: "file:///etc/passwd", Dir: dir}); err == nil {
		t.Error("file URL accepted")
	}
	if _, err := Fetch(context.Background(), Request{URL: "http://127.0.0.1:1/x.bin", Dir: dir}); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("unreachable: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
}

func TestHostileNamesStayInside(t *testing.T) {
	for _, name := range []string{"../../etc/evil", "/etc/passwd", "..", ".hidden", "a/b", `a\b`, "C:evil", "x\x00y", "model.bin.part", ""} {
		if _, err := SafeName(name); !errors.Is(err, ErrBadName) {
			t.Errorf("SafeName(%q) = %v, want ErrBadName", name, err)
		}
	}
	for _, name := range []string{"gpt4all-j.bin", "Model v2 (q4).bin"} {
		if _, err := SafeName(name); err != nil {
			t.Errorf("SafeName(%q) = %v", name, err)
		}
	}
	// A server's Content-Disposition cannot steer the file out of the folder.
	data := payload(1000)
	for _, cd := range []string{`attachment; filename="../../escape.bin"`, `attachment; filename="/tmp/abs.bin"`, `attachment; filename=".bashrc"`} {
		srv, _ := server(t, data, 0, map[string]string{"Content-Disposition": cd})
		dir := t.TempDir()
		_, err := Fetch(context.Background(), Request{URL: srv.URL + "/", Dir: dir})
		if !errors.Is(err, ErrBadName) {
			t.Errorf("%s: err = %v", cd, err)
		}
		parent := filepath.Dir(dir)
		if _, err := os.Stat(filepath.Join(parent, "escape.bin")); err == nil {
			t.Fatal("file escaped the folder")
		}
	}
	srv, _ := server(t, data, 0, map[string]string{"Content-Disposition": `attachment; filename="named.bin"`})
	dir := t.TempDir()
	p, err := Fetch(context.Background(), Request{URL: srv.URL + "/", Dir: dir})
	if err != nil || p != filepath.Join(dir, "named.bin") {
		t.Errorf("content-disposition name: %s %v", p, err)
	}
}

// TestDiskFull downloads into a 1 MiB tmpfs. It needs root (mount); CI
// runs as root.
func TestDiskFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "small")
	os.MkdirAll(dir, 0o700)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" && os.Geteuid() == 0 {
			t.Fatalf("cannot mount a tmpfs in CI: %v %s", err, out)
		}
		t.Skipf("cannot mount a small tmpfs here (%v): needs root", err)
	}
	defer exec.Command("umount", dir).Run()
	data := payload(3 << 20)
	srv, _ := server(t, data, 0, nil)
	_, err := Fetch(context.Background(), Request{URL: srv.URL + "/big.bin", Dir: dir})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "free some space") {
		t.Fatalf("err = %v, want ErrDiskFull", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "big.bin")); !os.IsNotExist(err) {
		t.Fatal("incomplete file got the final name")
	}
}

func TestMaxBytes(t *testing.T) {
	data := payload(50_000)
	srv, _ := server(t, data, 0, nil)
	_, err := Fetch(context.Background(), Request{URL: srv.URL + "/m.bin", Dir: t.TempDir(), MaxBytes: 10_000})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
}
