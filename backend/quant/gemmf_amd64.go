package quant

// The batched products of F16 weights on AVX-512: the rows converted to
// float32 once, times every group of 32 vectors packed one per lane (see
// gemmPackF32), eight rows at a time by gemmF32x8AVX512. F32 weights
// keep the row products, whose sums are in the order of the one-vector
// product's: a prompt gives the same logits evaluated whole or token by
// token.

//go:noescape
func gemmF32x8AVX512(w *float32, stride int, pa *float32, n int, acc *[256]float32)

//go:noescape
func cvtF16AVX512(dst *float32, src *byte, n int)

// selectGemmF routes the batched F16 products to the float product when
// avx512, keeping the kernels set before for small batches
// and widths that are not a multiple of 16.
func selectGemmF(avx512 bool) {
	if !avx512 {
		return
	}
	ks := fast[F16]
	small := ks.mul
	ks.mul = func(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
		if a.gemmGroups == 0 {
			small(m, r0, r1, a, out, ldo)
			return
		}
		mulGemmF(m, r0, r1, a, out, ldo)
	}
	fast[F16] = ks
}

// gemmFChunk is how many values of each vector the float product takes
// per pass: 32 vectors of 256 float32 values (32 KiB) stay in L1.
const gemmFChunk = 256

// mulGemmF is MulRows with the float product, 16 rows at a time: the
// rows converted to float32 once, then for each group of 32 vectors,
// chunk by chunk of their values, both 8-row tiles passed over the chunk.
func mulGemmF(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	cols := m.cols
	t := gemmTiles.Get().(*gemmTile)
	defer gemmTiles.Put(t)
	if len(t.f) < 16*cols {
		t.f, t.acc = make([]float32, 16*cols), make([]float32, 512)
	}
	f, acc := t.f[:16*cols], t.acc[:512]
	for r := r0; r < r1; r += 16 {
		nr := min(16, r1-r)
		tiles := (nr + 7) / 8
		for k := 0; k < nr; k++ { // rows past the range keep what they held: their sums are not used
			cvtF16AVX512(&f[k*cols], &m.Row(r + k)[0], cols)
		}
		for g := 0; g < a.gemmGroups; g++ {
			clear(acc)
			pa := a.gf[g*32*cols : (g+1)*32*cols]
			for c0 := 0; c0 < cols; c0 += gemmFChunk {
				n := min(gemmFChunk, cols-c0)
				for rt := 0; rt < tiles; rt++ {
					gemmF32x8AVX512(&f[8*rt*cols+c0], 4*cols, &pa[32*c0], n, (*[256]float32)(acc[256*rt:]))
				}
			}
			for v0 := g * 32; v0 < min(a.n, g*32+32); v0 += 16 {
				storeByVector(acc[v0-g*32:], 32, out[v0*ldo+r:], ldo, min(16, a.n-v0), nr)
			}
		}
	}
}
