#include "textflag.h"

// The constants of the exponential (see Exp in attn.go), eight of each,
// for 256-bit memory operands.
#define C8(off, v) \
	DATA expTab<>+(off)(SB)/4, v \
	DATA expTab<>+(off+4)(SB)/4, v \
	DATA expTab<>+(off+8)(SB)/4, v \
	DATA expTab<>+(off+12)(SB)/4, v \
	DATA expTab<>+(off+16)(SB)/4, v \
	DATA expTab<>+(off+20)(SB)/4, v \
	DATA expTab<>+(off+24)(SB)/4, v \
	DATA expTab<>+(off+28)(SB)/4, v

C8(0, $-87.0)
C8(32, $1.44269504)
C8(64, $0.693145751953125)
C8(96, $1.4286068203094172e-06)
C8(128, $0.0013888889)
C8(160, $0.008333334)
C8(192, $0.041666668)
C8(224, $0.16666667)
C8(256, $0.5)
C8(288, $1.0)
C8(320, $127)
C8(352, $0xff800000)
GLOBL expTab<>(SB), RODATA|NOPTR, $384

// EXP8(x, n, p) replaces each lane of x (≤ 0) by e^x: x = n·ln2 + r, e^r by
// Horner's rule, times 2^n built in the exponent bits.
#define EXP8(x, n, p) \
	VMAXPS expTab<>+0(SB), x, x \
	VMULPS expTab<>+32(SB), x, n \
	VROUNDPS $0, n, n \
	VFNMADD231PS expTab<>+64(SB), n, x \
	VFNMADD231PS expTab<>+96(SB), n, x \
	VMOVUPS expTab<>+128(SB), p \
	VFMADD213PS expTab<>+160(SB), x, p \
	VFMADD213PS expTab<>+192(SB), x, p \
	VFMADD213PS expTab<>+224(SB), x, p \
	VFMADD213PS expTab<>+256(SB), x, p \
	VFMADD213PS expTab<>+288(SB), x, p \
	VFMADD213PS expTab<>+288(SB), x, p \
	VCVTPS2DQ n, n \
	VPADDD expTab<>+320(SB), n, n \
	VPSLLD $23, n, n \
	VMULPS n, p, x

// func scoresF16AVX2(sc *float32, k *uint16, q *float32, n, hd int)
// hd a multiple of 8, n ≥ 1.
TEXT ·scoresF16AVX2(SB), NOSPLIT, $0-40
	MOVQ sc+0(FP), DI
	MOVQ k+8(FP), SI
	MOVQ q+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), BX
	LEAQ (R8)(BX*4), R9
	LEAQ (R9)(BX*4), R10
	LEAQ (R10)(BX*4), R11
scores2Pos:
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	XORQ DX, DX
	PREFETCHT0 1024(SI)
scores2Dim:
	VCVTPH2PS (SI)(DX*2), Y0
	VFMADD231PS (R8)(DX*4), Y0, Y1
	VFMADD231PS (R9)(DX*4), Y0, Y2
	VFMADD231PS (R10)(DX*4), Y0, Y3
	VFMADD231PS (R11)(DX*4), Y0, Y4
	ADDQ $8, DX
	CMPQ DX, BX
	JLT scores2Dim
	VHADDPS Y2, Y1, Y1
	VHADDPS Y4, Y3, Y3
	VHADDPS Y3, Y1, Y1
	VEXTRACTF128 $1, Y1, X5
	VADDPS X5, X1, X1
	VMOVUPS X1, (DI)
	LEAQ (SI)(BX*2), SI
	ADDQ $16, DI
	DECQ CX
	JNZ scores2Pos
	VZEROUPPER
	RET

// func max4AVX2(sc *float32, pairs int, mx *[4]float32)
// The largest score of each head over 2·pairs positions, pairs ≥ 1.
TEXT ·max4AVX2(SB), NOSPLIT, $0-24
	MOVQ sc+0(FP), SI
	MOVQ pairs+8(FP), CX
	MOVQ mx+16(FP), DI
	VMOVUPS expTab<>+352(SB), Y0
max2Loop:
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	DECQ CX
	JNZ max2Loop
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VMOVUPS X0, (DI)
	VZEROUPPER
	RET

// func expSumAVX2(sc *float32, pairs int, scale float32, ms, sum *[4]float32)
// Replaces the scores of 2·pairs positions by e^(scale·s − ms_h) and
// stores each head's sum of them, pairs ≥ 1.
TEXT ·expSumAVX2(SB), NOSPLIT, $0-40
	MOVQ sc+0(FP), SI
	MOVQ pairs+8(FP), CX
	VBROADCASTSS scale+16(FP), Y6
	MOVQ ms+24(FP), AX
	VBROADCASTF128 (AX), Y7
	MOVQ sum+32(FP), DI
	VXORPS Y2, Y2, Y2
exp2Loop:
	VMULPS (SI), Y6, Y3
	VSUBPS Y7, Y3, Y3
	EXP8(Y3, Y4, Y5)
	VMOVUPS Y3, (SI)
	VADDPS Y3, Y2, Y2
	ADDQ $32, SI
	DECQ CX
	JNZ exp2Loop
	VEXTRACTF128 $1, Y2, X1
	VADDPS X1, X2, X2
	VMOVUPS X2, (DI)
	VZEROUPPER
	RET

// func valuesF16AVX2(o *float32, v *uint16, p *float32, n, hd int)
// hd a multiple of 8, n ≥ 1. Columns go 16 at a time (8 accumulators:
// four heads × two vectors), then 8 at a time.
TEXT ·valuesF16AVX2(SB), NOSPLIT, $0-40
	MOVQ o+0(FP), DI
	MOVQ v+8(FP), SI
	MOVQ p+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), BX
	LEAQ (BX)(BX*1), R12
	LEAQ (BX*4), R14
	LEAQ (R14)(R14*2), R11
	XORQ DX, DX
v2chunk16:
	MOVQ BX, AX
	SUBQ DX, AX
	CMPQ AX, $16
	JLT v2chunk8
	LEAQ (DI)(DX*4), R13
	VMOVUPS (R13), Y0
	VMOVUPS 32(R13), Y1
	VMOVUPS (R13)(R14*1), Y2
	VMOVUPS 32(R13)(R14*1), Y3
	VMOVUPS (R13)(R14*2), Y4
	VMOVUPS 32(R13)(R14*2), Y5
	VMOVUPS (R13)(R11*1), Y6
	VMOVUPS 32(R13)(R11*1), Y7
	LEAQ (SI)(DX*2), R9
	MOVQ R8, R10
	MOVQ CX, AX
v2loop16:
	PREFETCHT0 1024(R9)
	VCVTPH2PS (R9), Y8
	VCVTPH2PS 16(R9), Y9
	VBROADCASTSS (R10), Y10
	VBROADCASTSS 4(R10), Y11
	VBROADCASTSS 8(R10), Y12
	VBROADCASTSS 12(R10), Y13
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ R12, R9
	ADDQ $16, R10
	DECQ AX
	JNZ v2loop16
	VMOVUPS Y0, (R13)
	VMOVUPS Y1, 32(R13)
	VMOVUPS Y2, (R13)(R14*1)
	VMOVUPS Y3, 32(R13)(R14*1)
	VMOVUPS Y4, (R13)(R14*2)
	VMOVUPS Y5, 32(R13)(R14*2)
	VMOVUPS Y6, (R13)(R11*1)
	VMOVUPS Y7, 32(R13)(R11*1)
	ADDQ $16, DX
	JMP v2chunk16
v2chunk8:
	CMPQ DX, BX
	JGE v2done
	LEAQ (DI)(DX*4), R13
	VMOVUPS (R13), Y0
	VMOVUPS (R13)(R14*1), Y2
	VMOVUPS (R13)(R14*2), Y4
	VMOVUPS (R13)(R11*1), Y6
	LEAQ (SI)(DX*2), R9
	MOVQ R8, R10
	MOVQ CX, AX
v2loop8:
	VCVTPH2PS (R9), Y8
	VBROADCASTSS (R10), Y10
	VBROADCASTSS 4(R10), Y11
	VBROADCASTSS 8(R10), Y12
	VBROADCASTSS 12(R10), Y13
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y8, Y13, Y6
	ADDQ R12, R9
	ADDQ $16, R10
	DECQ AX
	JNZ v2loop8
	VMOVUPS Y0, (R13)
	VMOVUPS Y2, (R13)(R14*1)
	VMOVUPS Y4, (R13)(R14*2)
	VMOVUPS Y6, (R13)(R11*1)
	ADDQ $8, DX
	JMP v2chunk8
v2done:
	VZEROUPPER
	RET

// func toF16AVX2(dst *uint16, src *float32, n int)
// n a multiple of 8.
TEXT ·toF16AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
toF16Loop2:
	VMOVUPS (SI), Y0
	VCVTPS2PH $0, Y0, X1
	VMOVDQU X1, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, CX
	JNZ toF16Loop2
	VZEROUPPER
	RET
