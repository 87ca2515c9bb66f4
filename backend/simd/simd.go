// Package simd holds the vector kernels the engines share (GPT-J, the
// BERT embedder, vector search, the GGUF engine's feed-forward): float dot
// products, 4-way and 2×4 dot products, axpy, an int8 dot product and the
// SiLU gate. Each has a plain Go version and, on amd64
// with AVX2 and FMA, an assembly one chosen at start; the tests check
// that they agree. SIDECAR_KERNELS=go forces the Go versions.
package simd

import "math"

// Dot returns a·b (len(b) ≥ len(a)).
var Dot = DotGo

// Dot4 sets out[i] = w·x[i·stride : i·stride+len(w)] for i < 4: each
// value of w loaded serves four products.
var Dot4 = Dot4Go

// Dot2x4 sets out[4r+i] = w_r·x[i·stride : i·stride+len(w0)] for the
// rows w0, w1 (r < 2) and i < 4: the register block of a batched product,
// each load serving two or four products. len(w1) ≥ len(w0).
var Dot2x4 = Dot2x4Go

// Axpy adds a·x to y (len(y) ≥ len(x)).
var Axpy = AxpyGo

// DotI8 returns Σ a[i]·b[i] for int8 values in [-127, 127].
var DotI8 = DotI8Go

// SiLUMul sets dst[i] = SiLU(gate[i])·up[i], SiLU(g) = g/(1+e^−g)
// (len(dst), len(up) ≥ len(gate)): the gated unit of a SwiGLU
// feed-forward. The assembly computes e^x in float32 to a few units in
// the last place.
var SiLUMul = SiLUMulGo

// Accelerated reports whether the assembly kernels are in use.
var Accelerated = false

// DotGo is Dot in plain Go.
func DotGo(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	b = b[:len(a)]
	i := 0
	for ; i+3 < len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// Dot4Go is Dot4 in plain Go.
func Dot4Go(w, x []float32, stride int, out *[4]float32) {
	for i := range out {
		out[i] = DotGo(w, x[i*stride:i*stride+len(w)])
	}
}

// Dot2x4Go is Dot2x4 in plain Go.
func Dot2x4Go(w0, w1, x []float32, stride int, out *[8]float32) {
	k := len(w0)
	for i := 0; i < 4; i++ {
		xi := x[i*stride : i*stride+k]
		out[i], out[4+i] = DotGo(w0, xi), DotGo(w1[:k], xi)
	}
}

// AxpyGo is Axpy in plain Go.
func AxpyGo(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// DotI8Go is DotI8 in plain Go.
func DotI8Go(a, b []int8) int32 {
	b = b[:len(a)]
	var s int32
	for i, v := range a {
		s += int32(v) * int32(b[i])
	}
	return s
}

// SiLUMulGo is SiLUMul in plain Go (e^x in float64).
func SiLUMulGo(dst, gate, up []float32) {
	dst, up = dst[:len(gate)], up[:len(gate)]
	for i, g := range gate {
		dst[i] = g / (1 + float32(math.Exp(float64(-g)))) * up[i]
	}
}

// UseGo switches to the Go kernels until the returned function is called
// (tests and benchmarks).
func UseGo() (restore func()) {
	d, d4, d24, ax, i8, sm, acc := Dot, Dot4, Dot2x4, Axpy, DotI8, SiLUMul, Accelerated
	Dot, Dot4, Dot2x4, Axpy, DotI8, SiLUMul, Accelerated = DotGo, Dot4Go, Dot2x4Go, AxpyGo, DotI8Go, SiLUMulGo, false
	return func() { Dot, Dot4, Dot2x4, Axpy, DotI8, SiLUMul, Accelerated = d, d4, d24, ax, i8, sm, acc }
}
