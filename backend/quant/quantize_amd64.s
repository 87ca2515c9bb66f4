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

// func quantizeQ8_0Blocks512(x *float32, q *int8, d, s *float32, nblk int) int
//
// Q8_0 quantization of nblk blocks of 32 values with AVX-512 F/BW/VL, as
// quantizeQ8_0Go: amax the largest magnitude, dd = amax/127, id = 1/dd
// (0 when dd is 0), q = v·id rounded half away from zero (the truncation
// of v·id, plus its sign when the part cut off is at least one half: both
// exact in float32), d = dd through half precision (to nearest, ties to
// even) and s = d·Σq. It returns how many blocks it did: it stops before
// a block with a NaN or an infinity, or whose id overflows, which the
// caller does in Go.
TEXT ·quantizeQ8_0Blocks512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ d+16(FP), R8
	MOVQ s+24(FP), R9
	MOVQ nblk+32(FP), R10
	XORQ R11, R11 // blocks done

	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z31           // |·| mask
	MOVL         $0x80000000, AX
	VPBROADCASTD AX, Z29           // sign bit
	MOVL         $0x3f000000, AX
	VPBROADCASTD AX, Z30           // 0.5
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z28           // 1

q80loop:
	CMPQ R11, R10
	JGE  q80done
	VMOVUPS  (SI), Z0
	VMOVUPS  64(SI), Z1
	VCMPPS   $3, Z0, Z0, K1        // unordered: NaN
	VCMPPS   $3, Z1, Z1, K2
	KORTESTW K1, K2
	JNZ      q80done
	VPANDD   Z0, Z31, Z2
	VPANDD   Z1, Z31, Z3
	VMAXPS   Z3, Z2, Z2
	VEXTRACTF64X4 $1, Z2, Y3
	VMAXPS   Y3, Y2, Y2
	VEXTRACTF128 $1, Y2, X3
	VMAXPS   X3, X2, X2
	VPERMILPS $0x4e, X2, X3
	VMAXPS   X3, X2, X2
	VPERMILPS $0xb1, X2, X3
	VMAXPS   X3, X2, X2            // amax
	VMOVD    X2, AX
	CMPL     AX, $0x7f800000
	JAE      q80done               // an infinity
	MOVL     $0x42fe0000, AX       // 127
	VMOVD    AX, X3
	VDIVSS   X3, X2, X3            // dd = amax/127
	VXORPS   X4, X4, X4            // id = 0 when dd is 0
	VMOVD    X3, AX
	TESTL    AX, AX
	JZ       q80id
	MOVL     $0x3f800000, AX
	VMOVD    AX, X4
	VDIVSS   X3, X4, X4            // id = 1/dd
	VMOVD    X4, AX
	CMPL     AX, $0x7f800000
	JAE      q80done               // id overflowed

q80id:
	VBROADCASTSS X4, Z4
	VMULPS   Z4, Z0, Z0            // t
	VMULPS   Z4, Z1, Z1
	VRNDSCALEPS $0x0b, Z0, Z5      // trunc(t)
	VRNDSCALEPS $0x0b, Z1, Z6
	VSUBPS   Z5, Z0, Z7            // t - trunc(t), exact
	VSUBPS   Z6, Z1, Z8
	VPANDD   Z7, Z31, Z7
	VPANDD   Z8, Z31, Z8
	VCMPPS   $0x1d, Z30, Z7, K1    // ≥ 0.5
	VCMPPS   $0x1d, Z30, Z8, K2
	VPANDD   Z0, Z29, Z9           // ±1 with t's sign
	VPORD    Z9, Z28, Z9
	VPANDD   Z1, Z29, Z10
	VPORD    Z10, Z28, Z10
	VADDPS   Z9, Z5, K1, Z5
	VADDPS   Z10, Z6, K2, Z6
	VCVTTPS2DQ Z5, Z5
	VCVTTPS2DQ Z6, Z6
	VPMOVDB  Z5, X11               // truncating, as Go's int8()
	VPMOVDB  Z6, X12
	VMOVDQU  X11, (DI)
	VMOVDQU  X12, 16(DI)
	VPADDD   Z6, Z5, Z5            // Σq
	VEXTRACTI64X4 $1, Z5, Y6
	VPADDD   Y6, Y5, Y5
	VEXTRACTI128 $1, Y5, X6
	VPADDD   X6, X5, X5
	VPSHUFD  $0x4e, X5, X6
	VPADDD   X6, X5, X5
	VPSHUFD  $0xb1, X5, X6
	VPADDD   X6, X5, X5
	VMOVD    X5, AX
	VCVTPS2PH $0, X3, X7           // dd to half precision and back
	VCVTPH2PS X7, X7
	VMOVSS   X7, (R8)
	VCVTSI2SSL AX, X8, X8
	VMULSS   X8, X7, X8
	VMOVSS   X8, (R9)

	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $4, R9
	INCQ R11
	JMP  q80loop

q80done:
	MOVQ R11, ret+40(FP)
	VZEROUPPER
	RET
