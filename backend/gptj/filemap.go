package gptj

import (
	"fmt"
	"os"
	"unsafe"
)

var pageSize = os.Getpagesize()

// fileMap is a model file's bytes, memory-mapped read-only where the
// platform allows (mmap_unix.go).
type fileMap struct {
	data   []byte
	mapped bool     // data is a mapping (else a heap copy of the file)
	f      *os.File // the open file while data is a mapping (read reads from it)
}

func sliceAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// holds reports whether b lies inside the file's bytes.
func (fm *fileMap) holds(b []byte) bool {
	if len(b) == 0 || len(fm.data) == 0 {
		return false
	}
	lo, hi := sliceAddr(fm.data), sliceAddr(fm.data)+uintptr(len(fm.data))
	p := sliceAddr(b)
	return p >= lo && p+uintptr(len(b)) <= hi
}

// readChunk is how many bytes of a tensor are read, then checked, at a
// time (a multiple of checkFinite's eight bytes).
const readChunk = 1 << 20

// read fills dst with t's bytes (t.data, a part of the mapping) read from
// the file with pread, checking they are finite as they arrive. Nothing
// of t's range is faulted into the mapping, and dst, memory of the
// matrix's own, can sit on huge pages (weightBytes) where the page cache
// has small ones.
func (fm *fileMap) read(t *rawTensor, dst []byte) error {
	off := int64(sliceAddr(t.data) - sliceAddr(fm.data))
	for i := 0; i < len(dst); i += readChunk {
		c := dst[i:min(i+readChunk, len(dst))]
		// Fault the chunk in first: pread into pages not yet faulted is
		// several times slower (the kernel's copy stops at each fault
		// and retries).
		for j := 0; j < len(c); j += pageSize {
			c[j] = 0
		}
		if _, err := fm.f.ReadAt(c, off+int64(i)); err != nil {
			return fmt.Errorf("gptj: tensor %s: %w", t.name, err)
		}
		if err := checkFinite(t.name, t.typ, c); err != nil {
			return err
		}
	}
	return nil
}

// dropChunk is how many bytes of a tensor being converted are read before
// their pages are handed back.
const dropChunk = 8 << 20

// consumed hands back the pages of t's data before byte upTo (the
// conversion has read them); t.dropped remembers how far it went.
func (t *rawTensor) consumed(upTo int) {
	if t.file == nil || upTo-t.dropped < dropChunk && upTo < len(t.data) {
		return
	}
	if upTo >= len(t.data) {
		// t is done: hand back every page of the file up to its end,
		// with those holding the headers read so far (a fault maps the
		// pages around it too, so these may be resident again). A page
		// handed back that is read later is faulted in from the file.
		end := int(sliceAddr(t.data)-sliceAddr(t.file.data)) + len(t.data)
		end = min((end+pageSize-1)/pageSize*pageSize, len(t.file.data))
		dropPages(t.file, t.file.data[:end])
		t.dropped = len(t.data)
		return
	}
	dropPages(t.file, t.data[t.dropped:upTo])
	// The page holding byte upTo was only partly read: it goes with the
	// next chunk.
	t.dropped = max(0, upTo-int((sliceAddr(t.data)+uintptr(upTo))%uintptr(pageSize)))
}
