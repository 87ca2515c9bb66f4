//go:build unix

package pdftext

import (
	"golang.org/x/sys/unix"
)

// mapped is a module's linear memory in its own mapping: the whole cap is
// reserved without access and committed as the module grows, so growing
// never copies and freeing gives the pages back at once.
type mapped struct {
	reserved []byte // the whole reservation, PROT_NONE beyond committed
	buf      []byte // the committed part the module sees
	limit    uint64
}

func newLinearMemory(limit uint64) linearMemory {
	b, err := unix.Mmap(-1, 0, int(limit), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		return newSliceMemory(limit)
	}
	return &mapped{reserved: b, buf: b[:0], limit: limit}
}

// Reallocate commits memory up to size bytes, or returns nil past the cap
// (the module's memory.grow then fails as it would on a full machine).
func (m *mapped) Reallocate(size uint64) []byte {
	if size > m.limit {
		return nil
	}
	if have := uint64(len(m.buf)); size > have {
		if err := unix.Mprotect(m.reserved[have:size], unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return nil
		}
	}
	m.buf = m.reserved[:size]
	return m.buf
}

func (m *mapped) release() {
	if m.reserved != nil {
		unix.Munmap(m.reserved)
		m.reserved, m.buf = nil, nil
	}
}
