package gptj

import (
	"os"
	"unsafe"

	"golang.org/x/sys/cpu"

	"sidecar/backend/simd"
)

// Assembly kernels (kernels_amd64.s). Pointers and counts are checked by
// the Go wrappers below; the assembly reads exactly the bytes described.

// The quantized kernels take whole groups of 8 blocks (ngroups > 0).
//
//go:noescape
func dotQ8AVX2(w *byte, qs *int8, d *float32, ngroups int) float32

//go:noescape
func dotQ4AVX2(w *byte, qs *int8, d, m *float32, ngroups int) float32

//go:noescape
func dotQ8VNNI(w *byte, qs *int8, d *float32, ngroups int) float32

//go:noescape
func dotQ4VNNI(w *byte, qs *int8, d, m *float32, ngroups int) float32

//go:noescape
func dotQ8UVNNI512(w *byte, us *byte, d *float32, corr *int32, ngroups int) float32

//go:noescape
func unpackQ4AVX2(w *byte, dst *byte, ngroups int)

//go:noescape
func sumQ8VNNI(w *byte, corr *int32, ngroups int)

// The quantized kernels in use: the VNNI ones where the CPU has AVX-512
// VNNI with 256-bit forms, which also runs the 512-bit batched kernels
// (SIDECAR_KERNELS=avx2 keeps the AVX2 ones).
var (
	q8Kernel  = dotQ8AVX2
	q4Kernel  = dotQ4AVX2
	q84Kernel = dot4Q8AVX2
	q44Kernel = dot4Q4AVX2
	hasVNNI   = cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL && os.Getenv("SIDECAR_KERNELS") != "avx2"
)

//go:noescape
func f16RowAVX2(dst *float32, w *byte, n int) // n a multiple of 8

// hasAVX2 reports whether the assembly kernels can run here.
// SIDECAR_KERNELS=go forces the plain Go kernels.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && os.Getenv("SIDECAR_KERNELS") != "go"

func init() {
	if !hasAVX2 {
		return
	}
	dotQ8, dotQ4, dotF32B, f16Row, kernelID = dotQ8Asm, dotQ4Asm, dotF32BytesAsm, f16RowAsm, "avx2"
	dot4Q8, dot4Q4, pairedQ4 = dot4Q8Asm, dot4Q4Asm, true
	if hasVNNI {
		q8Kernel, q4Kernel, kernelID = dotQ8VNNI, dotQ4VNNI, "avx2+avx512vnni"
		q84Kernel, q44Kernel = dot4Q8VNNI, dot4Q4VNNI
		gemmQ8, gemmRows = gemmQ8Asm, gemmRowsAsm
		dotQ8U, sumQ8, unpackQ4 = dotQ8UAsm, sumQ8Asm, unpackQ4Asm
	}
}

func dotQ8Asm(w []byte, a *actQ8, off, nblk int) float32 {
	ng := nblk / group
	var s float32
	if ng > 0 {
		_, _, _ = w[ng*group*34-1], a.qs[(off+ng*group)*qk-1], a.d[off+ng*group-1]
		s = q8Kernel(&w[0], &a.qs[off*qk], &a.d[off], ng)
	}
	if tail := nblk - ng*group; tail > 0 {
		s += dotQ8Go(w[ng*group*34:], a, off+ng*group, tail)
	}
	return s
}

func dotQ4Asm(w []byte, a *actQ8, off, nblk int) float32 {
	ng := nblk / group
	var s float32
	if ng > 0 {
		_, _, _, _ = w[ng*group*18-1], a.qs[(off+ng*group)*qk-1], a.d[off+ng*group-1], a.m[off+ng*group-1]
		s = q4Kernel(&w[0], &a.qs[off*qk], &a.d[off], &a.m[off], ng)
	}
	if tail := nblk - ng*group; tail > 0 {
		s += dotQ4Go(w[ng*group*18:], a, off+ng*group, tail)
	}
	return s
}

func dotF32BytesAsm(w []byte, x []float32) float32 {
	_ = w[4*len(x)-1]
	return simd.Dot(unsafe.Slice((*float32)(unsafe.Pointer(&w[0])), len(x)), x)
}

func f16RowAsm(dst []float32, w []byte) {
	_ = w[2*len(dst)-1]
	n := len(dst) &^ 7
	if n > 0 {
		f16RowAVX2(&dst[0], &w[0], n)
	}
	if n < len(dst) {
		f16RowGo(dst[n:], w[2*n:])
	}
}

// dotQ8UAsm is dotQ8 on a's unsigned values, with corr from sumQ8Asm for
// the same blocks.
func dotQ8UAsm(w []byte, a *actQ8, off, nblk int, corr []int32) float32 {
	ng := nblk / group
	var s float32
	if ng > 0 {
		_, _, _, _ = w[ng*group*34-1], a.us[(off+ng*group)*qk-1], a.d[off+ng*group-1], corr[ng*group-1]
		s = dotQ8UVNNI512(&w[0], &a.us[off*qk], &a.d[off], &corr[0], ng)
	}
	if tail := nblk - ng*group; tail > 0 {
		s += dotQ8Go(w[ng*group*34:], a, off+ng*group, tail)
	}
	return s
}

// sumQ8Asm fills corr with 128·Σw for each block of the whole groups of
// the row piece w (nblk blocks).
func sumQ8Asm(w []byte, nblk int, corr []int32) {
	if ng := nblk / group; ng > 0 {
		_, _ = w[ng*group*34-1], corr[ng*group-1]
		sumQ8VNNI(&w[0], &corr[0], ng)
	}
}

// unpackQ4Asm writes the nblk/8 whole groups of the Q4_0 row piece w to
// dst as Q8_0 groups.
func unpackQ4Asm(w []byte, nblk int, dst []byte) {
	if ng := nblk / group; ng > 0 {
		_, _ = w[ng*group*18-1], dst[ng*group*34-1]
		unpackQ4AVX2(&w[0], &dst[0], ng)
	}
}

// Four-row kernels (generation): rows w, w+stride, w+2·stride, w+3·stride,
// whole groups; the Q4_0 ones take the activations in actQ8.p4 order.
//
//go:noescape
func dot4Q8AVX2(w *byte, stride int, qs *int8, d *float32, ngroups int, out *[4]float32)

//go:noescape
func dot4Q8VNNI(w *byte, stride int, qs *int8, d *float32, ngroups int, out *[4]float32)

//go:noescape
func dot4Q4AVX2(w *byte, stride int, p4 *int8, d, m *float32, ngroups int, out *[4]float32)

//go:noescape
func dot4Q4VNNI(w *byte, stride int, p4 *int8, d, m *float32, ngroups int, out *[4]float32)

// dot4Q8Asm is dot4Q8 with q84Kernel for the whole groups.
func dot4Q8Asm(w []byte, stride int, a *actQ8, nblk int, out *[4]float32) {
	ng := nblk / group
	*out = [4]float32{}
	if ng > 0 {
		_, _, _ = w[3*stride+ng*group*34-1], a.qs[ng*group*qk-1], a.d[ng*group-1]
		q84Kernel(&w[0], stride, &a.qs[0], &a.d[0], ng, out)
	}
	if tail := nblk - ng*group; tail > 0 {
		for k := range out {
			out[k] += dotQ8Go(w[k*stride+ng*group*34:], a, ng*group, tail)
		}
	}
}

// dot4Q4Asm is dot4Q4 with q44Kernel for the whole groups.
func dot4Q4Asm(w []byte, stride int, a *actQ8, nblk int, out *[4]float32) {
	ng := nblk / group
	*out = [4]float32{}
	if ng > 0 {
		_, _, _, _ = w[3*stride+ng*group*18-1], a.p4[ng*group*qk-1], a.d[ng*group-1], a.m[ng*group-1]
		q44Kernel(&w[0], stride, &a.p4[0], &a.d[0], &a.m[0], ng, out)
	}
	if tail := nblk - ng*group; tail > 0 {
		for k := range out {
			out[k] += dotQ4Go(w[k*stride+ng*group*18:], a, ng*group, tail)
		}
	}
}

//go:noescape
func gemmQ8VNNI(w *byte, rowStride, ngroups int, pk *byte, pd *float32, cd *int32, out *[64]float32)

//go:noescape
func scalesQ8AVX2(w *byte, dst *float32, ngroups int)

//go:noescape
func prefetchL2(p *byte, n int)

// gemmQ8Asm is gemmQ8 with gemmQ8VNNI: four rows of ng whole groups from
// w (stride bytes apart) times the 16 packed vectors at pk/pd.
func gemmQ8Asm(w []byte, stride, ng int, pk []byte, pd []float32, cd []int32, out *[64]float32) {
	nb := ng * group
	_, _, _, _ = w[3*stride+ng*group*34-1], pk[nb*8*64-1], pd[nb*16-1], cd[gemmCD-1]
	gemmQ8VNNI(&w[0], stride, ng, &pk[0], &pd[0], &cd[0], out)
}

// gemmRowsAsm fills cd for gemmQ8 from four rows of ng whole groups at w
// (stride bytes apart), and prefetches next (the following rows), if any.
func gemmRowsAsm(w []byte, stride, ng int, cd []int32, next []byte) {
	_ = cd[gemmCD-1]
	for k := 0; k < 4; k++ {
		wk := w[k*stride : k*stride+ng*group*34]
		sumQ8Asm(wk, ng*group, cd[k*kPass/qk:])
		scalesQ8AVX2(&wk[0], (*float32)(unsafe.Pointer(&cd[(4+k)*kPass/qk])), ng)
	}
	if len(next) > 0 {
		prefetchL2(&next[0], len(next))
	}
}
