//go:build unix

package gguf

import (
	"fmt"
	"os"
	"syscall"
)

// Open maps the file read-only and parses it. The tensor data is read in
// place from the mapping until Close.
func Open(path string) (*File, error) {
	b, release, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: open %s: %w", path, err)
	}
	f, err := Parse(b)
	if err != nil {
		release()
		return nil, err
	}
	f.release = release
	return f, nil
}

func mapFile(path string) ([]byte, func() error, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fd.Close()
	fi, err := fd.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("not a regular file")
	}
	if fi.Size() == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	if int64(int(fi.Size())) != fi.Size() {
		return nil, nil, fmt.Errorf("file of %d bytes is too large to map", fi.Size())
	}
	b, err := syscall.Mmap(int(fd.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
