//go:build !amd64

package quant

const fastName = "go"

const pack4 = false

// Other architectures have only the Go kernels; these let code that
// chooses between kernel sets (benchmarks, tests) build everywhere.
const hasAVX2, hasVNNI = false, false

func selectKernels(avx2, vnni bool) {}
