#include "textflag.h"

// func gemmF32AVX512(w *float32, stride int, pa *float32, n int, out *[128]float32)
// Four float32 rows (stride bytes apart, n values each, n a multiple of
// 4) times 32 vectors packed one per lane (per value, the 32 vectors'
// values in two registers): out[32k+v] = row k · vector v. Each weight is
// broadcast once for the 32 vectors; eight independent sums.
#define FSTEP(off, aoff) \
	VMOVUPS aoff(DI), Z0 \
	VMOVUPS (aoff+64)(DI), Z1 \
	VBROADCASTSS off(SI), Z2 \
	VBROADCASTSS off(R8), Z3 \
	VBROADCASTSS off(R9), Z4 \
	VBROADCASTSS off(R10), Z5 \
	VFMADD231PS Z2, Z0, Z16 \
	VFMADD231PS Z2, Z1, Z17 \
	VFMADD231PS Z3, Z0, Z18 \
	VFMADD231PS Z3, Z1, Z19 \
	VFMADD231PS Z4, Z0, Z20 \
	VFMADD231PS Z4, Z1, Z21 \
	VFMADD231PS Z5, Z0, Z22 \
	VFMADD231PS Z5, Z1, Z23

TEXT ·gemmF32AVX512(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), AX
	LEAQ (SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	MOVQ pa+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
floop:
	FSTEP(0, 0)
	FSTEP(4, 128)
	FSTEP(8, 256)
	FSTEP(12, 384)
	ADDQ $16, SI
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	ADDQ $512, DI
	DECQ CX
	JNZ floop
	MOVQ out+32(FP), AX
	VMOVUPS Z16, 0(AX)
	VMOVUPS Z17, 64(AX)
	VMOVUPS Z18, 128(AX)
	VMOVUPS Z19, 192(AX)
	VMOVUPS Z20, 256(AX)
	VMOVUPS Z21, 320(AX)
	VMOVUPS Z22, 384(AX)
	VMOVUPS Z23, 448(AX)
	VZEROUPPER
	RET

// func cvtF16AVX512(dst *float32, src *byte, n int)
// Converts n half-precision values (n a positive multiple of 16).
TEXT ·cvtF16AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
cvtloop:
	VCVTPH2PS (SI), Z0
	VMOVUPS Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNZ cvtloop
	VZEROUPPER
	RET
