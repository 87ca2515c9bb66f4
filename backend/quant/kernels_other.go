//go:build !amd64

package quant

const fastName = "go"

const pack4 = false

// f16Kernels are DotF16Rows' row products: Go's, one row at a time.
func f16Kernels() (one func(row []byte, x *actVec) float32, four dot4) { return dotF16Go, nil }

// Other architectures have only the Go kernels; these let code that
// chooses between kernel sets (benchmarks, tests) build everywhere.
const hasAVX2, hasVNNI = false, false

func selectKernels(avx2, vnni bool) {}
