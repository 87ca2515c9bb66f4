//go:build !amd64

package simd

// dot2x4Kernels lists the Dot2x4 assembly kernels this CPU can run: none
// outside amd64.
func dot2x4Kernels() []namedDot2x4 { return nil }
