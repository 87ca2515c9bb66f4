package store

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/tetratelabs/wazero"
)

// The SQLite build is WebAssembly; wazero compiles it to native code when
// the first database opens, which takes seconds. That code is kept in the
// user's cache folder so that later starts load it instead. wazero keys
// each entry by the module, its own version and the CPU's features, and
// drops entries of other versions; an entry that is damaged (a disk
// error, a half-written file, something else writing there) would make
// the compile fail, so the folder carries a manifest of its files' hashes
// and is emptied when they do not match before wazero sees it.

// manifestName is the manifest's file name in the cache folder.
const manifestName = "manifest.sha256"

// WasmCacheDir is where the compiled SQLite is kept: a folder named for
// the wazero release that compiled it, in $SIDECAR_WASM_CACHE, else in
// Sidecar/sqlite-wasm in the user's cache folder ("" without a cache
// folder: nothing is kept). wazero's own staleness check reads its version
// from the build information; a build that lacks it (test binaries) is
// named by its executable's size and time instead, so that code another
// release compiled is never taken for this one's.
func WasmCacheDir() string {
	ver := wazeroVersion()
	if ver == "" {
		exe, err := os.Executable()
		if err != nil {
			return ""
		}
		fi, err := os.Stat(exe)
		if err != nil {
			return ""
		}
		ver = fmt.Sprintf("build-%x-%x", fi.Size(), fi.ModTime().UnixNano())
	}
	base := os.Getenv("SIDECAR_WASM_CACHE")
	if base == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(d, "Sidecar", "sqlite-wasm")
	}
	return filepath.Join(base, "wazero-"+ver)
}

// wazeroVersion is the wazero module's version in this build ("" if the
// build does not say).
func wazeroVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/tetratelabs/wazero" {
			if d.Replace != nil {
				d = d.Replace
			}
			if strings.HasPrefix(d.Version, "v") {
				return d.Version
			}
		}
	}
	return ""
}

// dropOtherReleases removes the folders other wazero releases left next
// to dir (their code is of no use to this one).
func dropOtherReleases(dir string) {
	es, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range es {
		if e.IsDir() && strings.HasPrefix(e.Name(), "wazero-") && e.Name() != filepath.Base(dir) {
			os.RemoveAll(filepath.Join(filepath.Dir(dir), e.Name()))
		}
	}
}

// openWasmCache returns a compilation cache over dir after checking its
// files against the manifest: a folder whose files do not match is
// emptied first (fresh reports that, or a folder that had nothing). It
// returns nil if dir cannot be used; SQLite is then compiled in memory.
func openWasmCache(dir string) (cache wazero.CompilationCache, fresh bool) {
	if dir == "" {
		return nil, true
	}
	dropOtherReleases(dir)
	if err := checkManifest(dir); err != nil {
		if err := os.RemoveAll(dir); err != nil {
			return nil, true
		}
		fresh = true
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, true
	}
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, true
	}
	return c, fresh
}

// cacheFiles lists the files below dir (the manifest left out), as
// slash-separated relative paths, sorted.
func cacheFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("store: %s in the wasm cache is not a file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel != manifestName {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func cacheFileHash(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkManifest reports whether dir holds exactly the files its manifest
// lists, with the same contents. A missing folder is fine.
func checkManifest(dir string) error {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	want := map[string]string{}
	f, err := os.Open(filepath.Join(dir, manifestName))
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			f.Close()
			return fmt.Errorf("store: wasm cache manifest: bad line %q", sc.Text())
		}
		want[name] = sum
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return err
	}
	files, err := cacheFiles(dir)
	if err != nil {
		return err
	}
	if len(files) != len(want) {
		return fmt.Errorf("store: wasm cache holds %d files, its manifest %d", len(files), len(want))
	}
	for _, name := range files {
		sum, err := cacheFileHash(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		if want[name] != sum {
			return fmt.Errorf("store: wasm cache file %s does not match its manifest", name)
		}
	}
	return nil
}

// sealWasmCache writes dir's manifest for the files it holds now.
func sealWasmCache(dir string) error {
	files, err := cacheFiles(dir)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, name := range files {
		sum, err := cacheFileHash(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	tmp, err := os.CreateTemp(dir, manifestName+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, manifestName))
}

// lockWasmCache takes the cache's lock file (one for every release's
// folder, since the holder removes the other releases' folders) for the
// compile: false if another running process holds it (that one fills the cache; this one compiles
// in memory) or it cannot be made. The file holds the holder's process
// ID; a lock whose process is gone (it died) is taken over.
func lockWasmCache(dir string) (release func(), ok bool) {
	if dir == "" {
		return nil, false
	}
	path := filepath.Join(filepath.Dir(dir), "lock")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false
	}
	for try := 0; try < 2; try++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%d\n", os.Getpid())
			if cerr := f.Close(); werr != nil || cerr != nil {
				os.Remove(path)
				return nil, false
			}
			return func() { os.Remove(path) }, true
		}
		b, rerr := os.ReadFile(path)
		pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		if rerr != nil || perr != nil || processAlive(pid) {
			return nil, false // held, or being written this instant
		}
		os.Remove(path)
	}
	return nil, false
}

// processAlive reports whether a process with that ID runs.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid) // fails on Windows for a process that is gone
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return true
	}
	return p.Signal(syscall.Signal(0)) == nil
}
