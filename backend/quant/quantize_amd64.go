package quant

// Q8_K quantization in assembly (quantize_amd64.s); the kernel sets
// choose it (selectKernels), tests compare it with quantizeQ8KGo.

//go:noescape
func quantizeQ8K512(x *float32, q *int8, bsums *int16) float32

// quantizeQ8KAsm is quantizeQ8KGo with AVX-512, bit for bit; blocks it
// does not take (all zeros, or a largest magnitude so small that -127/mx
// overflows) go to the Go version.
func quantizeQ8KAsm(x []float32, q []int8, bsums []int16) float32 {
	_, _, _ = x[255], q[255], bsums[15]
	if d := quantizeQ8K512(&x[0], &q[0], &bsums[0]); d != 0 {
		return d
	}
	return quantizeQ8KGo(x, q, bsums)
}
