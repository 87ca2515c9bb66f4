package gptj

import (
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// weightBytes allocates a matrix's storage. Large matrices are mapped
// outside the Go heap and marked for transparent huge pages: streaming
// hundreds of megabytes per token through 4 KiB pages costs TLB misses and
// stops the hardware prefetcher at every page boundary. The mapping is
// released when the matrix becomes unreachable.
func weightBytes(m *Matrix, n int) []byte {
	const huge = 2 << 20
	if n < 4*huge {
		return make([]byte, n)
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, n)
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // refused where THP is off, which is fine
	runtime.AddCleanup(m, func(b []byte) { _ = syscall.Munmap(b) }, b)
	return b
}
