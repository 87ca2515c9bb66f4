#include "textflag.h"

// Row unpackers of the int8 batched product (see unpack_amd64.go) on
// AVX2 with F16C: per block, its 32 values as bytes at (DI) (each changed
// by bias: XOR for Q8_0, subtracted for Q4_0) and its scale d and offset
// off·d (ANDed with mask, so that an absent offset is exactly 0) at (R8), both
// then advanced by a tile's stride.

// func unpackQ8_0AVX2(row *byte, nunit int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)
TEXT ·unpackQ8_0AVX2(SB), NOSPLIT, $0-60
	MOVQ row+0(FP), SI
	MOVQ nunit+8(FP), CX
	MOVQ w+16(FP), DI
	MOVQ wstep+24(FP), DX
	MOVQ so+32(FP), R8
	MOVQ sostep+40(FP), R9
	MOVL bias+48(FP), AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL off+52(FP), AX
	VMOVD AX, X14
	MOVL mask+56(FP), AX
	VMOVD AX, X13
	TESTQ CX, CX
	JLE done8

loop8:
	VPXOR 2(SI), Y15, Y0
	VMOVDQU Y0, (DI)
	MOVWLZX (SI), AX
	VMOVD AX, X1
	VCVTPH2PS X1, X1
	VMULSS X14, X1, X2
	VANDPS X13, X2, X2
	VMOVSS X1, (R8)
	VMOVSS X2, 4(R8)
	ADDQ $34, SI
	ADDQ DX, DI
	ADDQ R9, R8
	DECQ CX
	JNZ loop8

done8:
	VZEROUPPER
	RET

// func unpackQ4_0AVX2(row *byte, nunit int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)
TEXT ·unpackQ4_0AVX2(SB), NOSPLIT, $0-60
	MOVQ row+0(FP), SI
	MOVQ nunit+8(FP), CX
	MOVQ w+16(FP), DI
	MOVQ wstep+24(FP), DX
	MOVQ so+32(FP), R8
	MOVQ sostep+40(FP), R9
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, X15
	MOVL bias+48(FP), AX
	VMOVD AX, X12
	VPBROADCASTD X12, X12
	MOVL off+52(FP), AX
	VMOVD AX, X14
	MOVL mask+56(FP), AX
	VMOVD AX, X13
	TESTQ CX, CX
	JLE done4

loop4:
	VMOVDQU 2(SI), X0
	VPSRLW $4, X0, X1
	VPAND X15, X0, X0
	VPAND X15, X1, X1
	VPSUBB X12, X0, X0
	VPSUBB X12, X1, X1
	VMOVDQU X0, (DI)
	VMOVDQU X1, 16(DI)
	MOVWLZX (SI), AX
	VMOVD AX, X1
	VCVTPH2PS X1, X1
	VMULSS X14, X1, X2
	VANDPS X13, X2, X2
	VMOVSS X1, (R8)
	VMOVSS X2, 4(R8)
	ADDQ $18, SI
	ADDQ DX, DI
	ADDQ R9, R8
	DECQ CX
	JNZ loop4

done4:
	VZEROUPPER
	RET

// Q4_K: the two blocks of the 32 bytes of nibbles at OFF(SI), low
// nibbles then high, each stored at (DI) with its (scale, offset) pair
// from PAIRS (low half, then high), DI and R8 moving on a tile's stride.
#define Q4KPAIR(OFF, PAIRS) \
	VMOVDQU OFF(SI), Y6 \
	VPSRLW $4, Y6, Y7 \
	VPAND Y15, Y6, Y6 \
	VPAND Y15, Y7, Y7 \
	VMOVDQU Y6, (DI) \
	VMOVQ PAIRS, (R8) \
	ADDQ DX, DI \
	ADDQ R9, R8 \
	VMOVDQU Y7, (DI) \
	VPEXTRQ $1, PAIRS, (R8) \
	ADDQ DX, DI \
	ADDQ R9, R8

// func unpackQ4KAVX2(row *byte, nsb int, w *byte, wstep int, so *float32, sostep int)
//
// Q4_K super-blocks (144 bytes: d, dmin, twelve bytes of 6-bit scales and
// mins, 128 bytes of nibbles) as unpackQ4K: for each of the four 32-byte
// runs of nibbles, the low ones are one block and the high ones the next;
// each block's scale d·s and offset −dmin·m go to its pair in (R8).
TEXT ·unpackQ4KAVX2(SB), NOSPLIT, $0-48
	MOVQ row+0(FP), SI
	MOVQ nsb+8(FP), CX
	MOVQ w+16(FP), DI
	MOVQ wstep+24(FP), DX
	MOVQ so+32(FP), R8
	MOVQ sostep+40(FP), R9
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	TESTQ CX, CX
	JLE doneK

loopK:
	// Scales and mins as bytes: for j < 4 the low six bits of bytes j
	// and j+4; for j ≥ 4 the nibbles of byte j+4 with the top two bits
	// of bytes j−4 and j.
	MOVL 4(SI), R10  // a0: bytes 0..3
	MOVL 8(SI), R11  // a1: bytes 4..7
	MOVL 12(SI), R12 // a2: bytes 8..11
	MOVL R10, AX
	ANDL $0x3f3f3f3f, AX // scales 0..3
	MOVL R12, BX
	ANDL $0x0f0f0f0f, BX
	MOVL R10, R13
	SHRL $2, R13
	ANDL $0x30303030, R13
	ORL  R13, BX // scales 4..7
	SHLQ $32, BX
	ORQ  AX, BX
	VMOVQ BX, X0 // eight scales
	MOVL R11, AX
	ANDL $0x3f3f3f3f, AX // mins 0..3
	MOVL R12, BX
	SHRL $4, BX
	ANDL $0x0f0f0f0f, BX
	MOVL R11, R13
	SHRL $2, R13
	ANDL $0x30303030, R13
	ORL  R13, BX // mins 4..7
	SHLQ $32, BX
	ORQ  AX, BX
	VMOVQ BX, X1 // eight mins
	VPMOVZXBD X0, Y0
	VPMOVZXBD X1, Y1
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	MOVWLZX (SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2
	VBROADCASTSS X2, Y2 // d
	MOVWLZX 2(SI), AX
	VMOVD AX, X3
	VCVTPH2PS X3, X3
	MOVL $0x80000000, AX
	VMOVD AX, X4
	VXORPS X4, X3, X3
	VBROADCASTSS X3, Y3 // −dmin
	VMULPS Y2, Y0, Y0   // d·s
	VMULPS Y3, Y1, Y1   // −dmin·m
	VUNPCKLPS Y1, Y0, Y4 // pairs of blocks 0, 1 | 4, 5
	VUNPCKHPS Y1, Y0, Y5 // pairs of blocks 2, 3 | 6, 7

	Q4KPAIR(16, X4)
	Q4KPAIR(48, X5)
	VEXTRACTF128 $1, Y4, X4
	VEXTRACTF128 $1, Y5, X5
	Q4KPAIR(80, X4)
	Q4KPAIR(112, X5)

	ADDQ $144, SI
	DECQ CX
	JNZ loopK

doneK:
	VZEROUPPER
	RET

// Q6_K: one block of 32 six-bit values of a half: the nibbles of QL
// (shifted right by NSH) with the high bit pairs already at bits 4-5 of
// Y9 (before masking), less the bias; stored at (DI), which then moves on
// a tile's stride.
#define Q6BLOCK(QL, NSH) \
	VPSRLW $NSH, QL, Y8 \
	VPAND Y15, Y8, Y8 \
	VPAND Y13, Y9, Y9 \
	VPOR Y9, Y8, Y8 \
	VPSUBB Y12, Y8, Y8 \
	VMOVDQU Y8, (DI) \
	ADDQ DX, DI

// func unpackQ6KAVX2(row *byte, nunit int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)
//
// Q6_K super-blocks (210 bytes: 128 of low nibbles, 64 of high bit pairs,
// sixteen int8 scales, d) as unpackQ6K (bias 0, off −32) and unpackQ6KS
// (bias 32, mask 0): each block's values less the bias, and its two
// halves' scales d·s with their offsets off·d·s (ANDed with mask).
TEXT ·unpackQ6KAVX2(SB), NOSPLIT, $0-60
	MOVQ row+0(FP), SI
	MOVQ nunit+8(FP), CX
	MOVQ w+16(FP), DI
	MOVQ wstep+24(FP), DX
	MOVQ so+32(FP), R8
	MOVQ sostep+40(FP), R9
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x30303030, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL bias+48(FP), AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL off+52(FP), AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	MOVL mask+56(FP), AX
	VMOVD AX, X10
	VPBROADCASTD X10, Y10
	TESTQ CX, CX
	JLE done6

loop6:
	// Scales: s[0..7] in Y0, s[8..15] in Y1 (times d), offsets in Y2, Y3.
	VPMOVSXBD 192(SI), Y0
	VPMOVSXBD 200(SI), Y1
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	MOVWLZX 208(SI), AX
	VMOVD AX, X4
	VCVTPH2PS X4, X4
	VBROADCASTSS X4, Y4
	VMULPS Y4, Y0, Y0
	VMULPS Y4, Y1, Y1
	VMULPS Y11, Y0, Y2
	VMULPS Y11, Y1, Y3
	VANDPS Y10, Y2, Y2
	VANDPS Y10, Y3, Y3
	VUNPCKLPS Y2, Y0, Y4 // blocks 0 | 2
	VUNPCKHPS Y2, Y0, Y5 // blocks 1 | 3
	VUNPCKLPS Y3, Y1, Y6 // blocks 4 | 6
	VUNPCKHPS Y3, Y1, Y7 // blocks 5 | 7

	// First half: ql at 0 and 32, qh at 128.
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 128(SI), Y2
	VPSLLW $4, Y2, Y9
	Q6BLOCK(Y0, 0)
	VPSLLW $2, Y2, Y9
	Q6BLOCK(Y1, 0)
	VMOVDQA Y2, Y9
	Q6BLOCK(Y0, 4)
	VPSRLW $2, Y2, Y9
	Q6BLOCK(Y1, 4)
	// Second half: ql at 64 and 96, qh at 160.
	VMOVDQU 64(SI), Y0
	VMOVDQU 96(SI), Y1
	VMOVDQU 160(SI), Y2
	VPSLLW $4, Y2, Y9
	Q6BLOCK(Y0, 0)
	VPSLLW $2, Y2, Y9
	Q6BLOCK(Y1, 0)
	VMOVDQA Y2, Y9
	Q6BLOCK(Y0, 4)
	VPSRLW $2, Y2, Y9
	Q6BLOCK(Y1, 4)

	// The eight blocks' scale slots, in order.
	VMOVUPS X4, (R8)
	ADDQ R9, R8
	VMOVUPS X5, (R8)
	ADDQ R9, R8
	VEXTRACTF128 $1, Y4, (R8)
	ADDQ R9, R8
	VEXTRACTF128 $1, Y5, (R8)
	ADDQ R9, R8
	VMOVUPS X6, (R8)
	ADDQ R9, R8
	VMOVUPS X7, (R8)
	ADDQ R9, R8
	VEXTRACTF128 $1, Y6, (R8)
	ADDQ R9, R8
	VEXTRACTF128 $1, Y7, (R8)
	ADDQ R9, R8

	ADDQ $210, SI
	DECQ CX
	JNZ loop6

done6:
	VZEROUPPER
	RET
