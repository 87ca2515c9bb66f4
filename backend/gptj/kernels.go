package gptj

import (
	"encoding/binary"
	"math"

	"sidecar/backend/simd"
)

// The inner loops of the engine. Each kernel has a plain Go version (the
// reference, and what runs where no vector unit is detected) and, on amd64
// with AVX2, FMA and F16C, an assembly version selected at start; the tests
// check that both agree. Q8_0 and Q4_0 weights are multiplied with
// activations quantized to Q8_0 blocks (int8 values, one float32 scale per
// 32), so the products are integer and exact.

// actQ8 is a vector quantized to Q8_0 blocks: qs[i]·d[i/32] ≈ x[i]; m
// holds 8·d·Σqs per block, which turns Q4_0's "nibble − 8" into one
// correction per block.
type actQ8 struct {
	qs   []int8
	us   []byte // qs + 128, where dotQ8U is in use (batched Q8_0 products)
	d, m []float32
}

func newActQ8(n int) actQ8 {
	nb := (n + qk - 1) / qk
	a := actQ8{qs: make([]int8, n), d: make([]float32, nb), m: make([]float32, nb)}
	if dotQ8U != nil {
		a.us = make([]byte, n)
	}
	return a
}

// quantize fills a from x (len(x) a multiple of 32 and at most a's size).
func (a *actQ8) quantize(x []float32) {
	for blk := 0; blk < len(x)/qk; blk++ {
		v := x[blk*qk : (blk+1)*qk]
		var amax float32
		for _, f := range v {
			amax = max(amax, abs32(f))
		}
		d := amax / 127
		a.d[blk] = d
		id := float32(0)
		if d != 0 {
			id = 1 / d
		}
		q := a.qs[blk*qk : (blk+1)*qk]
		sum := 0
		for j, f := range v {
			q[j] = int8(math.Round(float64(f * id)))
			sum += int(q[j])
		}
		if a.us != nil {
			for j, v := range q {
				a.us[blk*qk+j] = byte(int(v) + 128)
			}
		}
		a.m[blk] = 8 * d * float32(sum)
	}
}

func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

// dotQ8Go is Σ over nblk (a whole row, or the last group of one) Q8_0 weight blocks in w of w·a, from a's block off.
func dotQ8Go(w []byte, a *actQ8, off, nblk int) float32 {
	qs, d := a.qs[off*qk:], a.d[off:]
	var s float32
	for blk := 0; blk < nblk; blk++ {
		sc, v := blockAt(blk, nblk, 34)
		p := w[v : v+qk]
		q := qs[blk*qk : blk*qk+qk]
		var is int32
		for j := 0; j < qk; j++ {
			is += int32(int8(p[j])) * int32(q[j])
		}
		s += float32(is) * (f16Table[binary.LittleEndian.Uint16(w[sc:])] * d[blk])
	}
	return s
}

// dotQ4Go is Σ over nblk (a whole row, or the last group of one) Q4_0 weight blocks in w of w·a, from a's block off.
func dotQ4Go(w []byte, a *actQ8, off, nblk int) float32 {
	qs, d := a.qs[off*qk:], a.d[off:]
	var s float32
	for blk := 0; blk < nblk; blk++ {
		sc, v := blockAt(blk, nblk, 18)
		p := w[v : v+16]
		q := qs[blk*qk : blk*qk+qk]
		var is int32
		for j := 0; j < 16; j++ {
			b := p[j]
			is += int32(int(b&0xF)-8)*int32(q[j]) + int32(int(b>>4)-8)*int32(q[j+16])
		}
		s += float32(is) * (f16Table[binary.LittleEndian.Uint16(w[sc:])] * d[blk])
	}
	return s
}

// dotF16Go is w·x for half-precision w (2·len(x) bytes).
func dotF16Go(w []byte, x []float32) float32 {
	var s0, s1 float32
	w = w[:2*len(x)]
	i := 0
	for ; i+1 < len(x); i += 2 {
		s0 += f16Table[uint16(w[2*i])|uint16(w[2*i+1])<<8] * x[i]
		s1 += f16Table[uint16(w[2*i+2])|uint16(w[2*i+3])<<8] * x[i+1]
	}
	if i < len(x) {
		s0 += f16Table[uint16(w[2*i])|uint16(w[2*i+1])<<8] * x[i]
	}
	return s0 + s1
}

// dotF32BytesGo is w·x for float32 w stored as little-endian bytes.
func dotF32BytesGo(w []byte, x []float32) float32 {
	var s float32
	for i, xv := range x {
		s += math.Float32frombits(binary.LittleEndian.Uint32(w[4*i:])) * xv
	}
	return s
}

// The float kernels (dot, dot4, axpy) are shared with the other engines
// through package simd.
var (
	dotGo  = simd.DotGo
	dot4Go = simd.Dot4Go
	axpyGo = simd.AxpyGo
)

// axpyF16Go is y += a·x for half-precision x (2·len(y) bytes).
func axpyF16Go(a float32, x []byte, y []float32) {
	x = x[:2*len(y)]
	for i := range y {
		y[i] += a * f16Table[uint16(x[2*i])|uint16(x[2*i+1])<<8]
	}
}

// dot2F16Go sets out to the products of two half-precision rows with x.
func dot2F16Go(w0, w1 []byte, x []float32, out *[2]float32) {
	out[0], out[1] = dotF16Go(w0, x), dotF16Go(w1, x)
}

// toF16 stores v as half precision in dst (2·len(v) bytes).
func toF16(dst []byte, v []float32) {
	dst = dst[:2*len(v)]
	for i, x := range v {
		h := f32ToF16(x)
		dst[2*i], dst[2*i+1] = byte(h), byte(h>>8)
	}
}

// f16RowGo decodes half-precision bytes into dst.
func f16RowGo(dst []float32, w []byte) {
	w = w[:2*len(dst)]
	for i := range dst {
		dst[i] = f16Table[uint16(w[2*i])|uint16(w[2*i+1])<<8]
	}
}

// Kernels in use: the assembly ones when the CPU has them.
var (
	dotQ8    = dotQ8Go
	dotQ4    = dotQ4Go
	dotF16   = dotF16Go
	dotF32B  = dotF32BytesGo
	dot      = simd.Dot
	dot4     = simd.Dot4
	dot2x4   = simd.Dot2x4
	axpy     = simd.Axpy
	axpyF16  = axpyF16Go
	dot2F16  = dot2F16Go
	f16Row   = f16RowGo
	kernelID = "go"
	// Batched Q8_0 products on unsigned activations with a per-block
	// weight sum (sumQ8) computed once per row: set where the CPU has
	// VNNI, nil elsewhere.
	dotQ8U func(w []byte, a *actQ8, off, nblk int, corr []int32) float32
	sumQ8  func(w []byte, nblk int, corr []int32)
	// unpackQ4 turns whole Q4_0 groups into Q8_0 groups, for the same
	// batched path.
	unpackQ4 func(w []byte, nblk int, dst []byte)
)

// Kernels names the kernel set chosen for this CPU ("avx2" or "go").
func Kernels() string { return kernelID }

// useGoKernels switches to the plain Go kernels (tests and benchmarks)
// until the returned function is called.
func useGoKernels() (restore func()) {
	restoreSIMD := simd.UseGo()
	q8, q4, f16, f32b, row, id, ax16, d2f16, d, d4, d24, ax := dotQ8, dotQ4, dotF16, dotF32B, f16Row, kernelID, axpyF16, dot2F16, dot, dot4, dot2x4, axpy
	q8u, s8, u4 := dotQ8U, sumQ8, unpackQ4
	dotQ8U, sumQ8, unpackQ4 = nil, nil, nil
	dotQ8, dotQ4, dotF16, dotF32B, f16Row, kernelID, axpyF16, dot2F16 = dotQ8Go, dotQ4Go, dotF16Go, dotF32BytesGo, f16RowGo, "go", axpyF16Go, dot2F16Go
	dot, dot4, dot2x4, axpy = simd.Dot, simd.Dot4, simd.Dot2x4, simd.Axpy
	return func() {
		restoreSIMD()
		dotQ8, dotQ4, dotF16, dotF32B, f16Row, kernelID, axpyF16, dot2F16, dot, dot4, dot2x4, axpy = q8, q4, f16, f32b, row, id, ax16, d2f16, d, d4, d24, ax
		dotQ8U, sumQ8, unpackQ4 = q8u, s8, u4
	}
}
