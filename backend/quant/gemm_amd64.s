#include "textflag.h"

// Batched products on AVX-512 VNNI: four weight rows unpacked to unsigned
// bytes (see gemm_amd64.go: per 32-value block, row k's 32 values at
// 32k, and its scales at 16k of the scale array) times 16 vectors packed
// one per lane (per block, eight registers of quad q of every vector's
// signed values, then the vectors' scales and scaled sums). Each weight
// quad is broadcast once and multiplied with the 16 vectors by one
// VPDPBUSD; the block's integer sums are scaled in float: for row k and
// vector v, sum += da·(s·Σw·a) + o·(da·Σa), s and o being the row's scale
// and offset for the block (value = s·w + o).

// QUAD multiplies quad q of the block (act register za, byte offset off
// in each row) into the rows' accumulators.
#define QUAD(off, za, a0, a1, a2, a3) \
	VPBROADCASTD off(SI), Z24 \
	VPBROADCASTD (32+off)(SI), Z25 \
	VPBROADCASTD (64+off)(SI), Z26 \
	VPBROADCASTD (96+off)(SI), Z27 \
	VPDPBUSD za, Z24, a0 \
	VPDPBUSD za, Z25, a1 \
	VPDPBUSD za, Z26, a2 \
	VPDPBUSD za, Z27, a3

// FIX adds a row's integer sums (two chains) to its float sum: scale at
// so(BX), offset at oo(BX), vector scales Z8 and scaled sums zy.
#define FIX(acc, acc2, sum, so, oo, zy, t) \
	VPADDD acc2, acc, t \
	VPXORD acc, acc, acc \
	VPXORD acc2, acc2, acc2 \
	VCVTDQ2PS t, t \
	VMULPS.BCST so(BX), t, t \
	VFMADD231PS Z8, t, sum \
	VFMADD231PS.BCST oo(BX), zy, sum

#define LOADACTS \
	VMOVDQU32 0(DI), Z0 \
	VMOVDQU32 64(DI), Z1 \
	VMOVDQU32 128(DI), Z2 \
	VMOVDQU32 192(DI), Z3 \
	VMOVDQU32 256(DI), Z4 \
	VMOVDQU32 320(DI), Z5 \
	VMOVDQU32 384(DI), Z6 \
	VMOVDQU32 448(DI), Z7 \
	VMOVUPS 0(DX), Z8 \
	VMOVUPS 64(DX), Z9 \
	VMOVUPS 128(DX), Z10 \
	VMOVUPS 192(DX), Z11

#define QUADS03 \
	QUAD(0, Z0, Z12, Z14, Z16, Z18) \
	QUAD(4, Z1, Z13, Z15, Z17, Z19) \
	QUAD(8, Z2, Z12, Z14, Z16, Z18) \
	QUAD(12, Z3, Z13, Z15, Z17, Z19)

#define QUADS47 \
	QUAD(16, Z4, Z12, Z14, Z16, Z18) \
	QUAD(20, Z5, Z13, Z15, Z17, Z19) \
	QUAD(24, Z6, Z12, Z14, Z16, Z18) \
	QUAD(28, Z7, Z13, Z15, Z17, Z19)

#define PROLOGUE \
	MOVQ w+0(FP), SI \
	MOVQ so+8(FP), BX \
	MOVQ pq+16(FP), DI \
	MOVQ pf+24(FP), DX \
	MOVQ nblk+32(FP), CX \
	VPXORD Z12, Z12, Z12 \
	VPXORD Z13, Z13, Z13 \
	VPXORD Z14, Z14, Z14 \
	VPXORD Z15, Z15, Z15 \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23

#define NEXT \
	ADDQ $128, SI \
	ADDQ $64, BX \
	ADDQ $512, DI \
	ADDQ $256, DX \
	DECQ CX

#define EPILOGUE \
	MOVQ out+40(FP), AX \
	VMOVUPS Z20, 0(AX) \
	VMOVUPS Z21, 64(AX) \
	VMOVUPS Z22, 128(AX) \
	VMOVUPS Z23, 192(AX) \
	VZEROUPPER \
	RET

// func gemm32VNNI(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[64]float32)
// One scale and offset per 32-value block (at 0 and 4 of each row's 16
// bytes); the vectors' scaled sums per 32 values.
TEXT ·gemm32VNNI(SB), NOSPLIT, $0-48
	PROLOGUE
g32loop:
	LOADACTS
	QUADS03
	QUADS47
	FIX(Z12, Z13, Z20, 0, 4, Z9, Z28)
	FIX(Z14, Z15, Z21, 16, 20, Z9, Z29)
	FIX(Z16, Z17, Z22, 32, 36, Z9, Z30)
	FIX(Z18, Z19, Z23, 48, 52, Z9, Z31)
	NEXT
	JNZ g32loop
	EPILOGUE

// func gemm16VNNI(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[64]float32)
// A scale and offset per 16 values (values 0-15 at 0 and 4, 16-31 at 8
// and 12 of each row's 16 bytes); the vectors' scaled sums per 16 values.
TEXT ·gemm16VNNI(SB), NOSPLIT, $0-48
	PROLOGUE
g16loop:
	LOADACTS
	QUADS03
	FIX(Z12, Z13, Z20, 0, 4, Z10, Z28)
	FIX(Z14, Z15, Z21, 16, 20, Z10, Z29)
	FIX(Z16, Z17, Z22, 32, 36, Z10, Z30)
	FIX(Z18, Z19, Z23, 48, 52, Z10, Z31)
	QUADS47
	FIX(Z12, Z13, Z20, 8, 12, Z11, Z28)
	FIX(Z14, Z15, Z21, 24, 28, Z11, Z29)
	FIX(Z16, Z17, Z22, 40, 44, Z11, Z30)
	FIX(Z18, Z19, Z23, 56, 60, Z11, Z31)
	NEXT
	JNZ g16loop
	EPILOGUE
