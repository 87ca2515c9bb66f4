#include "textflag.h"

// Row unpackers of the int8 batched product (see unpack_amd64.go) on
// AVX2 with F16C: per block, its 32 values as bytes at (DI) (each changed
// by bias: XOR for Q8_0, subtracted for Q4_0) and its scale d and offset
// off·d (ANDed with mask, so that an absent offset is exactly 0) at (R8), both
// then advanced by a tile's stride.

// func unpackQ8_0AVX2(row *byte, nblk int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)
TEXT ·unpackQ8_0AVX2(SB), NOSPLIT, $0-60
	MOVQ row+0(FP), SI
	MOVQ nblk+8(FP), CX
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

// func unpackQ4_0AVX2(row *byte, nblk int, w *byte, wstep int, so *float32, sostep int, bias, off, mask uint32)
TEXT ·unpackQ4_0AVX2(SB), NOSPLIT, $0-60
	MOVQ row+0(FP), SI
	MOVQ nblk+8(FP), CX
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

	// Blocks 0 and 1.
	VMOVDQU 16(SI), Y6
	VPSRLW $4, Y6, Y7
	VPAND Y15, Y6, Y6
	VPAND Y15, Y7, Y7
	VMOVDQU Y6, (DI)
	VMOVQ X4, (R8)
	ADDQ DX, DI
	ADDQ R9, R8
	VMOVDQU Y7, (DI)
	VPEXTRQ $1, X4, (R8)
	ADDQ DX, DI
	ADDQ R9, R8
	// Blocks 2 and 3.
	VMOVDQU 48(SI), Y6
	VPSRLW $4, Y6, Y7
	VPAND Y15, Y6, Y6
	VPAND Y15, Y7, Y7
	VMOVDQU Y6, (DI)
	VMOVQ X5, (R8)
	ADDQ DX, DI
	ADDQ R9, R8
	VMOVDQU Y7, (DI)
	VPEXTRQ $1, X5, (R8)
	ADDQ DX, DI
	ADDQ R9, R8
	VEXTRACTF128 $1, Y4, X4
	VEXTRACTF128 $1, Y5, X5
	// Blocks 4 and 5.
	VMOVDQU 80(SI), Y6
	VPSRLW $4, Y6, Y7
	VPAND Y15, Y6, Y6
	VPAND Y15, Y7, Y7
	VMOVDQU Y6, (DI)
	VMOVQ X4, (R8)
	ADDQ DX, DI
	ADDQ R9, R8
	VMOVDQU Y7, (DI)
	VPEXTRQ $1, X4, (R8)
	ADDQ DX, DI
	ADDQ R9, R8
	// Blocks 6 and 7.
	VMOVDQU 112(SI), Y6
	VPSRLW $4, Y6, Y7
	VPAND Y15, Y6, Y6
	VPAND Y15, Y7, Y7
	VMOVDQU Y6, (DI)
	VMOVQ X5, (R8)
	ADDQ DX, DI
	ADDQ R9, R8
	VMOVDQU Y7, (DI)
	VPEXTRQ $1, X5, (R8)
	ADDQ DX, DI
	ADDQ R9, R8

	ADDQ $144, SI
	DECQ CX
	JNZ loopK

doneK:
	VZEROUPPER
	RET
