package quant

import "math"

// Assembly versions of the row unpackers of gemm_amd64.go (Q8_0, Q4_0
// and Q6_K unsigned with an offset and signed for AMX, Q4_K unsigned):
// the batched products unpack every weight row once per call, which in Go
// costs more than the tile products themselves for batches of a few
// groups of 16 vectors. They give the same bytes and scales as the Go
// ones (unpack_amd64_test.go); the CPUs with the int8 product all have
// AVX2 and F16C.

//go:noescape
func unpackQ8_0AVX2(row *byte, nunit int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

//go:noescape
func unpackQ4_0AVX2(row *byte, nunit int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

//go:noescape
func unpackQ6KAVX2(row *byte, nunit int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

type unpackAsm func(row *byte, nunit int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)

// unpackWith checks that the row's units (blocks, or super-blocks of per
// 32-value blocks) fit slot k of a tile of n rows in w and so, then runs
// an assembly unpacker over them: each value changed by bias (repeated in
// every byte), offsets off times the scale, or exactly 0 when off is.
func unpackWith(f unpackAsm, row []byte, unitSize, per, k, n int, w []byte, so []float32, bias byte, off float32) {
	nu := len(row) / unitSize
	if nu == 0 {
		return
	}
	_, _ = tileSlot(w, per*nu-1, k, n), scaleSlot(so, per*nu-1, k, n) // bounds of the last block
	var mask uint32
	if off != 0 {
		mask = math.MaxUint32
	}
	f(&row[0], nu, &w[32*k], 32*n, &so[4*k], 16*n, uint32(bias)*0x01010101, math.Float32bits(off), mask)
}

func unpackQ8_0Asm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ8_0AVX2, row, 34, 1, k, n, w, so, 0x80, -128)
}

func unpackQ8_0SAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ8_0AVX2, row, 34, 1, k, n, w, so, 0, 0)
}

func unpackQ4_0Asm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ4_0AVX2, row, 18, 1, k, n, w, so, 0, -8)
}

func unpackQ4_0SAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ4_0AVX2, row, 18, 1, k, n, w, so, 8, 0)
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

func unpackQ6KAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ6KAVX2, row, 210, 8, k, n, w, so, 0, -32)
}

func unpackQ6KSAsm(row []byte, k, n int, w []byte, so []float32) {
	unpackWith(unpackQ6KAVX2, row, 210, 8, k, n, w, so, 32, 0)
}
