#include "textflag.h"

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
