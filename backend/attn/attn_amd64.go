package attn

import (
	"os"

	"golang.org/x/sys/cpu"
)

//go:noescape
func scoresF16AVX512(sc *float32, k *uint16, q *float32, n, hd int)

//go:noescape
func softmaxAVX512(sc *float32, n int, scale float32, sum *[Heads]float32)

//go:noescape
func valuesF16AVX512(o *float32, v *uint16, p *float32, n, hd int)

//go:noescape
func toF16AVX512(dst *uint16, src *float32, n int)

// hasAVX512 reports whether the CPU runs the assembly kernels (and the
// environment does not ask for the Go ones).
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasFMA && cpu.X86.HasF16C &&
	os.Getenv("SIDECAR_KERNELS") != "go" && os.Getenv("SIDECAR_KERNELS") != "avx2"

func init() { selectKernels(hasAVX512) }

// selectKernels installs the assembly kernels when avx512 is true and the
// Go ones otherwise.
func selectKernels(avx512 bool) {
	scoresF16, valuesF16, softmax4, toF16, kernelName = scoresGo[uint16], valuesGo[uint16], softmaxGo, toF16Go, "go"
	if avx512 {
		scoresF16, valuesF16, softmax4, toF16, kernelName = scores512, values512, softmax512, toF16512, "avx512"
	}
}

func scores512(sc []float32, k []uint16, q []float32, n, hd int) {
	if hd%16 != 0 {
		scoresGo(sc, k, q, n, hd)
		return
	}
	scoresF16AVX512(&sc[0], &k[0], &q[0], n, hd)
}

func values512(o []float32, v []uint16, p []float32, n, hd int) {
	if hd%16 != 0 {
		valuesGo(o, v, p, n, hd)
		return
	}
	valuesF16AVX512(&o[0], &v[0], &p[0], n, hd)
}

func softmax512(sc []float32, scale float32) [Heads]float32 {
	var sum [Heads]float32
	softmaxAVX512(&sc[0], len(sc)/4, scale, &sum)
	return sum
}

func toF16512(dst []uint16, src []float32) {
	n := len(src) &^ 15
	if n > 0 {
		toF16AVX512(&dst[0], &src[0], n)
	}
	toF16Go(dst[n:len(src)], src[n:])
}
