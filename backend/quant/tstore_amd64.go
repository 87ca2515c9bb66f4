package quant

// storeT16 is in tstore_amd64.s (AVX-512 F).
//
//go:noescape
func storeT16(src *float32, sstride int, dst *float32, ldo int, nv int, mask uint16)

// storeByVector writes the sums of nr weight rows (k) for nv vectors (v),
// held by row in src (src[k·sstride+v], 16 columns at most), to dst by
// vector: dst[v·ldo+k], as one transposed block of stores. Only the
// batched products call it, and they run only where the CPU has AVX-512;
// the bounds are checked here.
func storeByVector(src []float32, sstride int, dst []float32, ldo, nv, nr int) {
	if nv <= 0 || nr <= 0 {
		return
	}
	if nv > 16 || nr > 16 || sstride < 16 || len(src) < 15*sstride+16 || len(dst) < (nv-1)*ldo+nr {
		panic("quant: storeByVector: block out of range")
	}
	storeT16(&src[0], sstride, &dst[0], ldo, nv, uint16(1)<<nr-1)
}
