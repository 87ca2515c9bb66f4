#include "textflag.h"

// func quantizeQ8K512(x *float32, q *int8, bsums *int16) float32
//
// Q8_K quantization of 256 values with AVX-512 F/BW/VL, as quantizeQ8KGo:
// mx is the first value of largest magnitude (NaNs are passed over),
// iscale = -127/mx, q[j] = min(127, round-to-even(iscale·x[j])), bsums[g]
// the sum of q[16g:16g+16]; it returns 1/iscale. It returns 0 without
// writing when the largest magnitude is 0 or iscale is not finite: the
// caller then runs the Go version.
TEXT ·quantizeQ8K512(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ bsums+16(FP), DX

	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z31         // |·| mask
	VPXORD       Z1, Z1, Z1      // largest magnitude so far, per lane
	XORQ         CX, CX

amax:
	VPANDD (SI)(CX*4), Z31, Z0
	VMAXPS Z1, Z0, Z1          // a NaN in Z0 leaves Z1 as it was
	ADDQ   $16, CX
	CMPQ   CX, $256
	JLT    amax

	VEXTRACTF64X4 $1, Z1, Y2
	VMAXPS        Y2, Y1, Y1
	VEXTRACTF128  $1, Y1, X2
	VMAXPS        X2, X1, X1
	VPERMILPS     $0x4e, X1, X2
	VMAXPS        X2, X1, X1
	VPERMILPS     $0xb1, X1, X2
	VMAXPS        X2, X1, X1
	VMOVD         X1, AX
	TESTL         AX, AX
	JZ            fallback
	VBROADCASTSS  X1, Z1

	// The first value whose magnitude is the largest.
	XORQ CX, CX

find:
	VPANDD (SI)(CX*4), Z31, Z0
	VCMPPS $0, Z1, Z0, K1      // equal, ordered
	KMOVW  K1, AX
	TESTL  AX, AX
	JNZ    found
	ADDQ   $16, CX
	CMPQ   CX, $256
	JLT    find
	JMP    fallback

found:
	BSFL   AX, AX
	ADDQ   AX, CX
	VMOVSS (SI)(CX*4), X1      // mx
	MOVL   $0xc2fe0000, AX     // -127
	VMOVD  AX, X2
	VDIVSS X1, X2, X2          // iscale = -127/mx
	VMOVD  X2, AX
	ANDL   $0x7fffffff, AX
	CMPL   AX, $0x7f800000
	JAE    fallback            // iscale is ±Inf (or NaN)

	MOVL   $0x3f800000, AX     // 1
	VMOVD  AX, X5
	VDIVSS X2, X5, X5          // d = 1/iscale
	VMOVSS X5, ret+24(FP)

	VBROADCASTSS X2, Z2
	MOVL         $127, AX
	VPBROADCASTD AX, Z29
	XORQ         CX, CX

quant:
	VMULPS    (SI)(CX*4), Z2, Z0
	VCVTPS2DQ Z0, Z0             // to nearest, ties to even (the default rounding)
	VPMINSD   Z29, Z0, Z0
	VPMOVDB   Z0, X0             // truncating, as Go's int8(): a NaN lane (0x80000000) gives 0
	VMOVDQU   X0, (DI)(CX*1)
	ADDQ      $16, CX
	CMPQ      CX, $256
	JLT       quant

	// Group sums: bias the bytes to unsigned, sum each 8 with VPSADBW,
	// add pairs, take the bias (16·128) off again.
	MOVL         $0x80808080, AX
	VPBROADCASTD AX, Z28
	VPXORD       Z27, Z27, Z27
	MOVL         $0x08000800, AX  // 2048 in each word
	VMOVD        AX, X6
	VPBROADCASTD X6, X6
	XORQ         CX, CX

sums:
	VPXORD  (DI)(CX*1), Z28, Z0
	VPSADBW Z27, Z0, Z0         // eight sums of eight bytes
	VPMOVQW Z0, X0
	VPHADDW X0, X0, X0          // four group sums, biased
	VPSUBW  X6, X0, X0
	VMOVQ   X0, (DX)
	ADDQ    $8, DX
	ADDQ    $64, CX
	CMPQ    CX, $256
	JLT     sums
	VZEROUPPER
	RET

fallback:
	MOVL $0, ret+24(FP)
	VZEROUPPER
	RET
