package quant

import (
	"os"
	"unsafe"

	"golang.org/x/sys/cpu"

	"sidecar/backend/simd"
)

//go:noescape
func dotQ8_0AVX2(row *byte, qs *int8, d *float32, nb int) float32

//go:noescape
func dotQ8_0VNNI(row *byte, qs *int8, d *float32, nb int) float32

//go:noescape
func dotQ4_0AVX2(row *byte, qs *int8, d, s *float32, nb int) float32

//go:noescape
func dotQ4_0VNNI(row *byte, qs *int8, d, s *float32, nb int) float32

//go:noescape
func dotQ4KAVX2(row *byte, qs *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ4KVNNI(row *byte, qs *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ6KAVX2(row *byte, qs *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ6KVNNI(row *byte, qs *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ4K512(row *byte, qsK4 *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ4K512Rows(w *byte, stride int, qsK4 *int8, d *float32, bs *int16, nb, rows int, out *float32)

//go:noescape
func dotQ6K512Rows(w *byte, stride int, qs *int8, d *float32, bs *int16, nb, rows int, out *float32)

//go:noescape
func dotQ5K512(row *byte, qsK4 *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ6K512(row *byte, qs *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ4_0512(row *byte, qsP *int8, d, s *float32, n4 int) float32

//go:noescape
func dotQ4_1512(row *byte, qsP *int8, d, s *float32, n4 int) float32

//go:noescape
func dotQ5_0512(row *byte, qsP *int8, d, s *float32, n4 int) float32

//go:noescape
func dotQ5_1512(row *byte, qsP *int8, d, s *float32, n4 int) float32

//go:noescape
func dotIQ4NL512(row *byte, qsP *int8, d, s *float32, n4 int) float32

//go:noescape
func dotIQ4XS512(row *byte, qsP *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ2K512(row *byte, qs *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ3K512(row *byte, qs *int8, d *float32, bs *int16, nb int) float32

//go:noescape
func dotQ8_0512(row *byte, qs *int8, d *float32, n4 int) float32

//go:noescape
func dotF16AVX2(row *byte, x *float32, n int) float32 // n a multiple of 32

//go:noescape
func dotBF16AVX2(row *byte, x *float32, n int) float32 // n a multiple of 16

// The CPU's kernels: AVX2 with FMA and F16C, and where it has AVX-512
// (F, BW, VL, VNNI) VPDPBUSD for Q8_0 and Q4_0 and 512-bit K-quant kernels. SIDECAR_KERNELS=go keeps the Go kernels and
// SIDECAR_KERNELS=avx2 stops at AVX2.
var (
	hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && os.Getenv("SIDECAR_KERNELS") != "go"
	hasVNNI = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL &&
		cpu.X86.HasAVX512VNNI && os.Getenv("SIDECAR_KERNELS") != "avx2"
)

var fastName = "go"

// pack4 makes Acts.Set pack batches for the four-vector kernels.
var pack4 bool

func init() { selectKernels(hasAVX2, hasVNNI) }

// asmDots are the row products of the chosen set, by type.
var asmDots map[Type]func(row []byte, x *actVec) float32

// selectKernels installs the assembly kernels (the VNNI ones if vnni), or
// none; tests call it to run each set in turn.
func selectKernels(avx2, vnni bool) {
	defer selectGemm(avx2 && vnni)
	fast, asmDots, fastName, pack4, streams = map[Type]kernelSet{}, nil, "go", false, nil
	quantizeQ8K, quantizeQ8_0Blocks = quantizeQ8KGo, quantizeQ8_0BlocksGo
	if vnni {
		quantizeQ8K, quantizeQ8_0Blocks = quantizeQ8KAsm, quantizeQ8_0BlocksAsm
	}
	if !avx2 {
		return
	}
	q80, q40, q4k, q6k := dotQ8_0AVX2, dotQ4_0AVX2, dotQ4KAVX2, dotQ6KAVX2
	k4 := func(x *actVec) *int8 { return &x.qs[0] }
	fastName = "avx2"
	if vnni {
		q80, q40, q4k, q6k = dotQ8_0VNNI, dotQ4_0VNNI, dotQ4K512, dotQ6K512
		k4 = func(x *actVec) *int8 { return &x.qsK4[0] }
		fastName = "avx2+avx512vnni"
	}
	asmDots = map[Type]func(row []byte, x *actVec) float32{
		Q8_0: func(row []byte, x *actVec) float32 {
			_ = row[34*len(x.d)-1]
			return q80(&row[0], &x.qs[0], &x.d[0], len(x.d))
		},
		Q4_0: func(row []byte, x *actVec) float32 {
			_ = row[18*len(x.d)-1]
			return q40(&row[0], &x.qs[0], &x.d[0], &x.s[0], len(x.d))
		},
		Q4_K: func(row []byte, x *actVec) float32 {
			_ = row[144*len(x.d)-1]
			return q4k(&row[0], k4(x), &x.d[0], &x.bsums32[0], len(x.d))
		},
		Q6_K: func(row []byte, x *actVec) float32 {
			_ = row[210*len(x.d)-1]
			return q6k(&row[0], &x.qs[0], &x.d[0], &x.bsums[0], len(x.d))
		},
		F16:  dotF16Asm,
		BF16: dotBF16Asm,
		F32:  dotF32Asm,
	}
	for t := range asmDots {
		fast[t] = kernelSet{rows: rowsAsm, mul: mulAsm}
	}
	pack4 = vnni
	if vnni {
		for t, k := range map[Type]func(row *byte, qsP *int8, d, s *float32, n4 int) float32{
			Q4_1: dotQ4_1512, Q5_0: dotQ5_0512, Q5_1: dotQ5_1512, IQ4_NL: dotIQ4NL512,
		} {
			asmDots[t] = fours(k, t.BlockBytes(), goDots[t])
			fast[t] = kernelSet{rows: rowsAsm, mul: mulAsm}
		}
		fast[Q5_K] = kernelSet{rows: rowsAsm, mul: mulAsm}
		asmDots[Q4_0] = dotQ4_0Asm512
		asmDots[Q8_0] = dotQ8_0Asm512
		asmDots[Q2_K] = func(row []byte, x *actVec) float32 {
			_ = row[84*len(x.d)-1]
			return dotQ2K512(&row[0], &x.qs[0], &x.d[0], &x.bsums[0], len(x.d))
		}
		fast[Q2_K] = kernelSet{rows: rowsAsm, mul: mulAsm}
		asmDots[Q3_K] = func(row []byte, x *actVec) float32 {
			_ = row[110*len(x.d)-1]
			return dotQ3K512(&row[0], &x.qs[0], &x.d[0], &x.bsums[0], len(x.d))
		}
		fast[Q3_K] = kernelSet{rows: rowsAsm, mul: mulAsm}
		asmDots[IQ4_XS] = func(row []byte, x *actVec) float32 {
			_ = row[136*len(x.d)-1]
			return dotIQ4XS512(&row[0], &x.qsP[0], &x.d[0], &x.bsums32[0], len(x.d))
		}
		fast[IQ4_XS] = kernelSet{rows: rowsAsm, mul: mulAsm}
		asmDots[Q5_K] = func(row []byte, x *actVec) float32 {
			_ = row[176*len(x.d)-1]
			return dotQ5K512(&row[0], &x.qsK4[0], &x.d[0], &x.bsums32[0], len(x.d))
		}
		fast[Q4_K] = kernelSet{rows: rowsQ4K512, mul: mulQ4K512}
		fast[Q6_K] = kernelSet{rows: rowsQ6K512, mul: mulQ6K512}
		fast[Q4_0] = kernelSet{rows: rowsAsm, mul: mulQ4_0512}
		fast[Q8_0] = kernelSet{rows: rowsAsm, mul: mulQ8_0512}
	}
	selectStreams(avx2, vnni)
}

// dotQ4_0Asm512 takes whole groups of four blocks with the 512-bit
// kernel and the rest with the 256-bit one.
func dotQ4_0Asm512(row []byte, x *actVec) float32 {
	nb := len(x.d)
	n4 := nb / 4
	_ = row[18*nb-1]
	var s float32
	if n4 > 0 {
		s = dotQ4_0512(&row[0], &x.qsP[0], &x.d[0], &x.s[0], n4)
	}
	if k := 4 * n4; k < nb {
		s += dotQ4_0VNNI(&row[18*k], &x.qs[32*k], &x.d[k], &x.s[k], nb-k)
	}
	return s
}

// fours makes a row product of a 512-bit kernel taking groups of four
// blocks of bs bytes and, for the blocks left over, the Go one.
func fours(kernel func(row *byte, qsP *int8, d, s *float32, n4 int) float32, bs int, tail func(row []byte, x *actVec) float32) func(row []byte, x *actVec) float32 {
	return func(row []byte, x *actVec) float32 {
		nb := len(x.d)
		n4 := nb / 4
		_ = row[bs*nb-1]
		var s float32
		if n4 > 0 {
			s = kernel(&row[0], &x.qsP[0], &x.d[0], &x.s[0], n4)
		}
		if k := 4 * n4; k < nb {
			t := actVec{qs: x.qs[32*k:], d: x.d[k:], s: x.s[k:]}
			s += tail(row[bs*k:], &t)
		}
		return s
	}
}

// dotQ8_0Asm512 is dotQ4_0Asm512 for Q8_0.
func dotQ8_0Asm512(row []byte, x *actVec) float32 {
	nb := len(x.d)
	n4 := nb / 4
	_ = row[34*nb-1]
	var s float32
	if n4 > 0 {
		s = dotQ8_0512(&row[0], &x.qs[0], &x.d[0], n4)
	}
	if k := 4 * n4; k < nb {
		s += dotQ8_0VNNI(&row[34*k], &x.qs[32*k], &x.d[k], nb-k)
	}
	return s
}

func dotF16Asm(row []byte, x *actVec) float32 {
	n := len(x.f) &^ 31
	var s float32
	if n > 0 {
		_ = row[2*n-1]
		s = dotF16AVX2(&row[0], &x.f[0], n)
	}
	if n < len(x.f) {
		t := actVec{f: x.f[n:]}
		s += dotF16Go(row[2*n:], &t)
	}
	return s
}

func dotBF16Asm(row []byte, x *actVec) float32 {
	n := len(x.f) &^ 15
	var s float32
	if n > 0 {
		_ = row[2*n-1]
		s = dotBF16AVX2(&row[0], &x.f[0], n)
	}
	if n < len(x.f) {
		t := actVec{f: x.f[n:]}
		s += dotBF16Go(row[2*n:], &t)
	}
	return s
}

// dotF32Asm reads the row's bytes as float32 (amd64 is little-endian).
func dotF32Asm(row []byte, x *actVec) float32 {
	w := unsafe.Slice((*float32)(unsafe.Pointer(&row[0])), len(x.f))
	return simdDot(w, x.f)
}

func rowsAsm(m Matrix, r0, r1 int, a *Acts, out []float32) {
	dot := asmDots[m.typ]
	x := &a.first
	for r := r0; r < r1; r++ {
		out[r] = dot(m.Row(r), x)
	}
}

// mulAsm is mulGo with the assembly row products.
func mulAsm(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	mulEach(asmDots[m.typ], m, r0, r1, a, out, ldo)
}

var simdDot = simd.Dot
