//go:build !amd64

package attn

// hasAVX512 is false: only amd64 has the assembly kernels.
const hasAVX512 = false

func selectKernels(bool) {}
