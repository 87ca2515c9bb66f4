//go:build linux

package gptj

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rssFile is this process's resident file-backed memory (kB).
func rssFile(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "RssFile:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	t.Skip("no RssFile")
	return 0
}

// TestDropPages: a tensor's pages leave the process's resident memory
// once dropped, and memory dropPages did not map is left untouched.
func TestDropPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w")
	content := bytes.Repeat([]byte{7}, 64<<20)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	fm, err := mapFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unmap(fm)
	data := fm.data
	sum := 0
	for i := 0; i < len(data); i += 4096 {
		sum += int(data[i])
	}
	before := rssFile(t)
	dropPages(fm, data[1000:]) // the partial first page stays
	after := rssFile(t)
	t.Logf("RssFile %d kB -> %d kB after releasing 64 MiB (touched sum %d)", before, after, sum)
	if before-after < 60<<10 {
		t.Errorf("released %d kB of 64 MiB", before-after)
	}
	if data[5000] != 7 || data[len(data)-1] != 7 {
		t.Error("the mapping no longer reads the file")
	}
	heap := bytes.Repeat([]byte{9}, 1<<20)
	dropPages(&fileMap{data: heap}, heap)
	dropPages(fm, heap)
	if heap[4096*10] != 9 {
		t.Error("dropPages zeroed memory it had not mapped")
	}
}
