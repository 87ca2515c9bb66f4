package gptj

import (
	"os"
	"unsafe"
)

var pageSize = os.Getpagesize()

// fileMap is a model file's bytes, memory-mapped read-only where the
// platform allows (mmap_unix.go).
type fileMap struct {
	data   []byte
	mapped bool // data is a mapping (else a heap copy of the file)
	kept   bool // some matrix uses its bytes in place
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

// keep records that a matrix uses b, a part of the file, in place.
func (fm *fileMap) keep() { fm.kept = true }

// dropChunk is how many bytes of a tensor being converted are read before
// their pages are handed back.
const dropChunk = 8 << 20

// consumed hands back the pages of t's data before byte upTo (the
// conversion has read them); t.dropped remembers how far it went.
func (t *rawTensor) consumed(upTo int) {
	if t.file == nil || upTo-t.dropped < dropChunk && upTo < len(t.data) {
		return
	}
	dropPages(t.file, t.data[t.dropped:upTo])
	// The page holding byte upTo was only partly read: it goes with the
	// next chunk.
	t.dropped = max(0, upTo-int((sliceAddr(t.data)+uintptr(upTo))%uintptr(pageSize)))
}
