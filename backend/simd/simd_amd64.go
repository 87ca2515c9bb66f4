package simd

import (
	"os"

	"golang.org/x/sys/cpu"
)

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32 // n a multiple of 32

//go:noescape
func dot4AVX2(w, x *float32, stride, n int, out *[4]float32) // n a multiple of 16

//go:noescape
func dot2x4AVX2(w0, w1, x *float32, stride, n int, out *[8]float32) // n a multiple of 8

//go:noescape
func dot2x4AVX512(w0, w1, x *float32, stride, n int, out *[8]float32) // n a multiple of 16

//go:noescape
func axpyAVX2(a float32, x, y *float32, n int) // n a multiple of 8

//go:noescape
func dotI8AVX2(a, b *int8, n int) int32 // n a multiple of 32

//go:noescape
func siluMulAVX2(dst, gate, up *float32, n int, c *[11]float32) // n a multiple of 8

// siluConsts are siluMulAVX2's constants: log2e, ln2 in a part exact in
// float32 and the rest, the clamps of the exponent, 1, and the
// coefficients 1/k! of e^r for k = 6 down to 2.
var siluConsts = [11]float32{1.44269504088896341, 0.693145751953125, 1.42860682030941723212e-6, -87, 88, 1,
	1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5}

func siluMulAsm(dst, gate, up []float32) {
	n := len(gate) &^ 7
	dst, up = dst[:len(gate)], up[:len(gate)]
	if n > 0 {
		siluMulAVX2(&dst[0], &gate[0], &up[0], n, &siluConsts)
	}
	if n < len(gate) {
		SiLUMulGo(dst[n:], gate[n:], up[n:])
	}
}

func init() {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA || os.Getenv("SIDECAR_KERNELS") == "go" {
		return
	}
	Dot, Dot4, Dot2x4, Axpy, DotI8, Accelerated = dotAsm, dot4Asm, dot2x4Asm, axpyAsm, dotI8Asm, true
	SiLUMul = siluMulAsm
	if hasAVX512 {
		Dot2x4 = dot2x4Asm512
	}
}

// hasAVX512 reports whether Dot2x4 uses 512-bit registers here
// (SIDECAR_KERNELS=avx2 keeps the 256-bit kernel).
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && os.Getenv("SIDECAR_KERNELS") != "avx2"

func dotAsm(a, b []float32) float32 {
	b = b[:len(a)]
	n := len(a) &^ 31
	var s float32
	if n > 0 {
		s = dotF32AVX2(&a[0], &b[0], n)
	}
	if n < len(a) {
		s += DotGo(a[n:], b[n:])
	}
	return s
}

func dot4Asm(w, x []float32, stride int, out *[4]float32) {
	n := len(w) &^ 15
	_ = x[3*stride+len(w)-1]
	if n > 0 {
		dot4AVX2(&w[0], &x[0], stride, n, out)
	} else {
		*out = [4]float32{}
	}
	if n < len(w) {
		for i := range out {
			out[i] += DotGo(w[n:], x[i*stride+n:i*stride+len(w)])
		}
	}
}

func dot2x4Asm(w0, w1, x []float32, stride int, out *[8]float32) {
	dot2x4With(dot2x4AVX2, 8, w0, w1, x, stride, out)
}

func dot2x4Asm512(w0, w1, x []float32, stride int, out *[8]float32) {
	dot2x4With(dot2x4AVX512, 16, w0, w1, x, stride, out)
}

// dot2x4With runs kernel, which takes a multiple of step values, and adds
// the tail in Go.
func dot2x4With(kernel func(w0, w1, x *float32, stride, n int, out *[8]float32), step int, w0, w1, x []float32, stride int, out *[8]float32) {
	k := len(w0)
	if k == 0 {
		*out = [8]float32{}
		return
	}
	n := k / step * step
	_, _ = w1[k-1], x[3*stride+k-1]
	if n > 0 {
		kernel(&w0[0], &w1[0], &x[0], stride, n, out)
	} else {
		*out = [8]float32{}
	}
	if n < k {
		for i := 0; i < 4; i++ {
			xi := x[i*stride+n : i*stride+k]
			out[i] += DotGo(w0[n:], xi)
			out[4+i] += DotGo(w1[n:k], xi)
		}
	}
}

func axpyAsm(a float32, x, y []float32) {
	y = y[:len(x)]
	n := len(x) &^ 7
	if n > 0 {
		axpyAVX2(a, &x[0], &y[0], n)
	}
	if n < len(x) {
		AxpyGo(a, x[n:], y[n:])
	}
}

func dotI8Asm(a, b []int8) int32 {
	b = b[:len(a)]
	n := len(a) &^ 31
	var s int32
	if n > 0 {
		s = dotI8AVX2(&a[0], &b[0], n)
	}
	if n < len(a) {
		s += DotI8Go(a[n:], b[n:])
	}
	return s
}
