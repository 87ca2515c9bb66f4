package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The manifest catches a changed, added or missing file, and a folder
// that does not match is emptied before wazero reads it.
func TestWasmCacheManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wasm")
	if c, fresh := openWasmCache(dir); c == nil || fresh {
		t.Fatalf("a missing folder: cache %v, fresh %v", c, fresh)
	}
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a", "compiled code")
	write("sub/b", "more compiled code")
	if err := checkManifest(dir); err == nil {
		t.Fatal("files without a manifest passed")
	}
	if err := sealWasmCache(dir); err != nil {
		t.Fatal(err)
	}
	if err := checkManifest(dir); err != nil {
		t.Fatalf("a sealed folder: %v", err)
	}
	for name, change := range map[string]func(){
		"changed":          func() { write("a", "compiled codf") },
		"added":            func() { write("c", "from elsewhere") },
		"removed":          func() { os.Remove(filepath.Join(dir, "sub", "b")) },
		"garbled manifest": func() { write(manifestName, "not a manifest\n") },
	} {
		write("a", "compiled code")
		write("sub/b", "more compiled code")
		os.Remove(filepath.Join(dir, "c"))
		if err := sealWasmCache(dir); err != nil {
			t.Fatal(err)
		}
		change()
		if err := checkManifest(dir); err == nil {
			t.Fatalf("%s: the manifest check passed", name)
		}
		c, fresh := openWasmCache(dir)
		if c == nil || !fresh {
			t.Fatalf("%s: cache %v, fresh %v", name, c, fresh)
		}
		if files, _ := cacheFiles(dir); len(files) != 0 {
			t.Fatalf("%s: left %v in the cache", name, files)
		}
	}
}

// A second taker gets no lock while the first holds it; a lock left by a
// process that is gone is taken over.
func TestWasmCacheLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wazero-v1")
	lock := filepath.Join(filepath.Dir(dir), "lock")
	release, ok := lockWasmCache(dir)
	if !ok {
		t.Fatal("no lock on a fresh folder")
	}
	if _, again := lockWasmCache(dir); again {
		t.Fatal("the lock was taken twice")
	}
	if _, other := lockWasmCache(filepath.Join(filepath.Dir(dir), "wazero-v2")); other {
		t.Fatal("another release's folder had a lock of its own")
	}
	release()
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Fatal("release left the lock file")
	}
	// A process that has exited: its lock is stale.
	gone := exec.Command(os.Args[0], "-test.run=^$")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(lock, []byte(fmt.Sprintf("%d\n", gone.Process.Pid)), 0o600)
	release, ok = lockWasmCache(dir)
	if !ok {
		t.Fatal("the lock of a process that is gone was not taken over")
	}
	release()
	// A running one (this test): held.
	os.WriteFile(lock, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o600)
	if _, ok := lockWasmCache(dir); ok {
		t.Fatal("the lock of a running process was taken over")
	}
}

// openInChild opens a new store in a fresh process (so SQLite is compiled
// or loaded from the cache again) with $SIDECAR_WASM_CACHE at base.
func openInChild(t *testing.T, base string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWasmCacheChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIDECAR_WASM_CACHE="+base, "SIDECAR_WASM_CHILD="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("opened and written")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// TestWasmCacheChild is the child of TestWasmCacheAcrossStarts.
func TestWasmCacheChild(t *testing.T) {
	dir := os.Getenv("SIDECAR_WASM_CHILD")
	if dir == "" {
		t.Skip("run by TestWasmCacheAcrossStarts")
	}
	key := bytes.Repeat([]byte{7}, KeySize)
	db, err := Open(context.Background(), filepath.Join(dir, FileName), key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SetSetting(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Setting(context.Background(), "k", ""); err != nil || v != "v" {
		t.Fatalf("read back %q %v", v, err)
	}
	os.Stdout.WriteString("opened and written\n")
}

func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := cacheFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

// The compiled SQLite is kept between starts and used again; a damaged
// or foreign cache is thrown away and filled afresh, and a cache another
// process is filling is left alone: the data opens every time.
func TestWasmCacheAcrossStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles SQLite in three fresh processes")
	}
	base := t.TempDir()
	t.Setenv("SIDECAR_WASM_CACHE", base)
	cache := WasmCacheDir()
	if !strings.HasPrefix(filepath.Base(cache), "wazero-") {
		t.Fatalf("cache folder %q is not named for the wazero release", cache)
	}
	// A folder another wazero release left goes.
	os.MkdirAll(filepath.Join(base, "wazero-v0.0.1", "x"), 0o700)
	openInChild(t, base) // first start: compiled and kept
	if _, err := os.Stat(filepath.Join(base, "wazero-v0.0.1")); !os.IsNotExist(err) {
		t.Fatal("another release's cache was kept")
	}
	first := snapshot(t, cache)
	if len(first) == 0 {
		t.Fatal("nothing was kept in the cache")
	}
	if err := checkManifest(cache); err != nil {
		t.Fatalf("the first start left no valid manifest: %v", err)
	}
	openInChild(t, base) // a later start: loaded, nothing changes
	if again := snapshot(t, cache); len(again) != len(first) {
		t.Fatalf("a later start changed the cache: %d files, then %d", len(first), len(again))
	}
	// Damage every compiled file and add a foreign one.
	damaged := map[string][]byte{}
	for name, b := range first {
		bad := append([]byte(nil), b...)
		for i := len(bad) / 2; i < len(bad)/2+64 && i < len(bad); i++ {
			bad[i] ^= 0xff
		}
		damaged[name] = bad
		os.WriteFile(filepath.Join(cache, filepath.FromSlash(name)), bad, 0o600)
	}
	os.WriteFile(filepath.Join(cache, "foreign"), []byte("WAZEVO from another build"), 0o600)
	openInChild(t, base)
	if err := checkManifest(cache); err != nil {
		t.Fatalf("after a damaged cache: %v", err)
	}
	healed := snapshot(t, cache)
	if _, ok := healed["foreign"]; ok {
		t.Fatal("the foreign file survived")
	}
	for name, bad := range damaged {
		if b, ok := healed[name]; !ok || bytes.Equal(b, bad) {
			t.Fatalf("%s was not compiled afresh", name)
		}
	}
	// Another process (this test's) is filling the cache: the new one
	// leaves it alone.
	os.WriteFile(filepath.Join(base, "lock"), []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o600)
	os.WriteFile(filepath.Join(cache, "being written"), []byte("partial"), 0o600)
	openInChild(t, base)
	if _, err := os.Stat(filepath.Join(cache, "being written")); err != nil {
		t.Fatal("a cache another process holds was touched")
	}
}

// A cache folder on a full disk: the compiled SQLite cannot be kept, and
// the data opens all the same (compiled in memory). The child runs in a
// user and mount namespace of its own with a 64 KiB tmpfs as the cache;
// machines that allow no such namespace skip the test.
func TestWasmCacheFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles SQLite in a fresh process")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1) to mount a small tmpfs")
	}
	base := t.TempDir()
	probe := exec.Command(unshare, "-rm", "sh", "-c", `mount -t tmpfs -o size=64k none "$0"`, base)
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs in a user namespace here: %v %s", err, out)
	}
	cmd := exec.Command(unshare, "-rm", "sh", "-c", `mount -t tmpfs -o size=64k none "$0" && exec "$@"`,
		base, os.Args[0], "-test.run=^TestWasmCacheChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "SIDECAR_WASM_CACHE="+base, "SIDECAR_WASM_CHILD="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("opened and written")) {
		t.Fatalf("the data did not open with the cache on a full disk: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("--- PASS: TestWasmCacheChild")) {
		t.Fatalf("the child did not run the open: %s", out)
	}
}
