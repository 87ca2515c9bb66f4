// Package attn holds the attention kernels of the GGUF engine over its KV
// cache. One call covers one KV head and a block of four query heads (the
// heads of a grouped-query attention group, four at a time): the scores of
// the four queries against a run of cached keys, each key read once for
// all four; their softmax; and the weighted sum of the cached values, each
// value read once for all four. Keys and values are cached as IEEE half
// precision (as llama.cpp caches them by default) or as float32.
//
// Scores are kept interleaved, four per position (sc[4·j+h]), so the
// softmax and the value sum read them in order. Each kernel has a plain Go
// version; on amd64 with AVX-512 (F, VL) and F16C the half-precision ones
// run in assembly, chosen at start (SIDECAR_KERNELS=go or avx2 keeps Go).
// The tests check both against float64 computations.
package attn

import (
	"math"

	"sidecar/backend/quant"
)

// Heads is how many query heads one call covers.
const Heads = 4

// Elem is the type of a cached key or value: F16 bits or float32.
type Elem interface{ ~uint16 | ~float32 }

// Kernels names the kernel set in use: "avx512" or "go".
func Kernels() string { return kernelName }

var kernelName = "go"

// The half-precision kernels, replaced by assembly where the CPU has it.
var (
	scoresF16 = scoresGo[uint16]
	valuesF16 = valuesGo[uint16]
	softmax4  = softmaxGo
	toF16     = toF16Go
)

// Scores sets sc[4·j+h] = q_h·k_j for positions j < n and heads h < 4:
// q holds four queries of hd values one after the other, k holds n rows of
// hd values.
func Scores[T Elem](sc []float32, k []T, q []float32, n, hd int) {
	if n == 0 {
		return
	}
	_, _, _ = sc[4*n-1], k[n*hd-1], q[4*hd-1]
	if kh, ok := any(k).([]uint16); ok {
		scoresF16(sc, kh, q, n, hd)
		return
	}
	scoresGo(sc, k, q, n, hd)
}

// Softmax turns the scores of n positions (four heads interleaved) into
// exp(scale·s − max) in place, the max taken per head, and returns each
// head's sum of them: the caller divides the value sums by it. scale must
// be positive.
func Softmax(sc []float32, n int, scale float32) [Heads]float32 {
	if n == 0 {
		return [Heads]float32{}
	}
	return softmax4(sc[:4*n], scale)
}

// Values adds Σ_j p[4·j+h]·v_j to o_h for heads h < 4, where o holds four
// outputs of hd values one after the other and v holds n rows of hd values.
func Values[T Elem](o []float32, v []T, p []float32, n, hd int) {
	if n == 0 {
		return
	}
	_, _, _ = o[4*hd-1], v[n*hd-1], p[4*n-1]
	if vh, ok := any(v).([]uint16); ok {
		valuesF16(o, vh, p, n, hd)
		return
	}
	valuesGo(o, v, p, n, hd)
}

// Store writes src into dst, rounding to half precision (nearest, ties to
// even) when dst holds F16.
func Store[T Elem](dst []T, src []float32) {
	dst = dst[:len(src)]
	switch d := any(dst).(type) {
	case []uint16:
		toF16(d, src)
	case []float32:
		copy(d, src)
	}
}

// widen returns row as float32 values, converting F16 into buf.
func widen[T Elem](buf []float32, row []T) []float32 {
	switch r := any(row).(type) {
	case []float32:
		return r
	case []uint16:
		buf = buf[:len(r)]
		for i, h := range r {
			buf[i] = quant.F16ToF32(h)
		}
		return buf
	}
	panic("attn: cache element type")
}

func scoresGo[T Elem](sc []float32, k []T, q []float32, n, hd int) {
	var buf [256]float32
	conv := buf[:]
	if hd > len(buf) {
		conv = make([]float32, hd)
	}
	q0, q1, q2, q3 := q[:hd], q[hd:2*hd], q[2*hd:3*hd], q[3*hd:4*hd]
	for j := 0; j < n; j++ {
		kj := widen(conv, k[j*hd:(j+1)*hd])
		var s0, s1, s2, s3 float32
		for d, x := range kj {
			s0 += q0[d] * x
			s1 += q1[d] * x
			s2 += q2[d] * x
			s3 += q3[d] * x
		}
		sc[4*j], sc[4*j+1], sc[4*j+2], sc[4*j+3] = s0, s1, s2, s3
	}
}

func softmaxGo(sc []float32, scale float32) [Heads]float32 {
	var mx [Heads]float32
	for h := range mx {
		mx[h] = float32(math.Inf(-1))
	}
	for j := 0; j < len(sc); j += 4 {
		for h := 0; h < 4; h++ {
			mx[h] = max(mx[h], sc[j+h])
		}
	}
	for h := range mx {
		mx[h] *= scale
	}
	var sum [Heads]float32
	for j := 0; j < len(sc); j += 4 {
		for h := 0; h < 4; h++ {
			e := Exp(sc[j+h]*scale - mx[h])
			sc[j+h] = e
			sum[h] += e
		}
	}
	return sum
}

func valuesGo[T Elem](o []float32, v []T, p []float32, n, hd int) {
	var buf [256]float32
	conv := buf[:]
	if hd > len(buf) {
		conv = make([]float32, hd)
	}
	o0, o1, o2, o3 := o[:hd], o[hd:2*hd], o[2*hd:3*hd], o[3*hd:4*hd]
	for j := 0; j < n; j++ {
		vj := widen(conv, v[j*hd:(j+1)*hd])
		p0, p1, p2, p3 := p[4*j], p[4*j+1], p[4*j+2], p[4*j+3]
		for d, x := range vj {
			o0[d] += p0 * x
			o1[d] += p1 * x
			o2[d] += p2 * x
			o3[d] += p3 * x
		}
	}
}

func toF16Go(dst []uint16, src []float32) {
	for i, x := range src {
		dst[i] = quant.F32ToF16(x)
	}
}

// The constants of Exp: ln 2 split in a part exact in float32 and the rest,
// the range below which the result is taken as 2⁻¹²⁶-ish (it then weighs
// nothing beside the largest score's 1), and the polynomial's
// coefficients (Taylor's, 1/k!, enough for the reduced range |r| ≤ ln2/2).
const (
	log2e  = 1.44269504088896341
	ln2Hi  = 0.693145751953125
	ln2Lo  = 1.42860682030941723212e-6
	expMin = -87.0
)

// Exp is e^x for x ≤ 0 in float32, as the assembly computes it: x = n·ln2
// + r with n an integer (rounded to even) and |r| ≤ ln2/2, e^r by a
// polynomial of degree 6, times 2^n. Below −87 it returns e^−87.
// The error is within a few units in the last place.
func Exp(x float32) float32 {
	x = max(x, expMin)
	n := float32(math.RoundToEven(float64(x * log2e)))
	r := x - n*ln2Hi
	r -= n * ln2Lo
	p := float32(1.0 / 720)
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}
