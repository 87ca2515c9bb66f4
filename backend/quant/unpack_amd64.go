package quant

import "math"

// Assembly versions of the Q8_0 and Q4_0 unpackers of gemm_amd64.go
// (unsigned with an offset, and signed for AMX): the batched products
// unpack every weight row once per call, which in Go costs more than the
// tile products themselves for batches of a few groups of 16 vectors.
// They give the same bytes and scales as the Go ones
// (unpack_amd64_test.go); the CPUs with the int8 product all have AVX2
// and F16C.

//go:noescape
func unpackQ8_0AVX2(row *byte, nblk int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

//go:noescape
func unpackQ4_0AVX2(row *byte, nblk int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

type unpackAsm func(row *byte, nblk int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

// unpackWith checks that the row's blocks fit slot k of a tile of n rows
// in w and so, then runs an assembly unpacker over them: each value
// changed by bias (repeated in every byte), offsets off times the scale,
// or exactly 0 when off is.
func unpackWith(f unpackAsm, row []byte, blockSize, k, n int, w []byte, so []float32, bias byte, off float32) {
	nb := len(row) / blockSize
	if nb == 0 {
		return
	}
	_, _ = tileSlot(w, nb-1, k, n), scaleSlot(so, nb-1, k, n) // bounds of the last block
	var mask uint32
	if off != 0 {
		mask = math.MaxUint32
	}
	f(&row[0], nb, &w[32*k], 32*n, &so[4*k], 16*n, uint32(bias)*0x01010101, math.Float32bits(off), mask)
}

func unpackQ8_0Asm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ8_0AVX2, row, 34, k, n, w, so, 0x80, -128)
}

func unpackQ8_0SAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ8_0AVX2, row, 34, k, n, w, so, 0, 0)
}

func unpackQ4_0Asm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ4_0AVX2, row, 18, k, n, w, so, 0, -8)
}

func unpackQ4_0SAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ4_0AVX2, row, 18, k, n, w, so, 8, 0)
}

//go:noescape
func unpackQ4KAVX2(row *byte, nsb int, w *byte, wstep int, so *float32, sostep int)

// unpackQ4KAsm is unpackQ4K in assembly.
func unpackQ4KAsm(row []byte, k, n int, w []byte, so []float32) {
	nsb := len(row) / 144
	if nsb == 0 {
		return
	}
	_, _ = tileSlot(w, 8*nsb-1, k, n), scaleSlot(so, 8*nsb-1, k, n) // bounds of the last block
	unpackQ4KAVX2(&row[0], nsb, &w[32*k], 32*n, &so[4*k], 16*n)
}

//go:noescape
func unpackQ6KAVX2(row *byte, nsb int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

// unpackQ6KWith runs the assembly Q6_K unpacker over the row's
// super-blocks into slot k of a tile of n rows, as unpackWith does.
func unpackQ6KWith(row []byte, k, n int, w []byte, so []float32, bias byte, off float32) {
	nsb := len(row) / 210
	if nsb == 0 {
		return
	}
	_, _ = tileSlot(w, 8*nsb-1, k, n), scaleSlot(so, 8*nsb-1, k, n) // bounds of the last block
	var mask uint32
	if off != 0 {
		mask = math.MaxUint32
	}
	unpackQ6KAVX2(&row[0], nsb, &w[32*k], 32*n, &so[4*k], 16*n, uint32(bias)*0x01010101, math.Float32bits(off), mask)
}

func unpackQ6KAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackQ6KWith(row, k, n, w, so, 0, -32)
}

func unpackQ6KSAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackQ6KWith(row, k, n, w, so, 32, 0)
}
