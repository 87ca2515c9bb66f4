#include "textflag.h"
#include "k512_amd64.h"

// 512-bit row products for the K-quants, where the CPU has AVX-512 (BW,
// VNNI). 64 values at a time: their unsigned weights (VPSRLVW shifts the
// two 256-bit halves differently, so one 32-byte load yields two
// sub-blocks) times the signed activations in word pairs (VPMADDUBSW), then
// VPMADDWD multiplies the pairs by their sub-block scales, spread over the
// words by VPERMW: no per-sub-block reduction, no VPMULLD. Each 64 values
// go to their own register, summed at the end of the super-block, so no
// chain of dependent instructions runs through it.

// Q4K_128 takes the 64 bytes at qoff (sub-blocks 4p..4p+3) with
// activations at aoff (in qsK4 order) and scales spread by idxLo, idxHi,
// into accLo and accHi.
#define Q4K_128(qoff, aoff, idxLo, idxHi, accLo, accHi) \
	VMOVDQU64 qoff(SI), Z0 \
	VPANDQ Z14, Z0, Z1 \
	VPSRLW $4, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPMADDUBSW aoff(DI), Z1, Z1 \
	VPMADDUBSW aoff+64(DI), Z0, Z0 \
	VPERMW Z12, idxLo, Z2 \
	VPERMW Z12, idxHi, Z3 \
	VPMADDWD Z2, Z1, accLo \
	VPMADDWD Z3, Z0, accHi

// Q6K_HALF512 takes one 128-value half: ql at qlo, qh at qho, activations
// at ao; idxA and idxB spread its eight scales.
#define Q6K_HALF512(qlo, qho, ao, idxA, idxB, accA, accB) \
	VMOVDQU64 qlo(SI), Z0 \
	VBROADCASTI64X4 qho(SI), Z1 \
	VPANDQ Z14, Z0, Z2 \
	VPSLLVW Z16, Z1, Z3 \
	VPANDQ Z13, Z3, Z3 \
	VPORQ Z3, Z2, Z2 \
	VPMADDUBSW ao(DI), Z2, Z2 \
	VPERMW Z12, idxA, Z4 \
	VPMADDWD Z4, Z2, accA \
	VPSRLW $4, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPSRLVW Z17, Z1, Z1 \
	VPANDQ Z13, Z1, Z1 \
	VPORQ Z1, Z0, Z0 \
	VPMADDUBSW ao+64(DI), Z0, Z0 \
	VPERMW Z12, idxB, Z4 \
	VPMADDWD Z4, Z0, accB

// Q4K_SB is one Q4_K super-block of the 512-bit row product.
#define Q4K_SB \
	K4_SCALES(X11) \
	VPMADDWD (BX), X11, X11 \
	VCVTDQ2PS X11, X11 \
	VPBROADCASTD (SI), X10 \
	VCVTPH2PS X10, Y10 \
	VBROADCASTSS (DX), Y15 \
	VMULPS Y15, Y10, Y10 \
	VSHUFPS $0x55, Y10, Y10, Y15 \
	VFMADD231PS X15, X11, X9 \
	VBROADCASTSS X10, Z10 \
	Q4K_128(16, 0, Z16, Z17, Z4, Z5) \
	Q4K_128(80, 128, Z18, Z19, Z6, Z7) \
	VPADDD Z4, Z5, Z5 \
	VPADDD Z6, Z7, Z7 \
	VPADDD Z5, Z7, Z7 \
	VCVTDQ2PS Z7, Z7 \
	VFMADD231PS Z10, Z7, Z8 \
	ADDQ $144, SI \
	ADDQ $256, DI \
	ADDQ $4, DX \
	ADDQ $16, BX

// func dotQ4K512(row *byte, qsK4 *int8, d *float32, bs *int16, nb int) float32
TEXT ·dotQ4K512(SB), NOSPLIT, $0-44
	MOVQ row+0(FP), SI
	MOVQ qsK4+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ bs+24(FP), BX
	MOVQ nb+32(FP), CX
	VXORPS Z8, Z8, Z8
	VXORPS X9, X9, X9
	MOVL $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z14
	VMOVDQU64 q4kIdxLo0<>(SB), Z16
	VMOVDQU64 q4kIdxHi0<>(SB), Z17
	VMOVDQU64 q4kIdxLo1<>(SB), Z18
	VMOVDQU64 q4kIdxHi1<>(SB), Z19

q4k512:
	Q4K_SB
	DECQ CX
	JNZ q4k512
	HSUMZ8
	VHADDPS X9, X9, X9
	VHADDPS X9, X9, X9
	VSUBSS X9, X0, X0
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// Q6K_SB is one Q6_K super-block of the 512-bit row product.
#define Q6K_SB \
	VPMOVSXBW 192(SI), Y12 \
	VPMADDWD (BX), Y12, Y0 \
	VPSLLD $5, Y0, Y5 \
	Q6K_HALF512(0, 128, 0, Z20, Z21, Z6, Z7) \
	Q6K_HALF512(64, 160, 128, Z22, Z23, Z9, Z10) \
	VPADDD Z6, Z7, Z7 \
	VPADDD Z9, Z10, Z10 \
	VPSUBD Z5, Z7, Z7 \
	VPADDD Z10, Z7, Z7 \
	VCVTDQ2PS Z7, Z7 \
	VPBROADCASTW 208(SI), X0 \
	VCVTPH2PS X0, X0 \
	VMULSS (DX), X0, X0 \
	VBROADCASTSS X0, Z0 \
	VFMADD231PS Z0, Z7, Z8 \
	ADDQ $210, SI \
	ADDQ $256, DI \
	ADDQ $4, DX \
	ADDQ $32, BX

// func dotQ6K512(row *byte, qs *int8, d *float32, bs *int16, nb int) float32
TEXT ·dotQ6K512(SB), NOSPLIT, $0-44
	MOVQ row+0(FP), SI
	MOVQ qs+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ bs+24(FP), BX
	MOVQ nb+32(FP), CX
	VXORPS Z8, Z8, Z8
	MOVL $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z14
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z13
	VMOVDQU64 shift4_2<>(SB), Z16
	VMOVDQU64 shift0_2<>(SB), Z17
	VMOVDQU64 q6kIdx0<>(SB), Z20
	VMOVDQU64 q6kIdx1<>(SB), Z21
	VMOVDQU64 q6kIdx2<>(SB), Z22
	VMOVDQU64 q6kIdx3<>(SB), Z23

q6k512:
	Q6K_SB
	DECQ CX
	JNZ q6k512
	HSUMZ8
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// Batched K-quant products on AVX-512: one weight row with four vectors
// packed by Acts.pack4 (per super-block, the four vectors' values, scales
// and group sums side by side). The weights are unpacked and their scales
// spread once per 128 values and used for all four vectors, whose integer
// sums accumulate by VPDPWSSD in Z20-Z23. The float sums (Z8-Z11, and the
// Q4_K mins in Z15, four lanes per vector) are stored to out for Go to add.

// VPERMPS indexes: lanes4 spreads four values four lanes each; laneV
// broadcasts value v.
DATA lanes4<>+0(SB)/8, $0x0000000000000000
DATA lanes4<>+8(SB)/8, $0x0000000000000000
DATA lanes4<>+16(SB)/8, $0x0000000100000001
DATA lanes4<>+24(SB)/8, $0x0000000100000001
DATA lanes4<>+32(SB)/8, $0x0000000200000002
DATA lanes4<>+40(SB)/8, $0x0000000200000002
DATA lanes4<>+48(SB)/8, $0x0000000300000003
DATA lanes4<>+56(SB)/8, $0x0000000300000003
GLOBL lanes4<>(SB), RODATA|NOPTR, $64

DATA lane0<>+0(SB)/8, $0x0000000000000000
DATA lane0<>+8(SB)/8, $0x0000000000000000
DATA lane0<>+16(SB)/8, $0x0000000000000000
DATA lane0<>+24(SB)/8, $0x0000000000000000
DATA lane0<>+32(SB)/8, $0x0000000000000000
DATA lane0<>+40(SB)/8, $0x0000000000000000
DATA lane0<>+48(SB)/8, $0x0000000000000000
DATA lane0<>+56(SB)/8, $0x0000000000000000
GLOBL lane0<>(SB), RODATA|NOPTR, $64

DATA lane1<>+0(SB)/8, $0x0000000100000001
DATA lane1<>+8(SB)/8, $0x0000000100000001
DATA lane1<>+16(SB)/8, $0x0000000100000001
DATA lane1<>+24(SB)/8, $0x0000000100000001
DATA lane1<>+32(SB)/8, $0x0000000100000001
DATA lane1<>+40(SB)/8, $0x0000000100000001
DATA lane1<>+48(SB)/8, $0x0000000100000001
DATA lane1<>+56(SB)/8, $0x0000000100000001
GLOBL lane1<>(SB), RODATA|NOPTR, $64

DATA lane2<>+0(SB)/8, $0x0000000200000002
DATA lane2<>+8(SB)/8, $0x0000000200000002
DATA lane2<>+16(SB)/8, $0x0000000200000002
DATA lane2<>+24(SB)/8, $0x0000000200000002
DATA lane2<>+32(SB)/8, $0x0000000200000002
DATA lane2<>+40(SB)/8, $0x0000000200000002
DATA lane2<>+48(SB)/8, $0x0000000200000002
DATA lane2<>+56(SB)/8, $0x0000000200000002
GLOBL lane2<>(SB), RODATA|NOPTR, $64

DATA lane3<>+0(SB)/8, $0x0000000300000003
DATA lane3<>+8(SB)/8, $0x0000000300000003
DATA lane3<>+16(SB)/8, $0x0000000300000003
DATA lane3<>+24(SB)/8, $0x0000000300000003
DATA lane3<>+32(SB)/8, $0x0000000300000003
DATA lane3<>+40(SB)/8, $0x0000000300000003
DATA lane3<>+48(SB)/8, $0x0000000300000003
DATA lane3<>+56(SB)/8, $0x0000000300000003
GLOBL lane3<>(SB), RODATA|NOPTR, $64

#define Q4K_VEC(ao, acc) \
	VPMADDUBSW ao(DI), Z1, Z4 \
	VPMADDUBSW ao+64(DI), Z0, Z5 \
	VPDPWSSD Z2, Z4, acc \
	VPDPWSSD Z3, Z5, acc

#define Q4K_CHUNK4(qoff, aoff, idxLo, idxHi) \
	VMOVDQU64 qoff(SI), Z0 \
	VPANDQ Z14, Z0, Z1 \
	VPSRLW $4, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPERMW Z12, idxLo, Z2 \
	VPERMW Z12, idxHi, Z3 \
	Q4K_VEC(aoff, Z20) \
	Q4K_VEC(aoff+256, Z21) \
	Q4K_VEC(aoff+512, Z22) \
	Q4K_VEC(aoff+768, Z23)

// SCALE4 adds the four vectors' integer sums, times d·d_a (lanes of X24),
// to their float sums.
#define SCALE4 \
	VCVTDQ2PS Z20, Z20 \
	VCVTDQ2PS Z21, Z21 \
	VCVTDQ2PS Z22, Z22 \
	VCVTDQ2PS Z23, Z23 \
	VPERMPS Z24, Z28, Z25 \
	VFMADD231PS Z25, Z20, Z8 \
	VPERMPS Z24, Z29, Z25 \
	VFMADD231PS Z25, Z21, Z9 \
	VPERMPS Z24, Z30, Z25 \
	VFMADD231PS Z25, Z22, Z10 \
	VPERMPS Z24, Z31, Z25 \
	VFMADD231PS Z25, Z23, Z11

#define STORE5 \
	MOVQ out+40(FP), AX \
	VMOVUPS Z8, (AX) \
	VMOVUPS Z9, 64(AX) \
	VMOVUPS Z10, 128(AX) \
	VMOVUPS Z11, 192(AX) \
	VMOVUPS Z15, 256(AX) \
	VZEROUPPER \
	RET

#define SETUP4 \
	MOVQ row+0(FP), SI \
	MOVQ pk+8(FP), DI \
	MOVQ pd+16(FP), DX \
	MOVQ pbs+24(FP), BX \
	MOVQ nb+32(FP), CX \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	VPXORD Z15, Z15, Z15 \
	MOVL $0x0F0F0F0F, AX \
	VPBROADCASTD AX, Z14 \
	VMOVDQU64 lanes4<>(SB), Z27 \
	VMOVDQU64 lane0<>(SB), Z28 \
	VMOVDQU64 lane1<>(SB), Z29 \
	VMOVDQU64 lane2<>(SB), Z30 \
	VMOVDQU64 lane3<>(SB), Z31

// func dotQ4K512x4(row *byte, pk *int8, pd *float32, pbs *int16, nb int, out *[80]float32)
TEXT ·dotQ4K512x4(SB), NOSPLIT, $0-48
	SETUP4
	VMOVDQU64 q4kIdxLo0<>(SB), Z16
	VMOVDQU64 q4kIdxHi0<>(SB), Z17
	VMOVDQU64 q4kIdxLo1<>(SB), Z18
	VMOVDQU64 q4kIdxHi1<>(SB), Z19

q4kx4:
	K4_SCALES(X13)
	VSHUFI32X4 $0, Z13, Z13, Z13
	VPMADDWD (BX), Z13, Z13
	VCVTDQ2PS Z13, Z13
	VPBROADCASTD (SI), X5
	VCVTPH2PS X5, X5
	VMOVUPS (DX), X25
	VBROADCASTSS X5, X24
	VMULPS X25, X24, X24
	VSHUFPS $0x55, X5, X5, X26
	VMULPS X25, X26, X26
	VPERMPS Z26, Z27, Z26
	VFMADD231PS Z26, Z13, Z15
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	Q4K_CHUNK4(16, 0, Z16, Z17)
	Q4K_CHUNK4(80, 128, Z18, Z19)
	SCALE4
	ADDQ $144, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $64, BX
	DECQ CX
	JNZ q4kx4
	STORE5

#define Q6K_VEC(ao, acc) \
	VPMADDUBSW ao(DI), Z2, Z4 \
	VPMADDUBSW ao+64(DI), Z0, Z5 \
	VPDPWSSD Z3, Z4, acc \
	VPDPWSSD Z1, Z5, acc

#define Q6K_HALF4(qlo, qho, ao, idxA, idxB) \
	VMOVDQU64 qlo(SI), Z0 \
	VBROADCASTI64X4 qho(SI), Z1 \
	VPANDQ Z14, Z0, Z2 \
	VPSLLVW Z16, Z1, Z3 \
	VPANDQ Z13, Z3, Z3 \
	VPORQ Z3, Z2, Z2 \
	VPSRLW $4, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPSRLVW Z17, Z1, Z1 \
	VPANDQ Z13, Z1, Z1 \
	VPORQ Z1, Z0, Z0 \
	VPERMW Z12, idxA, Z3 \
	VPERMW Z12, idxB, Z1 \
	Q6K_VEC(ao, Z20) \
	Q6K_VEC(ao+256, Z21) \
	Q6K_VEC(ao+512, Z22) \
	Q6K_VEC(ao+768, Z23)

// Q6K_CORR starts vector v's integer sum at −32·Σ sc·Σa (its bsums at bo).
#define Q6K_CORR(bo, acc) \
	VPMADDWD bo(BX), Y12, Y4 \
	VPSLLD $5, Y4, Y4 \
	VPXORD acc, acc, acc \
	VPSUBD Z4, acc, acc

// func dotQ6K512x4(row *byte, pk *int8, pd *float32, pbs *int16, nb int, out *[80]float32)
TEXT ·dotQ6K512x4(SB), NOSPLIT, $0-48
	SETUP4
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z13
	VMOVDQU64 shift4_2<>(SB), Z16
	VMOVDQU64 shift0_2<>(SB), Z17
	VMOVDQU64 q6kIdx0<>(SB), Z18
	VMOVDQU64 q6kIdx1<>(SB), Z19
	VMOVDQU64 q6kIdx2<>(SB), Z26
	VMOVDQU64 q6kIdx3<>(SB), Z27

q6kx4:
	VPMOVSXBW 192(SI), Y12
	Q6K_CORR(0, Z20)
	Q6K_CORR(32, Z21)
	Q6K_CORR(64, Z22)
	Q6K_CORR(96, Z23)
	Q6K_HALF4(0, 128, 0, Z18, Z19)
	Q6K_HALF4(64, 160, 128, Z26, Z27)
	VPBROADCASTW 208(SI), X5
	VCVTPH2PS X5, X5
	VMOVUPS (DX), X25
	VBROADCASTSS X5, X24
	VMULPS X25, X24, X24
	SCALE4
	ADDQ $210, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $128, BX
	DECQ CX
	JNZ q6kx4
	STORE5

// func dotQ4K512Rows(w *byte, stride int, qsK4 *int8, d *float32, bs *int16, nb, rows int, out *float32)
// sets out[i] to row i's product for rows rows of w, stride bytes apart.
TEXT ·dotQ4K512Rows(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), R13
	MOVL $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z14
	VMOVDQU64 q4kIdxLo0<>(SB), Z16
	VMOVDQU64 q4kIdxHi0<>(SB), Z17
	VMOVDQU64 q4kIdxLo1<>(SB), Z18
	VMOVDQU64 q4kIdxHi1<>(SB), Z19

q4krow:
	MOVQ R13, SI
	MOVQ qsK4+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ bs+32(FP), BX
	MOVQ nb+40(FP), CX
	VXORPS Z8, Z8, Z8
	VXORPS X9, X9, X9

q4krsb:
	Q4K_SB
	DECQ CX
	JNZ q4krsb
	HSUMZ8
	VHADDPS X9, X9, X9
	VHADDPS X9, X9, X9
	VSUBSS X9, X0, X0
	MOVQ out+56(FP), AX
	MOVSS X0, (AX)
	ADDQ $4, AX
	MOVQ AX, out+56(FP)
	ADDQ stride+8(FP), R13
	DECQ rows+48(FP)
	JNZ q4krow
	VZEROUPPER
	RET

// func dotQ6K512Rows(w *byte, stride int, qs *int8, d *float32, bs *int16, nb, rows int, out *float32)
TEXT ·dotQ6K512Rows(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), R13
	MOVL $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z14
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z13
	VMOVDQU64 shift4_2<>(SB), Z16
	VMOVDQU64 shift0_2<>(SB), Z17
	VMOVDQU64 q6kIdx0<>(SB), Z20
	VMOVDQU64 q6kIdx1<>(SB), Z21
	VMOVDQU64 q6kIdx2<>(SB), Z22
	VMOVDQU64 q6kIdx3<>(SB), Z23

q6krow:
	MOVQ R13, SI
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ bs+32(FP), BX
	MOVQ nb+40(FP), CX
	VXORPS Z8, Z8, Z8

q6krsb:
	Q6K_SB
	DECQ CX
	JNZ q6krsb
	HSUMZ8
	MOVQ out+56(FP), AX
	MOVSS X0, (AX)
	ADDQ $4, AX
	MOVQ AX, out+56(FP)
	ADDQ stride+8(FP), R13
	DECQ rows+48(FP)
	JNZ q6krow
	VZEROUPPER
	RET
