package quant

import (
	"fmt"
	"math"
)

// ActType is the form an input vector takes for a product with weights of
// type t, as ggml pairs them (its vec_dot_type): Q8_0 blocks for Q8_0, Q4_0,
// Q4_1, Q5_0, Q5_1 and IQ4_NL weights (ggml uses Q8_1 for the _1 types: the
// same values with each block's sum, which Acts always keeps); Q8_K
// super-blocks for the K-quants and IQ4_XS; float32 for F32, F16 and BF16
// weights. It returns false for a type without kernels.
func ActType(t Type) (Type, bool) {
	switch t {
	case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL:
		return Q8_0, true
	case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS:
		return Q8_K, true
	case F32, F16, BF16:
		return F32, true
	}
	return 0, false
}

// Acts holds up to a fixed number of input vectors of one length, prepared
// for products with weights of one type: quantized once, then multiplied
// with as many rows as needed (by any number of goroutines at once, since
// the products only read it). Set replaces the vectors. One Acts serves a
// generation step (one vector) or a batch of prompt positions (many).
type Acts struct {
	kind     Type // ActType of the weights
	cols, nb int  // values per vector, blocks per vector
	max, n   int  // vectors it can hold, vectors it holds

	f  []float32 // kind F32: the values themselves
	qs []int8    // quantized values, vector v at v·cols
	d  []float32 // block scales, vector v at v·nb
	// s is Q8_0's d·Σqs per block (the "min" term of Q4_1 and Q5_1, and
	// the "−8" of Q4_0 in the assembly kernels); bsums is Q8_K's Σqs per
	// 16 values and bsums32 per 32.
	s              []float32
	bsums, bsums32 []int16
	// qsK4 is qs with each 128 values' middle 32-value quarters swapped
	// (0-31, 64-95, 32-63, 96-127): the order in which the 512-bit Q4_K
	// kernel takes a Q4_K super-block's values (low nibbles of two
	// sub-blocks, then high nibbles).
	qsK4 []int8
	// qsP is qs with each pair of 32-value blocks as the 512-bit Q4_0
	// kernel takes them: values 0-15 of both, then 16-31 of both (the low
	// and the high nibbles of their 32 bytes). A last odd block stays.
	qsP []int8
	// pk4 is the batch packed for the four-vector kernels, where they
	// are in use and the batch has two vectors or more (else groups is 0).
	pk4 packed4
	// gq and gf are the batch packed for the int8 product (gemmPack),
	// in gemmGroups groups of 16 vectors, or, for float vectors, gf alone
	// for the float product in groups of 32 (0 where it is not in use).
	gq         []int8
	gf         []float32
	gemmGroups int

	// first is vec(0), made once: the row-product loops take its address
	// for kernels called through function values, which would otherwise
	// move a copy to the heap on every call.
	first actVec
}

// NewActs makes room for maxVecs vectors of cols values, to be multiplied
// with weights of type wt, or of any type with the same ActType (one Acts
// serves a layer whose matrices mix Q4_K and Q6_K, say). cols must be a
// whole number of wt's blocks.
func NewActs(wt Type, cols, maxVecs int) (*Acts, error) {
	kind, ok := ActType(wt)
	if !ok {
		return nil, fmt.Errorf("quant: activations for %s: no kernel for this type", wt)
	}
	if _, err := wt.RowBytes(int64(cols)); err != nil || cols <= 0 {
		return nil, fmt.Errorf("quant: activations for %s: %d columns: not a whole number of blocks", wt, cols)
	}
	if maxVecs <= 0 || int64(cols)*int64(maxVecs) > 1<<31 {
		return nil, fmt.Errorf("quant: activations for %s: %d vectors of %d values", wt, maxVecs, cols)
	}
	a := &Acts{kind: kind, cols: cols, max: maxVecs}
	switch kind {
	case F32:
		a.f = make([]float32, cols*maxVecs)
	case Q8_0:
		a.nb = cols / 32
		a.qs, a.d, a.s = make([]int8, cols*maxVecs), make([]float32, a.nb*maxVecs), make([]float32, a.nb*maxVecs)
		a.qsP = make([]int8, cols*maxVecs)
	case Q8_K:
		a.nb = cols / 256
		a.qs, a.d = make([]int8, cols*maxVecs), make([]float32, a.nb*maxVecs)
		a.bsums, a.bsums32 = make([]int16, cols/16*maxVecs), make([]int16, cols/32*maxVecs)
		a.qsK4, a.qsP = make([]int8, cols*maxVecs), make([]int8, cols*maxVecs)
	}
	a.first = a.vec(0)
	return a, nil
}

// Cols is the length of each vector.
func (a *Acts) Cols() int { return a.cols }

// Len is how many vectors the last Set gave.
func (a *Acts) Len() int { return a.n }

// Set quantizes len(x)/Cols() vectors (at least one, at most the maximum
// given to NewActs) for the weight type, as ggml's reference quantizers
// do: Q8_0 rounds x/d half away from zero with d = max|x|/127 stored in
// half precision; Q8_K rounds x·(−127/max) to even, max being the value of
// largest magnitude, and keeps d = 1/that scale in float32.
func (a *Acts) Set(x []float32) error {
	n := len(x) / a.cols
	if n*a.cols != len(x) || n == 0 || n > a.max {
		return fmt.Errorf("quant: set activations: %d values are not 1 to %d vectors of %d", len(x), a.max, a.cols)
	}
	a.n = n
	switch a.kind {
	case F32:
		copy(a.f, x)
	case Q8_0:
		quantizeQ8_0Blocks(x[:n*a.cols], a.qs[:n*a.cols], a.d[:n*a.nb], a.s[:n*a.nb])
		for v := 0; v < n; v++ {
			pairBlocks(a.qsP[v*a.cols:(v+1)*a.cols], a.qs[v*a.cols:(v+1)*a.cols])
		}
	case Q8_K:
		for b := 0; b < n*a.nb; b++ {
			a.d[b] = quantizeQ8K(x[256*b:256*b+256], a.qs[256*b:256*b+256], a.bsums[16*b:16*b+16])
			for j := 0; j < 8; j++ {
				a.bsums32[8*b+j] = a.bsums[16*b+2*j] + a.bsums[16*b+2*j+1]
			}
			for h := 256 * b; h < 256*b+256; h += 128 {
				q, p := a.qs[h:h+128], a.qsK4[h:h+128]
				copy(p[0:32], q[0:32])
				copy(p[32:64], q[64:96])
				copy(p[64:96], q[32:64])
				copy(p[96:128], q[96:128])
			}
		}
		for v := 0; v < n; v++ {
			pairBlocks(a.qsP[v*a.cols:(v+1)*a.cols], a.qs[v*a.cols:(v+1)*a.cols])
		}
	}
	a.pk4.groups, a.gemmGroups = 0, 0
	gemm := packGemm && n >= gemmMinBatch && (a.kind != F32 || a.cols%16 == 0)
	if gemm {
		a.gemmPack()
	}
	// A batch both products could take is packed for both: each type
	// picks by its own threshold (gemmFrom).
	if !gemm || n < gemmFromMax {
		switch {
		case a.kind == Q8_K && n >= 2 && pack4:
			a.pk4.pack(a)
		case a.kind == Q8_0 && n >= 2 && pack4 && a.cols%128 == 0:
			a.pk4.pack8(a)
		}
	}
	return nil
}

// pairBlocks writes q (whole 32-value blocks) to p in qsP order.
func pairBlocks(p, q []int8) {
	j := 0
	for ; j+64 <= len(q); j += 64 {
		copy(p[j:j+16], q[j:j+16])
		copy(p[j+16:j+32], q[j+32:j+48])
		copy(p[j+32:j+48], q[j+16:j+32])
		copy(p[j+48:j+64], q[j+48:j+64])
	}
	copy(p[j:], q[j:])
}

// quantizeQ8_0Blocks is the Q8_0 quantizer in use for len(d) blocks
// (quantizeQ8_0BlocksGo, or its assembly twin where the kernels have
// AVX-512): block b of x goes to q, its scale to d[b] and d·Σq to s[b].
var quantizeQ8_0Blocks = quantizeQ8_0BlocksGo

func quantizeQ8_0BlocksGo(x []float32, q []int8, d, s []float32) {
	for b := range d {
		d[b], s[b] = quantizeQ8_0(x[32*b:32*b+32], q[32*b:32*b+32])
	}
}

// quantizeQ8_0 fills q from 32 values and returns the block's scale (a
// half-precision value, as ggml stores it) and d·Σq.
func quantizeQ8_0(x []float32, q []int8) (d, s float32) {
	var amax float32
	for _, v := range x {
		amax = max(amax, abs32(v))
	}
	dd := amax / 127
	id := float32(0)
	if dd != 0 {
		id = 1 / dd
	}
	sum := 0
	for j, v := range x[:32] {
		// v·id is a float32; adding ±0.5 in float64 is exact, and
		// truncating then rounds half away from zero, as roundf.
		t := float64(v * id)
		r := int(t + math.Copysign(0.5, t))
		q[j] = int8(r)
		sum += r
	}
	d = F16ToF32(F32ToF16(dd))
	return d, d * float32(sum)
}

// quantizeQ8K is the Q8_K quantizer in use (quantizeQ8KGo, or its
// assembly twin where the kernels have AVX-512).
var quantizeQ8K = quantizeQ8KGo

// quantizeQ8KGo fills q and the sixteen group sums from 256 values and
// returns the scale.
func quantizeQ8KGo(x []float32, q []int8, bsums []int16) float32 {
	var amax, mx float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, mx = a, v
		}
	}
	if amax == 0 {
		clear(q[:256])
		clear(bsums[:16])
		return 0
	}
	iscale := -127 / mx
	for j, v := range x[:256] {
		q[j] = int8(min(127, int(math.RoundToEven(float64(iscale*v)))))
	}
	for g := 0; g < 16; g++ {
		s := 0
		for _, v := range q[16*g : 16*g+16] {
			s += int(v)
		}
		bsums[g] = int16(s)
	}
	return 1 / iscale
}

func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

// actVec is one vector of an Acts, as the kernels read it.
type actVec struct {
	f              []float32
	qs             []int8
	d, s           []float32
	bsums, bsums32 []int16
	qsK4, qsP      []int8
}

// vec returns vector v (v < Len()).
func (a *Acts) vec(v int) actVec {
	switch a.kind {
	case F32:
		return actVec{f: a.f[v*a.cols : (v+1)*a.cols]}
	case Q8_0:
		return actVec{qs: a.qs[v*a.cols : (v+1)*a.cols], d: a.d[v*a.nb : (v+1)*a.nb], s: a.s[v*a.nb : (v+1)*a.nb],
			qsP: a.qsP[v*a.cols : (v+1)*a.cols]}
	}
	return actVec{qs: a.qs[v*a.cols : (v+1)*a.cols], d: a.d[v*a.nb : (v+1)*a.nb],
		bsums: a.bsums[v*a.cols/16 : (v+1)*a.cols/16], bsums32: a.bsums32[v*a.cols/32 : (v+1)*a.cols/32],
		qsK4: a.qsK4[v*a.cols : (v+1)*a.cols], qsP: a.qsP[v*a.cols : (v+1)*a.cols]}
}
