//go:build unix

package gptj

import (
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// mappings holds the live mappings of readMapped (start address ->
// length), so releasePages touches only memory it mapped.
var mappings sync.Map

// readMapped maps a file read-only; the weights that keep the file's
// layout are then copied out tensor by tensor, never the file at once.
func readMapped(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if fi.Size() == 0 {
		return []byte{}, func() {}, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	mappings.Store(base, len(b))
	return b, func() { mappings.Delete(base); syscall.Munmap(b) }, nil
}

// releasePages drops the pages of part, a tensor already converted, from
// the process's mapping of file (the page cache keeps them): a load then
// holds the converted weights and one tensor of the file, not the whole
// file, in its resident memory. part outside a live mapping of file is
// left alone.
func releasePages(file, part []byte) {
	if len(file) == 0 || len(part) == 0 {
		return
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(file)))
	n, ok := mappings.Load(base)
	if !ok || n.(int) != len(file) {
		return
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(part)))
	end := start + uintptr(len(part))
	if start < base || end > base+uintptr(len(file)) {
		return
	}
	lo, hi := (start+page-1)&^(page-1), end&^(page-1)
	if hi <= lo {
		return
	}
	syscall.Madvise(file[lo-base:hi-base], 4) // MADV_DONTNEED
}
