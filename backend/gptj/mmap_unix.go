//go:build unix

package gptj

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// mapFile maps a file read-only and keeps it open until unmap. The
// mapping serves the headers and the tensors that are converted, whose
// pages are handed back to the kernel as they are consumed (dropPages);
// weights that keep the file's type are read with pread into memory of
// their own (fileMap.read), so loading never holds the file and the
// weights whole at once, and the weights do not sit on the page cache's
// small pages.
func mapFile(path string) (*fileMap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.Size() == 0 {
		f.Close()
		return &fileMap{data: []byte{}}, nil
	}
	if int64(int(fi.Size())) != fi.Size() {
		f.Close()
		return nil, syscall.EFBIG
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &fileMap{data: b, mapped: true, f: f}, nil
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

// unmap releases the mapping and closes the file: no weights are used
// from the mapping.
func unmap(fm *fileMap) {
	if !fm.mapped {
		return
	}
	_ = syscall.Munmap(fm.data)
	_ = fm.f.Close()
}
