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
