package pdftext

import (
	"sync"

	"github.com/tetratelabs/wazero/experimental"
)

// linearMemory backs one module's memory up to a fixed cap.
type linearMemory interface {
	Reallocate(size uint64) []byte
	release()
}

// sliceMemory is a module's linear memory in one Go allocation of the
// whole cap (untouched pages cost no resident memory); the fallback where
// a private mapping is not available.
type sliceMemory struct{ buf []byte }

func newSliceMemory(limit uint64) *sliceMemory { return &sliceMemory{buf: make([]byte, 0, limit)} }

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size > uint64(cap(m.buf)) {
		return nil
	}
	m.buf = m.buf[:size]
	return m.buf
}

func (m *sliceMemory) release() { m.buf = nil }

// allocator gives every PDFium instance a memory capped at limit bytes.
// Memory freed while a document is still being read (a stopped module
// whose call is unwinding) is released only once no call runs, so no
// machine code ever touches unmapped pages.
type allocator struct {
	limit uint64

	mu      sync.Mutex
	busy    int // reads running
	pending []linearMemory
	last    *capped // the memory made by the latest instantiation
}

// capped is one instance's memory; it records whether the module asked
// for more than the cap and how large it grew.
type capped struct {
	a       *allocator
	m       linearMemory
	mu      sync.Mutex
	refused bool
	peak    uint64
}

// Allocate implements experimental.MemoryAllocator.
func (a *allocator) Allocate(_, _ uint64) experimental.LinearMemory {
	c := &capped{a: a, m: newLinearMemory(a.limit)}
	a.mu.Lock()
	a.last = c
	a.mu.Unlock()
	return c
}

// Reallocate implements experimental.LinearMemory.
func (c *capped) Reallocate(size uint64) []byte {
	b := c.m.Reallocate(size)
	c.mu.Lock()
	if b == nil {
		c.refused = true
	} else if size > c.peak {
		c.peak = size
	}
	c.mu.Unlock()
	return b
}

// Free implements experimental.LinearMemory.
func (c *capped) Free() {
	a := c.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.busy > 0 {
		a.pending = append(a.pending, c.m)
		return
	}
	c.m.release()
}

func (c *capped) stats() (peak uint64, refused bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peak, c.refused
}

func (a *allocator) enter() {
	a.mu.Lock()
	a.busy++
	a.mu.Unlock()
}

func (a *allocator) leave() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.busy--
	if a.busy == 0 {
		for _, m := range a.pending {
			m.release()
		}
		a.pending = nil
	}
}

// running is the number of reads still executing.
func (a *allocator) running() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.busy
}
