package attn

import (
	"math"
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

//go:noescape
func scoresF16AVX2(sc *float32, k *uint16, q *float32, n, hd int)

//go:noescape
func max4AVX2(sc *float32, pairs int, mx *[Heads]float32)

//go:noescape
func expSumAVX2(sc *float32, pairs int, scale float32, ms, sum *[Heads]float32)

//go:noescape
func valuesF16AVX2(o *float32, v *uint16, p *float32, n, hd int)

//go:noescape
func toF16AVX2(dst *uint16, src *float32, n int)

// The kernel sets this CPU runs (unless the environment asks for fewer:
// SIDECAR_KERNELS=go keeps Go, SIDECAR_KERNELS=avx2 stops at AVX2).
var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && os.Getenv("SIDECAR_KERNELS") != "go"
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && os.Getenv("SIDECAR_KERNELS") != "avx2"
)

// available lists the kernel sets this CPU runs, the best last.
func available() []string {
	sets := []string{"go"}
	if hasAVX2 {
		sets = append(sets, "avx2")
	}
	if hasAVX512 {
		sets = append(sets, "avx512")
	}
	return sets
}

func init() { selectKernels(available()[len(available())-1]) }

// selectKernels installs the kernel set name: "go", "avx2" or "avx512".
func selectKernels(name string) {
	switch name {
	case "avx512":
		scoresF16, valuesF16, softmax4, toF16 = scores512, values512, softmax512, toF16512
	case "avx2":
		scoresF16, valuesF16, softmax4, toF16 = scores2, values2, softmax2, toF162
	default:
		name = "go"
		scoresF16, valuesF16, softmax4, toF16 = scoresGo[uint16], valuesGo[uint16], softmaxGo, toF16Go
	}
	kernelName = name
}

func scores2(sc []float32, k []uint16, q []float32, n, hd int) {
	if hd%8 != 0 {
		scoresGo(sc, k, q, n, hd)
		return
	}
	scoresF16AVX2(&sc[0], &k[0], &q[0], n, hd)
}

func values2(o []float32, v []uint16, p []float32, n, hd int) {
	if hd%8 != 0 {
		valuesGo(o, v, p, n, hd)
		return
	}
	valuesF16AVX2(&o[0], &v[0], &p[0], n, hd)
}

// softmax2 runs the assembly over pairs of positions (one vector) and Go
// over an odd last one.
func softmax2(sc []float32, scale float32) [Heads]float32 {
	n := len(sc) / 4
	pairs := n / 2
	var mx, ms, sum [Heads]float32
	for h := range mx {
		mx[h] = float32(math.Inf(-1))
	}
	if pairs > 0 {
		max4AVX2(&sc[0], pairs, &mx)
	}
	last := sc[4*pairs*2:]
	for h := range last {
		mx[h] = max(mx[h], last[h])
	}
	for h := range ms {
		ms[h] = mx[h] * scale
	}
	if pairs > 0 {
		expSumAVX2(&sc[0], pairs, scale, &ms, &sum)
	}
	for h, x := range last {
		e := Exp(x*scale - ms[h])
		last[h] = e
		sum[h] += e
	}
	return sum
}

func toF162(dst []uint16, src []float32) {
	n := len(src) &^ 7
	if n > 0 {
		toF16AVX2(&dst[0], &src[0], n)
	}
	toF16Go(dst[n:len(src)], src[n:])
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
