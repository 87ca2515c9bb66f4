#include "textflag.h"
#include "k512_amd64.h"

// Generation kernels: four rows of a matrix-vector product at once, in the
// files' own layout (nothing repacked). The four rows are stride bytes
// apart (a worker's share cut in quarters), so each core keeps four
// streams of weights in flight instead of one, each prefetched about
// 1 KiB ahead, and each step of the activations is loaded once for the
// four rows. Q4_0 and Q8_0 take four blocks a step, their four scales
// picked out of the row with one word permutation and converted together;
// F16 takes 32 values a step.

// Word indexes of the four block scales in 72 bytes of Q4_0 (offsets 0,
// 18, 36, 54) and in 136 bytes of Q8_0 (0, 34, 68, 102; a two-table
// permutation over 128 bytes).
DATA g40Scales<>+0(SB)/8, $0x001b001200090000
GLOBL g40Scales<>(SB), RODATA|NOPTR, $64
DATA g80Scales<>+0(SB)/8, $0x0033002200110000
GLOBL g80Scales<>(SB), RODATA|NOPTR, $64

// VPERMPS indexes spreading the four blocks' scales over the lanes of
// their product sums: Q4_0 pairs (dwords 0-3 and 8-11 of the first block,
// 4-7 and 12-15 of the second) and Q8_0 pairs (0-7 first, 8-15 second).
DATA g40Idx01<>+0(SB)/8, $0x0000000000000000
DATA g40Idx01<>+8(SB)/8, $0x0000000000000000
DATA g40Idx01<>+16(SB)/8, $0x0000000100000001
DATA g40Idx01<>+24(SB)/8, $0x0000000100000001
DATA g40Idx01<>+32(SB)/8, $0x0000000000000000
DATA g40Idx01<>+40(SB)/8, $0x0000000000000000
DATA g40Idx01<>+48(SB)/8, $0x0000000100000001
DATA g40Idx01<>+56(SB)/8, $0x0000000100000001
GLOBL g40Idx01<>(SB), RODATA|NOPTR, $64

DATA g40Idx23<>+0(SB)/8, $0x0000000200000002
DATA g40Idx23<>+8(SB)/8, $0x0000000200000002
DATA g40Idx23<>+16(SB)/8, $0x0000000300000003
DATA g40Idx23<>+24(SB)/8, $0x0000000300000003
DATA g40Idx23<>+32(SB)/8, $0x0000000200000002
DATA g40Idx23<>+40(SB)/8, $0x0000000200000002
DATA g40Idx23<>+48(SB)/8, $0x0000000300000003
DATA g40Idx23<>+56(SB)/8, $0x0000000300000003
GLOBL g40Idx23<>(SB), RODATA|NOPTR, $64

DATA g80Idx01<>+0(SB)/8, $0x0000000000000000
DATA g80Idx01<>+8(SB)/8, $0x0000000000000000
DATA g80Idx01<>+16(SB)/8, $0x0000000000000000
DATA g80Idx01<>+24(SB)/8, $0x0000000000000000
DATA g80Idx01<>+32(SB)/8, $0x0000000100000001
DATA g80Idx01<>+40(SB)/8, $0x0000000100000001
DATA g80Idx01<>+48(SB)/8, $0x0000000100000001
DATA g80Idx01<>+56(SB)/8, $0x0000000100000001
GLOBL g80Idx01<>(SB), RODATA|NOPTR, $64

DATA g80Idx23<>+0(SB)/8, $0x0000000200000002
DATA g80Idx23<>+8(SB)/8, $0x0000000200000002
DATA g80Idx23<>+16(SB)/8, $0x0000000200000002
DATA g80Idx23<>+24(SB)/8, $0x0000000200000002
DATA g80Idx23<>+32(SB)/8, $0x0000000300000003
DATA g80Idx23<>+40(SB)/8, $0x0000000300000003
DATA g80Idx23<>+48(SB)/8, $0x0000000300000003
DATA g80Idx23<>+56(SB)/8, $0x0000000300000003
GLOBL g80Idx23<>(SB), RODATA|NOPTR, $64

DATA gMinus8<>+0(SB)/4, $-8.0
GLOBL gMinus8<>(SB), RODATA|NOPTR, $4

// G_SETUP4 loads the four row pointers (SI, R9, R10, R11) and clears the
// sums Z8..Z11 and X20..X23.
#define G_SETUP4 \
	MOVQ w+0(FP), SI \
	MOVQ stride+8(FP), R8 \
	LEAQ (SI)(R8*1), R9 \
	LEAQ (R9)(R8*1), R10 \
	LEAQ (R10)(R8*1), R11 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23

// G_REDUCE4 leaves the sums of Z8..Z11 in X8..X11.
#define G_REDUCE4 \
	VEXTRACTF64X4 $1, Z8, Y0 \
	VEXTRACTF64X4 $1, Z9, Y1 \
	VEXTRACTF64X4 $1, Z10, Y2 \
	VEXTRACTF64X4 $1, Z11, Y3 \
	VADDPS Y0, Y8, Y8 \
	VADDPS Y1, Y9, Y9 \
	VADDPS Y2, Y10, Y10 \
	VADDPS Y3, Y11, Y11 \
	VEXTRACTF128 $1, Y8, X0 \
	VEXTRACTF128 $1, Y9, X1 \
	VEXTRACTF128 $1, Y10, X2 \
	VEXTRACTF128 $1, Y11, X3 \
	VADDPS X0, X8, X8 \
	VADDPS X1, X9, X9 \
	VADDPS X2, X10, X10 \
	VADDPS X3, X11, X11

// G_STORE4 adds up the lanes of X8..X11 into the [4]float32 at out (the
// argument).
#define G_STORE4(out) \
	VHADDPS X9, X8, X0 \
	VHADDPS X11, X10, X1 \
	VHADDPS X1, X0, X0 \
	MOVQ out, AX \
	VMOVUPS X0, (AX) \
	VZEROUPPER \
	RET

// G40_ROW is one step (four blocks, 72 bytes) of the Q4_0 row at R into
// acc; corr gathers d_w·s per block for the "−8" of every value (see
// dotQ4_0AVX2). The activations of the step are in Z24, Z25 (qsP order),
// their scales in X26 and sums s in X27.
#define G40_ROW(R, acc, corr) \
	VPERMW (R), Z19, Z5 \
	VCVTPH2PS X5, X5 \
	VFMADD231PS X27, X5, corr \
	VMULPS X26, X5, X5 \
	VPERMPS Z5, Z28, Z6 \
	VPERMPS Z5, Z29, Z7 \
	VMOVDQU 2(R), X0 \
	VINSERTI128 $1, 20(R), Y0, Y0 \
	VINSERTI64X4 $1, Y0, Z0, Z0 \
	VPSRLVW Z30, Z0, Z0 \
	VPANDQ Z31, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPDPBUSD Z24, Z0, Z1 \
	VCVTDQ2PS Z1, Z1 \
	VFMADD231PS Z6, Z1, acc \
	VMOVDQU 38(R), X2 \
	VINSERTI128 $1, 56(R), Y2, Y2 \
	VINSERTI64X4 $1, Y2, Z2, Z2 \
	VPSRLVW Z30, Z2, Z2 \
	VPANDQ Z31, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPDPBUSD Z25, Z2, Z3 \
	VCVTDQ2PS Z3, Z3 \
	VFMADD231PS Z7, Z3, acc

// func dot4Q4_0512(w *byte, stride int, qsP *int8, d, s *float32, n4 int, out *[4]float32)
// n4 steps of four blocks of the rows w, w+stride, w+2·stride, w+3·stride.
TEXT ·dot4Q4_0512(SB), NOSPLIT, $0-56
	G_SETUP4
	MOVQ qsP+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ s+32(FP), BX
	MOVQ n4+40(FP), CX
	MOVL $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z31
	VMOVDQU64 shift0_4<>(SB), Z30
	VMOVDQU64 g40Idx01<>(SB), Z28
	VMOVDQU64 g40Idx23<>(SB), Z29
	VMOVDQU64 g40Scales<>(SB), Z19

g40step:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	PREFETCHT0 1024(R9)
	PREFETCHT0 1088(R9)
	PREFETCHT0 1024(R10)
	PREFETCHT0 1088(R10)
	PREFETCHT0 1024(R11)
	PREFETCHT0 1088(R11)
	VMOVDQU64 (DI), Z24
	VMOVDQU64 64(DI), Z25
	VMOVUPS (DX), X26
	VMOVUPS (BX), X27
	G40_ROW(SI, Z8, X20)
	G40_ROW(R9, Z9, X21)
	G40_ROW(R10, Z10, X22)
	G40_ROW(R11, Z11, X23)
	ADDQ $72, SI
	ADDQ $72, R9
	ADDQ $72, R10
	ADDQ $72, R11
	ADDQ $128, DI
	ADDQ $16, DX
	ADDQ $16, BX
	DECQ CX
	JNZ g40step
	G_REDUCE4
	VBROADCASTSS gMinus8<>(SB), X7
	VFMADD231PS X7, X20, X8
	VFMADD231PS X7, X21, X9
	VFMADD231PS X7, X22, X10
	VFMADD231PS X7, X23, X11
	G_STORE4(out+48(FP))

// G80_ROW is one step (four blocks, 136 bytes) of the Q8_0 row at R into
// acc: |w| (unsigned) times the activations (Z24, Z25) with the sign of w
// (Z15 is zero), their scales in X26.
#define G80_ROW(R, acc) \
	VMOVDQU64 (R), Z5 \
	VPERMT2W 64(R), Z19, Z5 \
	VCVTPH2PS X5, X5 \
	VMULPS X26, X5, X5 \
	VPERMPS Z5, Z28, Z6 \
	VPERMPS Z5, Z29, Z7 \
	VMOVDQU 2(R), Y0 \
	VINSERTI64X4 $1, 36(R), Z0, Z0 \
	VPMOVB2M Z0, K1 \
	VMOVDQA64 Z24, Z1 \
	VPSUBB Z24, Z15, K1, Z1 \
	VPABSB Z0, Z0 \
	VPXORD Z4, Z4, Z4 \
	VPDPBUSD Z1, Z0, Z4 \
	VCVTDQ2PS Z4, Z4 \
	VFMADD231PS Z6, Z4, acc \
	VMOVDQU 70(R), Y2 \
	VINSERTI64X4 $1, 104(R), Z2, Z2 \
	VPMOVB2M Z2, K2 \
	VMOVDQA64 Z25, Z3 \
	VPSUBB Z25, Z15, K2, Z3 \
	VPABSB Z2, Z2 \
	VPXORD Z4, Z4, Z4 \
	VPDPBUSD Z3, Z2, Z4 \
	VCVTDQ2PS Z4, Z4 \
	VFMADD231PS Z7, Z4, acc

// func dot4Q8_0512(w *byte, stride int, qs *int8, d *float32, n4 int, out *[4]float32)
// n4 steps of four blocks of the rows w, w+stride, w+2·stride, w+3·stride.
TEXT ·dot4Q8_0512(SB), NOSPLIT, $0-48
	G_SETUP4
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ n4+32(FP), CX
	VPXORD Z15, Z15, Z15
	VMOVDQU64 g80Idx01<>(SB), Z28
	VMOVDQU64 g80Idx23<>(SB), Z29
	VMOVDQU64 g80Scales<>(SB), Z19

g80step:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	PREFETCHT0 1152(SI)
	PREFETCHT0 1024(R9)
	PREFETCHT0 1088(R9)
	PREFETCHT0 1152(R9)
	PREFETCHT0 1024(R10)
	PREFETCHT0 1088(R10)
	PREFETCHT0 1152(R10)
	PREFETCHT0 1024(R11)
	PREFETCHT0 1088(R11)
	PREFETCHT0 1152(R11)
	VMOVDQU64 (DI), Z24
	VMOVDQU64 64(DI), Z25
	VMOVUPS (DX), X26
	G80_ROW(SI, Z8)
	G80_ROW(R9, Z9)
	G80_ROW(R10, Z10)
	G80_ROW(R11, Z11)
	ADDQ $136, SI
	ADDQ $136, R9
	ADDQ $136, R10
	ADDQ $136, R11
	ADDQ $128, DI
	ADDQ $16, DX
	DECQ CX
	JNZ g80step
	G_REDUCE4
	G_STORE4(out+40(FP))

// G16_ROW multiplies 32 half floats at R with x in Y12..Y15 into the sums
// a and b.
#define G16_ROW(R, a, b) \
	VCVTPH2PS (R), Y4 \
	VCVTPH2PS 16(R), Y5 \
	VCVTPH2PS 32(R), Y6 \
	VCVTPH2PS 48(R), Y7 \
	VFMADD231PS Y12, Y4, a \
	VFMADD231PS Y13, Y5, b \
	VFMADD231PS Y14, Y6, a \
	VFMADD231PS Y15, Y7, b

// func dot4F16AVX2(w *byte, stride int, x *float32, n int, out *[4]float32)
// Four F16 rows side by side, 32 values of each a step (n a multiple of
// 32), with AVX2 and F16C only.
TEXT ·dot4F16AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), R8
	LEAQ (SI)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (R10)(R8*1), R11
	MOVQ x+16(FP), DI
	MOVQ n+24(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

g16step:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1024(R9)
	PREFETCHT0 1024(R10)
	PREFETCHT0 1024(R11)
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VMOVUPS 64(DI), Y14
	VMOVUPS 96(DI), Y15
	G16_ROW(SI, Y8, Y0)
	G16_ROW(R9, Y9, Y1)
	G16_ROW(R10, Y10, Y2)
	G16_ROW(R11, Y11, Y3)
	ADDQ $64, SI
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $128, DI
	SUBQ $32, CX
	JNZ g16step
	VADDPS Y0, Y8, Y8
	VADDPS Y1, Y9, Y9
	VADDPS Y2, Y10, Y10
	VADDPS Y3, Y11, Y11
	VEXTRACTF128 $1, Y8, X0
	VEXTRACTF128 $1, Y9, X1
	VEXTRACTF128 $1, Y10, X2
	VEXTRACTF128 $1, Y11, X3
	VADDPS X0, X8, X8
	VADDPS X1, X9, X9
	VADDPS X2, X10, X10
	VADDPS X3, X11, X11
	G_STORE4(out+32(FP))
