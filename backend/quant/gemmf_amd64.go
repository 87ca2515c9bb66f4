package quant

// The batched products of F16 weights on AVX-512: four rows at a time
// converted to float32 once per tile, times every group of 32 vectors
// packed one per lane (see gemmPackF32), by gemmF32AVX512. F32 weights
// keep the row products, whose sums are in the order of the one-vector
// product's: a prompt gives the same logits evaluated whole or token by
// token.

//go:noescape
func gemmF32AVX512(w *float32, stride int, pa *float32, n int, out *[128]float32)

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

// mulGemmF is MulRows with the float product.
func mulGemmF(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	cols := m.cols
	t := gemmTiles.Get().(*gemmTile)
	defer gemmTiles.Put(t)
	if len(t.f) < 4*cols {
		t.f = make([]float32, 4*cols)
	}
	f := t.f[:4*cols]
	var o [128]float32
	for r := r0; r < r1; r += 4 {
		n := min(4, r1-r)
		for k := 0; k < n; k++ {
			cvtF16AVX512(&f[k*cols], &m.Row(r + k)[0], cols)
		}
		// Rows past the range keep what they held: their sums are not used.
		for g := 0; g < a.gemmGroups; g++ {
			gemmF32AVX512(&f[0], 4*cols, &a.gf[g*32*cols], cols, &o)
			for v := 0; v < 32 && g*32+v < a.n; v++ {
				dst := out[(g*32+v)*ldo+r:]
				for k := 0; k < n; k++ {
					dst[k] = o[32*k+v]
				}
			}
		}
	}
}
