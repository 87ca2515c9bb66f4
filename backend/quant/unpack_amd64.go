package quant

// Assembly versions of unpackQ8_0 and unpackQ4_0 (gemm_amd64.go): the
// batched products unpack every weight row once per call, which in Go
// costs more than the tile products themselves for batches of a few
// groups of 16 vectors. They give the same bytes and scales as the Go
// ones (unpack_amd64_test.go); the CPUs with the int8 product all have
// AVX2 and F16C.

//go:noescape
func unpackQ8_0AVX2(row *byte, nblk int, w *byte, wstep int, so *float32, sostep int)

//go:noescape
func unpackQ4_0AVX2(row *byte, nblk int, w *byte, wstep int, so *float32, sostep int)

// unpackWith checks that the row's nb blocks fit slot k of a tile of n
// rows in w and so, then runs an assembly unpacker over them.
func unpackWith(f func(*byte, int, *byte, int, *float32, int), row []byte, blockSize, k, n int, w []byte, so []float32) {
	nb := len(row) / blockSize
	if nb == 0 {
		return
	}
	_, _ = tileSlot(w, nb-1, k, n), scaleSlot(so, nb-1, k, n) // bounds of the last block
	f(&row[0], nb, &w[32*k], 32*n, &so[4*k], 16*n)
}

func unpackQ8_0Asm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ8_0AVX2, row, 34, k, n, w, so)
}

func unpackQ4_0Asm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ4_0AVX2, row, 18, k, n, w, so)
}
