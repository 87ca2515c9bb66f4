#include "textflag.h"

// HSUM4(a, b, c, d, ha) stores the lane sums of the four vectors a..d in
// ha (the X form of a): ha[i] = Σ lanes of the i-th vector.
#define HSUM4(a, b, c, d, ha) \
	VHADDPS b, a, a \
	VHADDPS d, c, c \
	VHADDPS c, a, a \
	VEXTRACTF128 $1, a, X15 \
	VADDPS X15, ha, ha


// func dotF32AVX2(a, b *float32, n int) float32
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
f32loop:
	VMOVUPS (SI), Y1
	VMOVUPS 32(SI), Y2
	VMOVUPS 64(SI), Y3
	VMOVUPS 96(SI), Y4
	VFMADD231PS (DI), Y1, Y0
	VFMADD231PS 32(DI), Y2, Y5
	VFMADD231PS 64(DI), Y3, Y6
	VFMADD231PS 96(DI), Y4, Y7
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JNZ f32loop
	VADDPS Y5, Y0, Y0
	VADDPS Y7, Y6, Y6
	VADDPS Y6, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func axpyAVX2(a float32, x, y *float32, n int)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
axpyloop:
	VMOVUPS (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ axpyloop
	VZEROUPPER
	RET

// func dot4AVX2(w, x *float32, stride, n int, out *[4]float32)
// out[i] = w·x[i·stride:], i < 4: each load of w serves four products.
TEXT ·dot4AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ stride+16(FP), BX
	SHLQ $2, BX
	MOVQ n+24(FP), CX
	LEAQ (DI)(BX*1), R8
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
dot4loop:
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS (R8), Y8, Y1
	VFMADD231PS (R9), Y8, Y2
	VFMADD231PS (R10), Y8, Y3
	VFMADD231PS 32(DI), Y9, Y4
	VFMADD231PS 32(R8), Y9, Y5
	VFMADD231PS 32(R9), Y9, Y6
	VFMADD231PS 32(R10), Y9, Y7
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	SUBQ $16, CX
	JNZ dot4loop
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	HSUM4(Y0, Y1, Y2, Y3, X0)
	MOVQ out+32(FP), AX
	VMOVUPS X0, (AX)
	VZEROUPPER
	RET

// func dotI8AVX2(a, b *int8, n int) int32
// Σ a[i]·b[i] for n a multiple of 32: |b| (unsigned) times sign(b)·a
// (signed) in pairs, pairs to int32 by ones; values in [-127, 127].
TEXT ·dotI8AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VPXOR Y0, Y0, Y0
	VPXOR Y5, Y5, Y5
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
i8loop:
	VMOVDQU (SI), Y1
	VMOVDQU (DI), Y2
	VPSIGNB Y2, Y1, Y1
	VPABSB Y2, Y2
	VPMADDUBSW Y1, Y2, Y1
	VPMADDWD Y15, Y1, Y1
	VPADDD Y1, Y0, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $32, CX
	JNZ i8loop
	VEXTRACTI128 $1, Y0, X1
	VPADDD X1, X0, X0
	VPHADDD X0, X0, X0
	VPHADDD X0, X0, X0
	VMOVD X0, AX
	VZEROUPPER
	MOVL AX, ret+24(FP)
	RET

// func dot2x4AVX2(w0, w1, x *float32, stride, n int, out *[8]float32)
// out[4r+i] = w_r·x[i·stride:] for rows r < 2 and vectors i < 4: each
// load of x serves both rows and each load of w four vectors, so a
// batched product does 6 loads per 8 multiply-adds (Dot4 does 5 per 4).
TEXT ·dot2x4AVX2(SB), NOSPLIT, $0-48
	MOVQ w0+0(FP), SI
	MOVQ w1+8(FP), DX
	MOVQ x+16(FP), DI
	MOVQ stride+24(FP), BX
	SHLQ $2, BX
	MOVQ n+32(FP), CX
	SHLQ $2, CX
	LEAQ (DI)(BX*1), R8
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	XORQ AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
dot2x4loop:
	VMOVUPS (SI)(AX*1), Y8
	VMOVUPS (DX)(AX*1), Y9
	VMOVUPS (DI)(AX*1), Y10
	VMOVUPS (R8)(AX*1), Y11
	VMOVUPS (R9)(AX*1), Y12
	VMOVUPS (R10)(AX*1), Y13
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y4
	VFMADD231PS Y11, Y8, Y1
	VFMADD231PS Y11, Y9, Y5
	VFMADD231PS Y12, Y8, Y2
	VFMADD231PS Y12, Y9, Y6
	VFMADD231PS Y13, Y8, Y3
	VFMADD231PS Y13, Y9, Y7
	ADDQ $32, AX
	CMPQ AX, CX
	JLT dot2x4loop
	MOVQ out+40(FP), AX
	HSUM4(Y0, Y1, Y2, Y3, X0)
	VMOVUPS X0, (AX)
	HSUM4(Y4, Y5, Y6, Y7, X4)
	VMOVUPS X4, 16(AX)
	VZEROUPPER
	RET

// func dot2x4AVX512(w0, w1, x *float32, stride, n int, out *[8]float32)
// dot2x4AVX2 on 512-bit registers (16 values a step, two FMA units' worth
// of work per load): the batched F16/F32 products are compute-bound.
TEXT ·dot2x4AVX512(SB), NOSPLIT, $0-48
	MOVQ w0+0(FP), SI
	MOVQ w1+8(FP), DX
	MOVQ x+16(FP), DI
	MOVQ stride+24(FP), BX
	SHLQ $2, BX
	MOVQ n+32(FP), CX
	SHLQ $2, CX
	LEAQ (DI)(BX*1), R8
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	XORQ AX, AX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
dot2x4loop512:
	VMOVUPS (SI)(AX*1), Z8
	VMOVUPS (DX)(AX*1), Z9
	VMOVUPS (DI)(AX*1), Z10
	VMOVUPS (R8)(AX*1), Z11
	VMOVUPS (R9)(AX*1), Z12
	VMOVUPS (R10)(AX*1), Z13
	VFMADD231PS Z10, Z8, Z0
	VFMADD231PS Z10, Z9, Z4
	VFMADD231PS Z11, Z8, Z1
	VFMADD231PS Z11, Z9, Z5
	VFMADD231PS Z12, Z8, Z2
	VFMADD231PS Z12, Z9, Z6
	VFMADD231PS Z13, Z8, Z3
	VFMADD231PS Z13, Z9, Z7
	ADDQ $64, AX
	CMPQ AX, CX
	JLT dot2x4loop512
	VEXTRACTF64X4 $1, Z0, Y16
	VADDPS Y16, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y17
	VADDPS Y17, Y1, Y1
	VEXTRACTF64X4 $1, Z2, Y18
	VADDPS Y18, Y2, Y2
	VEXTRACTF64X4 $1, Z3, Y19
	VADDPS Y19, Y3, Y3
	VEXTRACTF64X4 $1, Z4, Y16
	VADDPS Y16, Y4, Y4
	VEXTRACTF64X4 $1, Z5, Y17
	VADDPS Y17, Y5, Y5
	VEXTRACTF64X4 $1, Z6, Y18
	VADDPS Y18, Y6, Y6
	VEXTRACTF64X4 $1, Z7, Y19
	VADDPS Y19, Y7, Y7
	MOVQ out+40(FP), AX
	HSUM4(Y0, Y1, Y2, Y3, X0)
	VMOVUPS X0, (AX)
	HSUM4(Y4, Y5, Y6, Y7, X4)
	VMOVUPS X4, 16(AX)
	VZEROUPPER
	RET

// func siluMulAVX2(dst, gate, up *float32, n int, c *[11]float32)
// dst[i] = gate[i]/(1+e^−gate[i]) · up[i], n a multiple of 8. e^x (x
// clamped to [−87, 88]) as x = k·ln2 + r, |r| ≤ ln2/2, a degree-6
// polynomial in r times 2^k. c holds log2e, ln2 (high and low parts) and
// the clamps: −87 then 88 for x = −gate.
TEXT ·siluMulAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Y8  // log2e
	VBROADCASTSS 4(AX), Y9  // ln2 high
	VBROADCASTSS 8(AX), Y10 // ln2 low
	VBROADCASTSS 12(AX), Y11 // −87
	VBROADCASTSS 16(AX), Y12 // 88
	VBROADCASTSS 20(AX), Y13 // 1
	VPCMPEQD Y14, Y14, Y14
	VPSRLD $25, Y14, Y14 // 127
	VXORPS Y15, Y15, Y15
siluloop:
	VMOVUPS (SI), Y0      // g
	VSUBPS Y0, Y15, Y1    // x = −g
	VMAXPS Y11, Y1, Y1
	VMINPS Y12, Y1, Y1
	VMULPS Y8, Y1, Y2
	VROUNDPS $0, Y2, Y2   // k
	VFNMADD231PS Y9, Y2, Y1 // r = x − k·ln2hi
	VFNMADD231PS Y10, Y2, Y1 // − k·ln2lo
	VBROADCASTSS 24(AX), Y3 // 1/720
	VBROADCASTSS 28(AX), Y4
	VFMADD213PS Y4, Y1, Y3 // p·r + 1/120
	VBROADCASTSS 32(AX), Y4
	VFMADD213PS Y4, Y1, Y3 // + 1/24
	VBROADCASTSS 36(AX), Y4
	VFMADD213PS Y4, Y1, Y3 // + 1/6
	VBROADCASTSS 40(AX), Y4
	VFMADD213PS Y4, Y1, Y3 // + 1/2
	VFMADD213PS Y13, Y1, Y3 // + 1
	VFMADD213PS Y13, Y1, Y3 // + 1
	VCVTPS2DQ Y2, Y2
	VPADDD Y14, Y2, Y2
	VPSLLD $23, Y2, Y2    // 2^k
	VMULPS Y2, Y3, Y3     // e^−g
	VADDPS Y13, Y3, Y3
	VMULPS (DX), Y0, Y0   // g·up
	VDIVPS Y3, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ siluloop
	VZEROUPPER
	RET
