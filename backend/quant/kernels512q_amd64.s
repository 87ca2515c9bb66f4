#include "textflag.h"
#include "k512_amd64.h"

// 512-bit Q4_0 and Q8_0 row products where the CPU has AVX-512 (BW, VNNI):
// four blocks a step, two per register, their scales gathered and
// converted together.

// Q4_0 and Q8_0, four blocks a step: word shifts (upper 256 bits by 4) and
// VPERMPS indexes spreading four block scales over their product lanes.


DATA q40Idx01<>+0(SB)/8, $0x0000000000000000
DATA q40Idx01<>+8(SB)/8, $0x0000000000000000
DATA q40Idx01<>+16(SB)/8, $0x0000000100000001
DATA q40Idx01<>+24(SB)/8, $0x0000000100000001
DATA q40Idx01<>+32(SB)/8, $0x0000000000000000
DATA q40Idx01<>+40(SB)/8, $0x0000000000000000
DATA q40Idx01<>+48(SB)/8, $0x0000000100000001
DATA q40Idx01<>+56(SB)/8, $0x0000000100000001
GLOBL q40Idx01<>(SB), RODATA|NOPTR, $64

DATA q40Idx23<>+0(SB)/8, $0x0000000200000002
DATA q40Idx23<>+8(SB)/8, $0x0000000200000002
DATA q40Idx23<>+16(SB)/8, $0x0000000300000003
DATA q40Idx23<>+24(SB)/8, $0x0000000300000003
DATA q40Idx23<>+32(SB)/8, $0x0000000200000002
DATA q40Idx23<>+40(SB)/8, $0x0000000200000002
DATA q40Idx23<>+48(SB)/8, $0x0000000300000003
DATA q40Idx23<>+56(SB)/8, $0x0000000300000003
GLOBL q40Idx23<>(SB), RODATA|NOPTR, $64

DATA q80Idx01<>+0(SB)/8, $0x0000000000000000
DATA q80Idx01<>+8(SB)/8, $0x0000000000000000
DATA q80Idx01<>+16(SB)/8, $0x0000000000000000
DATA q80Idx01<>+24(SB)/8, $0x0000000000000000
DATA q80Idx01<>+32(SB)/8, $0x0000000100000001
DATA q80Idx01<>+40(SB)/8, $0x0000000100000001
DATA q80Idx01<>+48(SB)/8, $0x0000000100000001
DATA q80Idx01<>+56(SB)/8, $0x0000000100000001
GLOBL q80Idx01<>(SB), RODATA|NOPTR, $64

DATA q80Idx23<>+0(SB)/8, $0x0000000200000002
DATA q80Idx23<>+8(SB)/8, $0x0000000200000002
DATA q80Idx23<>+16(SB)/8, $0x0000000200000002
DATA q80Idx23<>+24(SB)/8, $0x0000000200000002
DATA q80Idx23<>+32(SB)/8, $0x0000000300000003
DATA q80Idx23<>+40(SB)/8, $0x0000000300000003
DATA q80Idx23<>+48(SB)/8, $0x0000000300000003
DATA q80Idx23<>+56(SB)/8, $0x0000000300000003
GLOBL q80Idx23<>(SB), RODATA|NOPTR, $64

// Q4_0 pair: blocks at q0 and q1 (their 16 bytes), activations in qsP
// order at ao, scales spread in sc.
#define Q40_PAIR(q0, q1, ao, sc) \
	VMOVDQU q0(SI), X0 \
	VINSERTI128 $1, q1(SI), Y0, Y0 \
	VINSERTI64X4 $1, Y0, Z0, Z0 \
	VPSRLVW Z13, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPDPBUSD ao(DI), Z0, Z1 \
	VCVTDQ2PS Z1, Z1 \
	VFMADD231PS sc, Z1, Z8

// Q8_0 pair: the blocks' 32 values at w0 and w1, activations at ao:
// |w| (unsigned) times a with the sign of w (negated under the mask of
// negative weights; Z15 is zero).
#define Q80_PAIR(w0, w1, ao, sc) \
	VMOVDQU w0(SI), Y0 \
	VINSERTI64X4 $1, w1(SI), Z0, Z0 \
	VPMOVB2M Z0, K1 \
	VMOVDQU8 ao(DI), Z1 \
	VPSUBB Z1, Z15, K1, Z1 \
	VPABSB Z0, Z0 \
	VPXORD Z2, Z2, Z2 \
	VPDPBUSD Z1, Z0, Z2 \
	VCVTDQ2PS Z2, Z2 \
	VFMADD231PS sc, Z2, Z8

// The other 32-value types on the Q4_0 pattern: Q4_1 (20-byte blocks: d, m,
// nibbles), Q5_0 (22: d, 32 fifth bits, nibbles) and Q5_1 (24: d, m, fifth
// bits, nibbles). The fifth bits of a pair of blocks are put in the order
// of the pair's values (low halves, then high halves) as a 64-bit mask and
// expanded to bytes by VPMOVM2B. Q5_0's "−16" is taken per block as
// Q4_0's "−8"; the _1 types add m·s (s = d_a·Σa) instead.

#define NIBBLES_PAIR(q0, q1) \
	VMOVDQU q0(SI), X0 \
	VINSERTI128 $1, q1(SI), Y0, Y0 \
	VINSERTI64X4 $1, Y0, Z0, Z0 \
	VPSRLVW Z13, Z0, Z0 \
	VPANDQ Z14, Z0, Z0

#define FIFTH_PAIR(h0, h1) \
	MOVL h0(SI), AX \
	MOVL h1(SI), R8 \
	MOVL AX, R9 \
	ANDL $0xFFFF, R9 \
	MOVL R8, R10 \
	SHLL $16, R10 \
	ORL R10, R9 \
	SHRL $16, AX \
	ANDL $0xFFFF0000, R8 \
	ORL R8, AX \
	SHLQ $32, AX \
	ORQ R9, AX \
	KMOVQ AX, K2 \
	VPMOVM2B K2, Z3 \
	VPANDQ Z15, Z3, Z3 \
	VPORQ Z3, Z0, Z0

#define DOT_PAIR(ao, sc) \
	VPXORD Z1, Z1, Z1 \
	VPDPBUSD ao(DI), Z0, Z1 \
	VCVTDQ2PS Z1, Z1 \
	VFMADD231PS sc, Z1, Z8

#define SETUP_Q4X \
	MOVQ row+0(FP), SI \
	MOVQ qsP+8(FP), DI \
	MOVQ d+16(FP), DX \
	MOVQ s+24(FP), BX \
	MOVQ n4+32(FP), CX \
	VPXORD Z8, Z8, Z8 \
	VXORPS X9, X9, X9 \
	MOVL $0x0F0F0F0F, AX \
	VPBROADCASTD AX, Z14 \
	MOVL $0x10101010, AX \
	VPBROADCASTD AX, Z15 \
	VMOVDQU64 shift0_4<>(SB), Z13 \
	VMOVDQU64 q40Idx01<>(SB), Z12 \
	VMOVDQU64 q40Idx23<>(SB), Z11

// SCALE_PAIRS multiplies the d_w in X5 by d_a and spreads them to Z6, Z7.
#define SCALE_PAIRS \
	VMULPS (DX), X5, X5 \
	VPERMPS Z5, Z12, Z6 \
	VPERMPS Z5, Z11, Z7

#define NEXT4(bs4) \
	ADDQ $bs4, SI \
	ADDQ $128, DI \
	ADDQ $16, DX \
	ADDQ $16, BX \
	DECQ CX

// RESULT_PLUS returns Σ + hsum(X9).
#define RESULT_PLUS \
	HSUMZ8 \
	VHADDPS X9, X9, X9 \
	VHADDPS X9, X9, X9 \
	VADDSS X9, X0, X0 \
	VZEROUPPER \
	MOVSS X0, ret+40(FP) \
	RET

DATA iq4nlLUT<>+0(SB)/8, $0x766a5d4f3f2d1801
DATA iq4nlLUT<>+8(SB)/8, $0xf1d9c5b5a6998d81
DATA iq4nlLUT<>+16(SB)/8, $0x766a5d4f3f2d1801
DATA iq4nlLUT<>+24(SB)/8, $0xf1d9c5b5a6998d81
DATA iq4nlLUT<>+32(SB)/8, $0x766a5d4f3f2d1801
DATA iq4nlLUT<>+40(SB)/8, $0xf1d9c5b5a6998d81
DATA iq4nlLUT<>+48(SB)/8, $0x766a5d4f3f2d1801
DATA iq4nlLUT<>+56(SB)/8, $0xf1d9c5b5a6998d81
GLOBL iq4nlLUT<>(SB), RODATA|NOPTR, $64

DATA oneTwentyEight<>+0(SB)/4, $128.0
GLOBL oneTwentyEight<>(SB), RODATA|NOPTR, $4

// IQ4_NL pair: as Q40_PAIR with the nibbles looked up in the non-linear
// levels plus 128 (unsigned, 1..241); the 128·Σa is taken per block as
// Q4_0's 8·Σa.
#define IQ4NL_PAIR(q0, q1, ao, sc) \
	VMOVDQU q0(SI), X0 \
	VINSERTI128 $1, q1(SI), Y0, Y0 \
	VINSERTI64X4 $1, Y0, Z0, Z0 \
	VPSRLVW Z13, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPSHUFB Z0, Z10, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPDPBUSD ao(DI), Z0, Z1 \
	VCVTDQ2PS Z1, Z1 \
	VFMADD231PS sc, Z1, Z8

DATA sixteen<>+0(SB)/4, $16.0
GLOBL sixteen<>(SB), RODATA|NOPTR, $4

// func dotQ4_0512(row *byte, qsP *int8, d, s *float32, n4 int) float32
// (n4 groups of four blocks; the "−8" as in dotQ4_0AVX2)
TEXT ·dotQ4_0512(SB), NOSPLIT, $0-44
	MOVQ row+0(FP), SI
	MOVQ qsP+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ s+24(FP), BX
	MOVQ n4+32(FP), CX
	VPXORD Z8, Z8, Z8
	VXORPS X9, X9, X9
	MOVL $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z14
	VMOVDQU64 shift0_4<>(SB), Z13
	VMOVDQU64 q40Idx01<>(SB), Z12
	VMOVDQU64 q40Idx23<>(SB), Z11

q40x512:
	QSCALES4(18, 36, 54)
	VFMADD231PS (BX), X5, X9
	VMULPS (DX), X5, X5
	VPERMPS Z5, Z12, Z6
	VPERMPS Z5, Z11, Z7
	Q40_PAIR(2, 20, 0, Z6)
	Q40_PAIR(38, 56, 64, Z7)
	ADDQ $72, SI
	ADDQ $128, DI
	ADDQ $16, DX
	ADDQ $16, BX
	DECQ CX
	JNZ q40x512
	HSUMZ8
	VHADDPS X9, X9, X9
	VHADDPS X9, X9, X9
	VADDSS X9, X9, X9
	VADDSS X9, X9, X9
	VADDSS X9, X9, X9
	VSUBSS X9, X0, X0
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// func dotQ8_0512(row *byte, qs *int8, d *float32, n4 int) float32
TEXT ·dotQ8_0512(SB), NOSPLIT, $0-36
	MOVQ row+0(FP), SI
	MOVQ qs+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ n4+24(FP), CX
	VPXORD Z8, Z8, Z8
	VPXORD Z15, Z15, Z15
	VMOVDQU64 q80Idx01<>(SB), Z12
	VMOVDQU64 q80Idx23<>(SB), Z11

q80x512:
	QSCALES4(34, 68, 102)
	VMULPS (DX), X5, X5
	VPERMPS Z5, Z12, Z6
	VPERMPS Z5, Z11, Z7
	Q80_PAIR(2, 36, 0, Z6)
	Q80_PAIR(70, 104, 64, Z7)
	ADDQ $136, SI
	ADDQ $128, DI
	ADDQ $16, DX
	DECQ CX
	JNZ q80x512
	HSUMZ8
	VZEROUPPER
	MOVSS X0, ret+32(FP)
	RET

// func dotQ4_1512(row *byte, qsP *int8, d, s *float32, n4 int) float32
TEXT ·dotQ4_1512(SB), NOSPLIT, $0-44
	SETUP_Q4X

q41x512:
	HALVES4(2, 22, 42, 62, X6)
	VFMADD231PS (BX), X6, X9
	HALVES4(0, 20, 40, 60, X5)
	SCALE_PAIRS
	NIBBLES_PAIR(4, 24)
	DOT_PAIR(0, Z6)
	NIBBLES_PAIR(44, 64)
	DOT_PAIR(64, Z7)
	NEXT4(80)
	JNZ q41x512
	RESULT_PLUS

// func dotQ5_1512(row *byte, qsP *int8, d, s *float32, n4 int) float32
TEXT ·dotQ5_1512(SB), NOSPLIT, $0-44
	SETUP_Q4X

q51x512:
	HALVES4(2, 26, 50, 74, X6)
	VFMADD231PS (BX), X6, X9
	HALVES4(0, 24, 48, 72, X5)
	SCALE_PAIRS
	NIBBLES_PAIR(8, 32)
	FIFTH_PAIR(4, 28)
	DOT_PAIR(0, Z6)
	NIBBLES_PAIR(56, 80)
	FIFTH_PAIR(52, 76)
	DOT_PAIR(64, Z7)
	NEXT4(96)
	JNZ q51x512
	RESULT_PLUS

// func dotQ5_0512(row *byte, qsP *int8, d, s *float32, n4 int) float32
TEXT ·dotQ5_0512(SB), NOSPLIT, $0-44
	SETUP_Q4X

q50x512:
	HALVES4(0, 22, 44, 66, X5)
	VFMADD231PS (BX), X5, X9
	SCALE_PAIRS
	NIBBLES_PAIR(6, 28)
	FIFTH_PAIR(2, 24)
	DOT_PAIR(0, Z6)
	NIBBLES_PAIR(50, 72)
	FIFTH_PAIR(46, 68)
	DOT_PAIR(64, Z7)
	NEXT4(88)
	JNZ q50x512
	HSUMZ8
	VHADDPS X9, X9, X9
	VHADDPS X9, X9, X9
	VMULSS sixteen<>(SB), X9, X9
	VSUBSS X9, X0, X0
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// func dotIQ4NL512(row *byte, qsP *int8, d, s *float32, n4 int) float32
TEXT ·dotIQ4NL512(SB), NOSPLIT, $0-44
	SETUP_Q4X
	VMOVDQU64 iq4nlLUT<>(SB), Z10

iq4nlx512:
	QSCALES4(18, 36, 54)
	VFMADD231PS (BX), X5, X9
	SCALE_PAIRS
	IQ4NL_PAIR(2, 20, 0, Z6)
	IQ4NL_PAIR(38, 56, 64, Z7)
	NEXT4(72)
	JNZ iq4nlx512
	HSUMZ8
	VHADDPS X9, X9, X9
	VHADDPS X9, X9, X9
	VMULSS oneTwentyEight<>(SB), X9, X9
	VSUBSS X9, X0, X0
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET
