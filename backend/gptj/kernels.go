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
// 32), so the products are integer and exact. Half-float rows times one
// vector (F16 weights in generation, attention over the half-float cache)
// are package quant's DotF16Rows, the GGUF engine's kernels.

// actQ8 is a vector quantized to Q8_0 blocks: qs[i]·d[i/32] ≈ x[i]; m
// holds 8·d·Σqs per block, which turns Q4_0's "nibble − 8" into one
// correction per block.
type actQ8 struct {
	qs   []int8
	us   []byte // qs + 128, where dotQ8U is in use (batched Q8_0 products)
	p4   []int8 // qs paired for dot4Q4, where pairedQ4 is set (see pairQ4)
	d, m []float32
	// Batches packed for gemmQ8 (see pack), where it is in use: pkRows
	// vectors of pkCols values, 0 when the last quantize was not packed.
	pk             []byte
	pd             []float32
	pkRows, pkCols int
}

func newActQ8(n int) actQ8 {
	nb := (n + qk - 1) / qk
	a := actQ8{qs: make([]int8, n), d: make([]float32, nb), m: make([]float32, nb)}
	if dotQ8U != nil {
		a.us = make([]byte, n)
	}
	if pairedQ4 {
		a.p4 = make([]int8, n)
	}
	return a
}

// quantizeRows is quantize for len(x)/cols vectors of cols values, which
// it also packs for gemmQ8 when there are enough of them.
func (a *actQ8) quantizeRows(x []float32, cols int) {
	a.quantize(x)
	if rows := len(x) / cols; gemmQ8 != nil && a.us != nil && rows >= gemmMinBatch && cols%qk == 0 {
		a.pack(rows, cols)
	}
}

// gemmCD is the size of gemmQ8's per-row data: four rows' weight sums,
// then their scales, kPass/qk blocks each.
const gemmCD = 8 * kPass / qk

// gemmMinBatch is the smallest batch the packed product takes: it works on
// 16 vectors at a time, padding the last group.
const gemmMinBatch = 4

// pack lays out the unsigned values and scales of rows vectors of cols
// values for gemmQ8, 16 vectors at a time (the last group padded with
// zero vectors): for group g and block b, pk holds 8 runs of 64 bytes,
// run j being the 4 values 4j..4j+3 of block b of each of the 16 vectors,
// and pd the 16 vectors' scales of block b.
func (a *actQ8) pack(rows, cols int) {
	nb, groups := cols/qk, (rows+15)/16
	if n := groups * 16 * cols; len(a.pk) < n {
		a.pk, a.pd = make([]byte, n), make([]float32, n/qk)
	}
	for g := 0; g < groups; g++ {
		for v := 0; v < 16; v++ {
			t := g*16 + v
			for b := 0; b < nb; b++ {
				at := (g*nb + b) * 8 * 64
				if t >= rows {
					for j := 0; j < 8; j++ {
						copy(a.pk[at+j*64+v*4:at+j*64+v*4+4], []byte{128, 128, 128, 128})
					}
					a.pd[(g*nb+b)*16+v] = 0
					continue
				}
				u := a.us[t*cols+b*qk : t*cols+(b+1)*qk]
				for j := 0; j < 8; j++ {
					copy(a.pk[at+j*64+v*4:at+j*64+v*4+4], u[4*j:4*j+4])
				}
				a.pd[(g*nb+b)*16+v] = a.d[t*nb+b]
			}
		}
	}
	a.pkRows, a.pkCols = rows, cols
}

// pairQ4 writes blocks j and j+1 (j even) of q to p in the order the
// paired Q4_0 kernels read them: values 0..15 of both blocks, then values
// 16..31 of both, matching the low and the high nibbles of the two
// blocks' 32 bytes. A last odd block is copied as it is.
func pairQ4(p, q []int8) {
	for j := 0; j+2*qk <= len(q); j += 2 * qk {
		copy(p[j:j+16], q[j:j+16])
		copy(p[j+16:j+32], q[j+qk:j+qk+16])
		copy(p[j+32:j+48], q[j+16:j+qk])
		copy(p[j+48:j+64], q[j+qk+16:j+2*qk])
	}
	if n := len(q) / qk; n%2 == 1 {
		copy(p[(n-1)*qk:], q[(n-1)*qk:])
	}
}

// quantize fills a from x (len(x) a multiple of 32 and at most a's size).
// Values are rounded half away from zero (as math.Round, without its cost).
func (a *actQ8) quantize(x []float32) {
	a.pkRows = 0 // the packed form, if any, is of other values now
	for blk := 0; blk < len(x)/qk; blk++ {
		v := x[blk*qk : (blk+1)*qk : (blk+1)*qk]
		var amax float32
		for _, f := range v {
			if a := abs32(f); a > amax {
				amax = a
			}
		}
		d := amax / 127
		a.d[blk] = d
		id := float32(0)
		if d != 0 {
			id = 1 / d
		}
		q := a.qs[blk*qk : (blk+1)*qk : (blk+1)*qk]
		sum := 0
		for j, f := range v {
			// f·id is a float32, so adding ±0.5 in float64 is exact, and
			// truncating then rounds half away from zero.
			t := float64(f * id)
			r := int(t + math.Copysign(0.5, t))
			q[j] = int8(r)
			sum += r
		}
		if a.us != nil {
			u := a.us[blk*qk : (blk+1)*qk : (blk+1)*qk]
			for j, v := range q {
				u[j] = byte(v) ^ 0x80 // v + 128
			}
		}
		a.m[blk] = 8 * d * float32(sum)
	}
	if a.p4 != nil {
		pairQ4(a.p4[:len(x)], a.qs[:len(x)])
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

// dot4Q8Go is out[k] = row k · a for the four rows of nblk blocks at w,
// w+stride, w+2·stride and w+3·stride (generation reads them side by side).
func dot4Q8Go(w []byte, stride int, a *actQ8, nblk int, out *[4]float32) {
	for k := range out {
		out[k] = dotQ8Go(w[k*stride:], a, 0, nblk)
	}
}

// dot4Q4Go is dot4Q8Go for Q4_0 rows.
func dot4Q4Go(w []byte, stride int, a *actQ8, nblk int, out *[4]float32) {
	for k := range out {
		out[k] = dotQ4Go(w[k*stride:], a, 0, nblk)
	}
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
	dotF32B  = dotF32BytesGo
	dot      = simd.Dot
	dot4     = simd.Dot4
	dot2x4   = simd.Dot2x4
	axpy     = simd.Axpy
	f16Row   = f16RowGo
	dot4Q8   = dot4Q8Go
	dot4Q4   = dot4Q4Go
	kernelID = "go"
	// pairedQ4 makes actQ8 keep its values in pairQ4 order too, for dot4Q4.
	pairedQ4 bool
	// Batched Q8_0 products on unsigned activations with a per-block
	// weight sum (sumQ8) computed once per row: set where the CPU has
	// VNNI, nil elsewhere.
	dotQ8U func(w []byte, a *actQ8, off, nblk int, corr []int32) float32
	sumQ8  func(w []byte, nblk int, corr []int32)
	// gemmQ8 multiplies four Q8_0 rows with 16 packed vectors (see
	// actQ8.pack): set where the CPU has AVX-512 VNNI, nil elsewhere.
	gemmQ8 func(w []byte, stride, ng int, pk []byte, pd []float32, cd []int32, out *[64]float32)
	// gemmRows prepares cd (gemmCD values) for gemmQ8 from its four rows
	// and prefetches the next ones; set with gemmQ8.
	gemmRows func(w []byte, stride, ng int, cd []int32, next []byte)
	// unpackQ4 turns whole Q4_0 groups into Q8_0 groups, for the same
	// batched path.
	unpackQ4 func(w []byte, nblk int, dst []byte)
)

// Kernels names the kernel set chosen for this CPU: "go", "avx2" or
// "avx2+avx512vnni".
func Kernels() string { return kernelID }

// useGoKernels switches to the plain Go kernels (tests and benchmarks)
// until the returned function is called.
func useGoKernels() (restore func()) {
	restoreSIMD := simd.UseGo()
	q8, q4, f32b, row, id, d, d4, d24, ax := dotQ8, dotQ4, dotF32B, f16Row, kernelID, dot, dot4, dot2x4, axpy
	q8u, s8, u4, d48, d44, gm, gr := dotQ8U, sumQ8, unpackQ4, dot4Q8, dot4Q4, gemmQ8, gemmRows
	dotQ8U, sumQ8, unpackQ4, dot4Q8, dot4Q4, gemmQ8, gemmRows = nil, nil, nil, dot4Q8Go, dot4Q4Go, nil, nil
	dotQ8, dotQ4, dotF32B, f16Row, kernelID = dotQ8Go, dotQ4Go, dotF32BytesGo, f16RowGo, "go"
	dot, dot4, dot2x4, axpy = simd.Dot, simd.Dot4, simd.Dot2x4, simd.Axpy
	return func() {
		restoreSIMD()
		dotQ8, dotQ4, dotF32B, f16Row, kernelID, dot, dot4, dot2x4, axpy = q8, q4, f32b, row, id, d, d4, d24, ax
		dotQ8U, sumQ8, unpackQ4, dot4Q8, dot4Q4, gemmQ8, gemmRows = q8u, s8, u4, d48, d44, gm, gr
	}
}
