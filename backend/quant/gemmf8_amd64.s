#include "textflag.h"

// F8STEP multiplies value i of the eight rows (woff = 4i bytes into each
// row) with value i of the 32 vectors (poff = 128i bytes into pa),
// adding to the sixteen sums.
#define F8STEP(woff, poff) \
	VMOVUPS poff(DI), Z0 \
	VMOVUPS (poff+64)(DI), Z1 \
	VBROADCASTSS woff(SI), Z2 \
	VBROADCASTSS woff(SI)(AX*1), Z3 \
	VBROADCASTSS woff(SI)(AX*2), Z4 \
	VBROADCASTSS woff(R11), Z5 \
	VBROADCASTSS woff(R8), Z6 \
	VBROADCASTSS woff(R8)(AX*1), Z7 \
	VBROADCASTSS woff(R8)(AX*2), Z8 \
	VBROADCASTSS woff(R12), Z9 \
	VFMADD231PS Z2, Z0, Z16 \
	VFMADD231PS Z2, Z1, Z17 \
	VFMADD231PS Z3, Z0, Z18 \
	VFMADD231PS Z3, Z1, Z19 \
	VFMADD231PS Z4, Z0, Z20 \
	VFMADD231PS Z4, Z1, Z21 \
	VFMADD231PS Z5, Z0, Z22 \
	VFMADD231PS Z5, Z1, Z23 \
	VFMADD231PS Z6, Z0, Z24 \
	VFMADD231PS Z6, Z1, Z25 \
	VFMADD231PS Z7, Z0, Z26 \
	VFMADD231PS Z7, Z1, Z27 \
	VFMADD231PS Z8, Z0, Z28 \
	VFMADD231PS Z8, Z1, Z29 \
	VFMADD231PS Z9, Z0, Z30 \
	VFMADD231PS Z9, Z1, Z31

// func gemmF32x8AVX512(w *float32, stride int, pa *float32, n int, acc *[256]float32)
// Eight float32 rows (stride bytes apart, n values each, n a multiple of
// 4) times 32 vectors packed one per lane (per value, the 32 vectors'
// values in two registers), added to acc: acc[32k+v] += row k · vector v.
// Each weight is broadcast once for the 32 vectors; sixteen independent
// sums. The caller keeps n small enough for the vectors' values to stay
// in L1 while it passes every row tile over them.
TEXT ·gemmF32x8AVX512(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), AX
	LEAQ (SI)(AX*4), R8
	LEAQ (AX)(AX*2), R9
	LEAQ (SI)(R9*1), R11
	LEAQ (R8)(R9*1), R12
	MOVQ pa+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $1, CX
	MOVQ acc+32(FP), R10
	VMOVUPS 0(R10), Z16
	VMOVUPS 64(R10), Z17
	VMOVUPS 128(R10), Z18
	VMOVUPS 192(R10), Z19
	VMOVUPS 256(R10), Z20
	VMOVUPS 320(R10), Z21
	VMOVUPS 384(R10), Z22
	VMOVUPS 448(R10), Z23
	VMOVUPS 512(R10), Z24
	VMOVUPS 576(R10), Z25
	VMOVUPS 640(R10), Z26
	VMOVUPS 704(R10), Z27
	VMOVUPS 768(R10), Z28
	VMOVUPS 832(R10), Z29
	VMOVUPS 896(R10), Z30
	VMOVUPS 960(R10), Z31
f8loop:
	F8STEP(0, 0)
	F8STEP(4, 128)
	ADDQ $8, SI
	ADDQ $8, R8
	ADDQ $8, R11
	ADDQ $8, R12
	ADDQ $256, DI
	DECQ CX
	JNZ f8loop
	VMOVUPS Z16, 0(R10)
	VMOVUPS Z17, 64(R10)
	VMOVUPS Z18, 128(R10)
	VMOVUPS Z19, 192(R10)
	VMOVUPS Z20, 256(R10)
	VMOVUPS Z21, 320(R10)
	VMOVUPS Z22, 384(R10)
	VMOVUPS Z23, 448(R10)
	VMOVUPS Z24, 512(R10)
	VMOVUPS Z25, 576(R10)
	VMOVUPS Z26, 640(R10)
	VMOVUPS Z27, 704(R10)
	VMOVUPS Z28, 768(R10)
	VMOVUPS Z29, 832(R10)
	VMOVUPS Z30, 896(R10)
	VMOVUPS Z31, 960(R10)
	VZEROUPPER
	RET
