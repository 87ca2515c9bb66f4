package quant

// Q8_K and Q8_0 quantization in assembly (quantize_amd64.s); the kernel
// sets choose it (selectKernels), tests compare it with the Go versions.

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

//go:noescape
func quantizeQ8_0Blocks512(x *float32, q *int8, d, s *float32, nblk int) int

// quantizeQ8_0BlocksAsm is quantizeQ8_0BlocksGo with AVX-512, bit for bit;
// blocks the assembly leaves (a NaN, an infinity, a scale too small to
// invert) are done in Go.
func quantizeQ8_0BlocksAsm(x []float32, q []int8, d, s []float32) {
	n := len(d)
	if n == 0 {
		return
	}
	_, _, _ = x[32*n-1], q[32*n-1], s[n-1]
	for b := 0; b < n; {
		b += quantizeQ8_0Blocks512(&x[32*b], &q[32*b], &d[b], &s[b], n-b)
		if b < n {
			d[b], s[b] = quantizeQ8_0(x[32*b:32*b+32], q[32*b:32*b+32])
			b++
		}
	}
}
