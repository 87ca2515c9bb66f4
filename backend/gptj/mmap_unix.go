//go:build unix

package gptj

import (
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// mapFile maps a file read-only. Weights that keep the file's layout are
// used from the mapping in place; the pages of tensors that are converted
// are handed back to the kernel as they are consumed (drop), so loading
// never holds the file and the converted weights whole at once.
func mapFile(path string) (*fileMap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() == 0 {
		return &fileMap{data: []byte{}}, nil
	}
	if int64(int(fi.Size())) != fi.Size() {
		return nil, syscall.EFBIG
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return &fileMap{data: b, mapped: true}, nil
}

// dropPages tells the kernel this process no longer needs the whole pages
// inside b (a part of the read-only mapping): they leave its resident
// set, and a later read would fault them in again from the file.
func dropPages(fm *fileMap, b []byte) {
	if !fm.mapped || !fm.holds(b) {
		return
	}
	page := pageSize
	base := sliceAddr(fm.data)
	lo, hi := sliceAddr(b)-base, sliceAddr(b)-base+uintptr(len(b))
	lo = (lo + uintptr(page) - 1) &^ uintptr(page-1)
	hi &^= uintptr(page - 1)
	if hi > lo {
		_ = unix.Madvise(fm.data[lo:hi], unix.MADV_DONTNEED)
	}
}

// unmap releases the mapping now, or, if weights are used from it in
// place, once none of the matrices holding them is reachable.
func unmap(fm *fileMap) {
	if !fm.mapped {
		return
	}
	if !fm.kept {
		_ = syscall.Munmap(fm.data)
		return
	}
	runtime.AddCleanup(fm, func(b []byte) { _ = syscall.Munmap(b) }, fm.data)
}
