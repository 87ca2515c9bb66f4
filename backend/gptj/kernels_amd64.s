#include "textflag.h"

// Quantized rows come in groups of 8 blocks (weights.go): 8 f16 scales,
// then 8 blocks of values. Per block the integer dot product of 32 values
// is formed in 8 int32 lanes; REDUCE8 adds the lanes of 8 such vectors
// (Y0..Y7) into one vector of 8 block sums in Y1, so the scales of a group
// are converted, multiplied and accumulated with one instruction each.

#define REDUCE8 \
	VPHADDD Y1, Y0, Y0 \
	VPHADDD Y3, Y2, Y2 \
	VPHADDD Y5, Y4, Y4 \
	VPHADDD Y7, Y6, Y6 \
	VPHADDD Y2, Y0, Y0 \
	VPHADDD Y6, Y4, Y4 \
	VPERM2I128 $0x20, Y4, Y0, Y1 \
	VPERM2I128 $0x31, Y4, Y0, Y2 \
	VPADDD Y2, Y1, Y1

// Q8_0 values: |a| (unsigned) times sign(a)·w (signed) in pairs with
// VPMADDUBSW (at most 2·127·128: no saturation), pairs to int32 with
// VPMADDWD by ones (Y15).
#define Q8B(wo, ao, dst) Q8BR(SI, wo, ao, dst)

// DOTQ8(BLK) is the body of a Q8_0 kernel whose blocks are formed by BLK:
// per group of 8 blocks, 8 integer block products, reduced, scaled and
// accumulated.
#define DOTQ8(BLK) \
	MOVQ w+0(FP), SI \
	MOVQ qs+8(FP), DI \
	MOVQ d+16(FP), DX \
	MOVQ ngroups+24(FP), CX \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
q8group: \
	PREFETCHT0 8704(SI) \
	PREFETCHT0 8768(SI) \
	PREFETCHT0 8832(SI) \
	PREFETCHT0 8896(SI) \
	PREFETCHT0 8960(SI) \
	BLK(16, 0, Y0) \
	BLK(48, 32, Y1) \
	BLK(80, 64, Y2) \
	BLK(112, 96, Y3) \
	BLK(144, 128, Y4) \
	BLK(176, 160, Y5) \
	BLK(208, 192, Y6) \
	BLK(240, 224, Y7) \
	REDUCE8 \
	VCVTDQ2PS Y1, Y1 \
	VCVTPH2PS (SI), Y3 \
	VMULPS (DX), Y3, Y3 \
	VFMADD231PS Y3, Y1, Y8 \
	ADDQ $272, SI \
	ADDQ $256, DI \
	ADDQ $32, DX \
	DECQ CX \
	JNZ q8group \
	VEXTRACTF128 $1, Y8, X1 \
	VADDPS X1, X8, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0 \
	VZEROUPPER \
	MOVSS X0, ret+32(FP) \
	RET

// Q4_0 values: value j is the low nibble of byte j, value j+16 its high
// nibble, both minus 8. The 16 bytes are spread to 32 nibbles (low ones in
// the lower lane, high ones in the upper) and multiplied unsigned with the
// signed activations; the "− 8" is applied per block afterwards:
// Σ(n−8)·a = Σn·a − 8·Σa, with 8·d_a·Σa given in m.
#define Q4B(wo, ao, dst) \
	VMOVDQU wo(SI), X12 \
	VPSRLW $4, X12, X13 \
	VINSERTI128 $1, X13, Y12, Y12 \
	VPAND Y14, Y12, Y12 \
	VPMADDUBSW ao(DI), Y12, Y12 \
	VPMADDWD Y15, Y12, dst

// DOTQ4(BLK) is the body of a Q4_0 kernel whose blocks are formed by BLK.
#define DOTQ4(BLK) \
	MOVQ w+0(FP), SI \
	MOVQ qs+8(FP), DI \
	MOVQ d+16(FP), DX \
	MOVQ m+24(FP), BX \
	MOVQ ngroups+32(FP), CX \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
	MOVL $0x0F0F0F0F, AX \
	VMOVD AX, X14 \
	VPBROADCASTD X14, Y14 \
q4group: \
	PREFETCHT0 2304(SI) \
	PREFETCHT0 2368(SI) \
	PREFETCHT0 2432(SI) \
	BLK(16, 0, Y0) \
	BLK(32, 32, Y1) \
	BLK(48, 64, Y2) \
	BLK(64, 96, Y3) \
	BLK(80, 128, Y4) \
	BLK(96, 160, Y5) \
	BLK(112, 192, Y6) \
	BLK(128, 224, Y7) \
	REDUCE8 \
	VCVTDQ2PS Y1, Y1 \
	VCVTPH2PS (SI), Y3 \
	VFMADD231PS (BX), Y3, Y9 \
	VMULPS (DX), Y3, Y3 \
	VFMADD231PS Y3, Y1, Y8 \
	ADDQ $144, SI \
	ADDQ $256, DI \
	ADDQ $32, DX \
	ADDQ $32, BX \
	DECQ CX \
	JNZ q4group \
	VSUBPS Y9, Y8, Y8 \
	VEXTRACTF128 $1, Y8, X1 \
	VADDPS X1, X8, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0 \
	VZEROUPPER \
	MOVSS X0, ret+40(FP) \
	RET

// With VNNI, VPDPBUSD forms the unsigned × signed byte products and adds
// them in fours into int32 lanes in one instruction (no 16-bit step).
#define Q8BV(wo, ao, dst) Q8BVR(SI, wo, ao, dst)

#define Q4BV(wo, ao, dst) \
	VMOVDQU wo(SI), X12 \
	VPSRLW $4, X12, X13 \
	VINSERTI128 $1, X13, Y12, Y12 \
	VPAND Y14, Y12, Y12 \
	VPXOR dst, dst, dst \
	VPDPBUSD ao(DI), Y12, dst

#define SUMB(wo, dst) \
	VPXOR dst, dst, dst \
	VPDPBUSD wo(SI), Y14, dst

#define UNPACKQ4(so, do) \
	VMOVDQU so(SI), X12 \
	VPSRLW $4, X12, X13 \
	VINSERTI128 $1, X13, Y12, Y12 \
	VPAND Y14, Y12, Y12 \
	VPSUBB Y15, Y12, Y12 \
	VMOVDQU Y12, do(DI)

// Four rows at once (generation). A worker's chunk of rows is cut in four
// quarters read side by side (rows r, r+q, r+2q, r+3q): each core keeps
// four streams of weights in flight instead of one, which the memory
// system serves faster, and the activations are read once per four rows.
// Each stream is also prefetched about 1–2 KiB ahead (4 groups of Q8_0, 12
// of Q4_0): measured on the generation benchmark, this and the four
// streams each take about an eighth off the time of a token.

// REDUCE4 adds the lanes of the 4 block products in Y0..Y3 into 4 block
// sums in X1.
#define REDUCE4 \
	VPHADDD Y1, Y0, Y0 \
	VPHADDD Y3, Y2, Y2 \
	VPHADDD Y2, Y0, Y0 \
	VEXTRACTI128 $1, Y0, X1 \
	VPADDD X1, X0, X1

// Q8_0 blocks at wo(base) (Q8B and Q8BV: at wo(SI)).
#define Q8BR(base, wo, ao, dst) \
	VMOVDQU wo(base), Y12 \
	VMOVDQU ao(DI), Y13 \
	VPSIGNB Y13, Y12, Y12 \
	VPABSB Y13, Y13 \
	VPMADDUBSW Y12, Y13, Y12 \
	VPMADDWD Y15, Y12, dst

#define Q8BVR(base, wo, ao, dst) \
	VMOVDQU wo(base), Y12 \
	VMOVDQU ao(DI), Y13 \
	VPSIGNB Y13, Y12, Y12 \
	VPABSB Y13, Y13 \
	VPXOR dst, dst, dst \
	VPDPBUSD Y12, Y13, dst

// Half a group of one Q8_0 row (blocks made by BLK): values at w0..w3,
// scales at so, activation blocks at a0..a3 with scales at do.
#define Q8HALF(BLK, base, w0, w1, w2, w3, a0, a1, a2, a3, so, do, acc) \
	BLK(base, w0, a0, Y0) \
	BLK(base, w1, a1, Y1) \
	BLK(base, w2, a2, Y2) \
	BLK(base, w3, a3, Y3) \
	REDUCE4 \
	VCVTDQ2PS X1, X1 \
	VMULPS do(DX), X1, X1 \
	VCVTPH2PS so(base), X3 \
	VFMADD231PS X3, X1, acc

// SETUP4 loads the row pointers (SI, R9, R10, R11: stride apart) and clears
// the four sums.
#define SETUP4 \
	MOVQ w+0(FP), SI \
	MOVQ stride+8(FP), R8 \
	LEAQ (SI)(R8*1), R9 \
	LEAQ (R9)(R8*1), R10 \
	LEAQ (R10)(R8*1), R11 \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15

// STORE4 stores the sums of X8..X11 to the [4]float32 at AX.
#define STORE4 \
	VHADDPS X9, X8, X0 \
	VHADDPS X11, X10, X1 \
	VHADDPS X1, X0, X0 \
	VMOVUPS X0, (AX) \
	VZEROUPPER \
	RET

// DOT4Q8(BLK) is the body of a four-row Q8_0 kernel.
#define DOT4Q8(BLK) \
	SETUP4 \
	MOVQ qs+16(FP), DI \
	MOVQ d+24(FP), DX \
	MOVQ ngroups+32(FP), CX \
	MOVQ out+40(FP), AX \
q84group: \
	PREFETCHT0 1088(SI) \
	PREFETCHT0 1152(SI) \
	PREFETCHT0 1216(SI) \
	PREFETCHT0 1280(SI) \
	PREFETCHT0 1344(SI) \
	PREFETCHT0 1088(R9) \
	PREFETCHT0 1152(R9) \
	PREFETCHT0 1216(R9) \
	PREFETCHT0 1280(R9) \
	PREFETCHT0 1344(R9) \
	PREFETCHT0 1088(R10) \
	PREFETCHT0 1152(R10) \
	PREFETCHT0 1216(R10) \
	PREFETCHT0 1280(R10) \
	PREFETCHT0 1344(R10) \
	PREFETCHT0 1088(R11) \
	PREFETCHT0 1152(R11) \
	PREFETCHT0 1216(R11) \
	PREFETCHT0 1280(R11) \
	PREFETCHT0 1344(R11) \
	Q8HALF(BLK, SI, 16, 48, 80, 112, 0, 32, 64, 96, 0, 0, X8) \
	Q8HALF(BLK, R9, 16, 48, 80, 112, 0, 32, 64, 96, 0, 0, X9) \
	Q8HALF(BLK, R10, 16, 48, 80, 112, 0, 32, 64, 96, 0, 0, X10) \
	Q8HALF(BLK, R11, 16, 48, 80, 112, 0, 32, 64, 96, 0, 0, X11) \
	Q8HALF(BLK, SI, 144, 176, 208, 240, 128, 160, 192, 224, 8, 16, X8) \
	Q8HALF(BLK, R9, 144, 176, 208, 240, 128, 160, 192, 224, 8, 16, X9) \
	Q8HALF(BLK, R10, 144, 176, 208, 240, 128, 160, 192, 224, 8, 16, X10) \
	Q8HALF(BLK, R11, 144, 176, 208, 240, 128, 160, 192, 224, 8, 16, X11) \
	ADDQ $272, SI \
	ADDQ $272, R9 \
	ADDQ $272, R10 \
	ADDQ $272, R11 \
	ADDQ $256, DI \
	ADDQ $32, DX \
	DECQ CX \
	JNZ q84group \
	STORE4

// Q4_0 blocks two at a time: the 32 bytes of blocks j and j+1 give their
// low nibbles (values 0..15 of each block) with one AND and their high
// nibbles (values 16..31) with a shift and an AND, no lane crossing. The
// activations come in the matching order (actQ8.p4: per pair, values
// 0..15 of both blocks, then 16..31 of both), so the products of block j
// land in the low lane and those of block j+1 in the high lane.
#define Q4PR(base, wo, a0, a1, dst) \
	VMOVDQU wo(base), Y12 \
	VPSRLW $4, Y12, Y13 \
	VPAND Y14, Y12, Y12 \
	VPAND Y14, Y13, Y13 \
	VPMADDUBSW a0(DI), Y12, Y12 \
	VPMADDUBSW a1(DI), Y13, Y13 \
	VPADDW Y13, Y12, Y12 \
	VPMADDWD Y15, Y12, dst

#define Q4PVR(base, wo, a0, a1, dst) \
	VMOVDQU wo(base), Y12 \
	VPSRLW $4, Y12, Y13 \
	VPAND Y14, Y12, Y12 \
	VPAND Y14, Y13, Y13 \
	VPXOR dst, dst, dst \
	VPDPBUSD a0(DI), Y12, dst \
	VPDPBUSD a1(DI), Y13, dst

// One group of one Q4_0 row. Three horizontal adds leave the block sums
// in the order 0 2 4 6 1 3 5 7, which VPERMD with Y4 puts right; m
// (8·d·Σa per block) applies the "− 8" of every value.
#define Q4GROUP(BLK, base, acc) \
	BLK(base, 16, 0, 32, Y0) \
	BLK(base, 48, 64, 96, Y1) \
	BLK(base, 80, 128, 160, Y2) \
	BLK(base, 112, 192, 224, Y3) \
	VPHADDD Y1, Y0, Y0 \
	VPHADDD Y3, Y2, Y2 \
	VPHADDD Y2, Y0, Y0 \
	VPERMD Y0, Y4, Y1 \
	VCVTDQ2PS Y1, Y1 \
	VMULPS (DX), Y1, Y1 \
	VSUBPS (BX), Y1, Y1 \
	VCVTPH2PS (base), Y3 \
	VFMADD231PS Y3, Y1, acc

DATA q4order<>+0(SB)/4, $0
DATA q4order<>+4(SB)/4, $4
DATA q4order<>+8(SB)/4, $1
DATA q4order<>+12(SB)/4, $5
DATA q4order<>+16(SB)/4, $2
DATA q4order<>+20(SB)/4, $6
DATA q4order<>+24(SB)/4, $3
DATA q4order<>+28(SB)/4, $7
GLOBL q4order<>(SB), RODATA|NOPTR, $32

// DOT4Q4(BLK) is the body of a four-row Q4_0 kernel on p4 activations.
#define DOT4Q4(BLK) \
	SETUP4 \
	MOVQ p4+16(FP), DI \
	MOVQ d+24(FP), DX \
	MOVQ m+32(FP), BX \
	MOVQ ngroups+40(FP), CX \
	MOVQ out+48(FP), AX \
	MOVL $0x0F0F0F0F, R12 \
	VMOVD R12, X14 \
	VPBROADCASTD X14, Y14 \
	VMOVDQU q4order<>(SB), Y4 \
q44group: \
	PREFETCHT0 1728(SI) \
	PREFETCHT0 1792(SI) \
	PREFETCHT0 1856(SI) \
	PREFETCHT0 1728(R9) \
	PREFETCHT0 1792(R9) \
	PREFETCHT0 1856(R9) \
	PREFETCHT0 1728(R10) \
	PREFETCHT0 1792(R10) \
	PREFETCHT0 1856(R10) \
	PREFETCHT0 1728(R11) \
	PREFETCHT0 1792(R11) \
	PREFETCHT0 1856(R11) \
	Q4GROUP(BLK, SI, Y8) \
	Q4GROUP(BLK, R9, Y9) \
	Q4GROUP(BLK, R10, Y10) \
	Q4GROUP(BLK, R11, Y11) \
	ADDQ $144, SI \
	ADDQ $144, R9 \
	ADDQ $144, R10 \
	ADDQ $144, R11 \
	ADDQ $256, DI \
	ADDQ $32, DX \
	ADDQ $32, BX \
	DECQ CX \
	JNZ q44group \
	VEXTRACTF128 $1, Y8, X0 \
	VADDPS X0, X8, X8 \
	VEXTRACTF128 $1, Y9, X0 \
	VADDPS X0, X9, X9 \
	VEXTRACTF128 $1, Y10, X0 \
	VADDPS X0, X10, X10 \
	VEXTRACTF128 $1, Y11, X0 \
	VADDPS X0, X11, X11 \
	STORE4

// The order of the block sums after the 512-bit reduction of dotQ8UVNNI512
// (0 2 4 6 in dwords 0..3, 1 3 5 7 in dwords 8..11), as VPERMD indices.
DATA q8uorder<>+0(SB)/4, $0
DATA q8uorder<>+4(SB)/4, $8
DATA q8uorder<>+8(SB)/4, $1
DATA q8uorder<>+12(SB)/4, $9
DATA q8uorder<>+16(SB)/4, $2
DATA q8uorder<>+20(SB)/4, $10
DATA q8uorder<>+24(SB)/4, $3
DATA q8uorder<>+28(SB)/4, $11
DATA q8uorder<>+32(SB)/4, $0
DATA q8uorder<>+36(SB)/4, $0
DATA q8uorder<>+40(SB)/4, $0
DATA q8uorder<>+44(SB)/4, $0
DATA q8uorder<>+48(SB)/4, $0
DATA q8uorder<>+52(SB)/4, $0
DATA q8uorder<>+56(SB)/4, $0
DATA q8uorder<>+60(SB)/4, $0
GLOBL q8uorder<>(SB), RODATA|NOPTR, $64

// GEMMROW multiplies one block of one Q8_0 row (32 signed values at row,
// broadcast four at a time) with the same block of 16 vectors (Z0..Z7:
// quad j of every vector's unsigned values, one vector per lane) into 16
// int32 sums in two chains, takes away 128·Σw (at co(BX)), and adds the
// float products, scaled by the vectors' scales (Z8) times the row's
// (at dw(BX)), to out.
#define GEMMROW(row, acc, acc2, co, dw, out) \
	VPXORD acc, acc, acc \
	VPXORD acc2, acc2, acc2 \
	VPDPBUSD.BCST 0(row), Z0, acc \
	VPDPBUSD.BCST 4(row), Z1, acc2 \
	VPDPBUSD.BCST 8(row), Z2, acc \
	VPDPBUSD.BCST 12(row), Z3, acc2 \
	VPDPBUSD.BCST 16(row), Z4, acc \
	VPDPBUSD.BCST 20(row), Z5, acc2 \
	VPDPBUSD.BCST 24(row), Z6, acc \
	VPDPBUSD.BCST 28(row), Z7, acc2 \
	VPADDD acc2, acc, acc \
	VPSUBD.BCST co(BX), acc, acc \
	VCVTDQ2PS acc, acc \
	VMULPS.BCST dw(BX), Z8, acc2 \
	VFMADD231PS acc2, acc, out

// func dotQ8AVX2(w *byte, qs *int8, d *float32, ngroups int) float32
TEXT ·dotQ8AVX2(SB), NOSPLIT, $0-36
	DOTQ8(Q8B)

// func dotQ4AVX2(w *byte, qs *int8, d, m *float32, ngroups int) float32
TEXT ·dotQ4AVX2(SB), NOSPLIT, $0-44
	DOTQ4(Q4B)

// func f16RowAVX2(dst *float32, w *byte, n int)
TEXT ·f16RowAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ n+16(FP), CX
cvtloop:
	VCVTPH2PS (SI), Y1
	VMOVUPS Y1, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ cvtloop
	VZEROUPPER
	RET

// func dotQ8VNNI(w *byte, qs *int8, d *float32, ngroups int) float32
// dotQ8AVX2 with VPDPBUSD (AVX-512 VNNI on 256-bit registers).
TEXT ·dotQ8VNNI(SB), NOSPLIT, $0-36
	DOTQ8(Q8BV)

// func dotQ4VNNI(w *byte, qs *int8, d, m *float32, ngroups int) float32
// dotQ4AVX2 with VPDPBUSD (AVX-512 VNNI on 256-bit registers).
TEXT ·dotQ4VNNI(SB), NOSPLIT, $0-44
	DOTQ4(Q4BV)

// func sumQ8VNNI(w *byte, corr *int32, ngroups int)
// corr[b] = 128·Σw over block b's 32 values, for whole groups.
TEXT ·sumQ8VNNI(SB), NOSPLIT, $0-24
	MOVQ w+0(FP), SI
	MOVQ corr+8(FP), DI
	MOVQ ngroups+16(FP), CX
	MOVL $0x80808080, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
sumgroup:
	SUMB(16, Y0)
	SUMB(48, Y1)
	SUMB(80, Y2)
	SUMB(112, Y3)
	SUMB(144, Y4)
	SUMB(176, Y5)
	SUMB(208, Y6)
	SUMB(240, Y7)
	REDUCE8
	VMOVDQU Y1, (DI)
	ADDQ $272, SI
	ADDQ $32, DI
	DECQ CX
	JNZ sumgroup
	VZEROUPPER
	RET

// func unpackQ4AVX2(w *byte, dst *byte, ngroups int)
// Whole Q4_0 groups (8 scales, 8×16 bytes of nibbles) to Q8_0 groups (the
// same 8 scales, 8×32 values n−8), so a batched product can use the Q8_0
// kernels for every vector after unpacking a row once.
TEXT ·unpackQ4AVX2(SB), NOSPLIT, $0-24
	MOVQ w+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ ngroups+16(FP), CX
	MOVL $0x0F0F0F0F, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x08080808, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
unpackgroup:
	VMOVDQU (SI), X0
	VMOVDQU X0, (DI)
	UNPACKQ4(16, 16)
	UNPACKQ4(32, 48)
	UNPACKQ4(48, 80)
	UNPACKQ4(64, 112)
	UNPACKQ4(80, 144)
	UNPACKQ4(96, 176)
	UNPACKQ4(112, 208)
	UNPACKQ4(128, 240)
	ADDQ $144, SI
	ADDQ $272, DI
	DECQ CX
	JNZ unpackgroup
	VZEROUPPER
	RET

// func dot4Q8AVX2(w *byte, stride int, qs *int8, d *float32, ngroups int, out *[4]float32)
TEXT ·dot4Q8AVX2(SB), NOSPLIT, $0-48
	DOT4Q8(Q8BR)

// func dot4Q8VNNI(w *byte, stride int, qs *int8, d *float32, ngroups int, out *[4]float32)
TEXT ·dot4Q8VNNI(SB), NOSPLIT, $0-48
	DOT4Q8(Q8BVR)

// func dot4Q4AVX2(w *byte, stride int, p4 *int8, d, m *float32, ngroups int, out *[4]float32)
TEXT ·dot4Q4AVX2(SB), NOSPLIT, $0-56
	DOT4Q4(Q4PR)

// func dot4Q4VNNI(w *byte, stride int, p4 *int8, d, m *float32, ngroups int, out *[4]float32)
TEXT ·dot4Q4VNNI(SB), NOSPLIT, $0-56
	DOT4Q4(Q4PVR)

// func dotQ8UVNNI512(w *byte, us *byte, d *float32, corr *int32, ngroups int) float32
// With activations stored unsigned (u = a + 128), a Q8_0 block product is
// VPDPBUSD alone: Σu·w = Σa·w + 128·Σw, and the second term, which depends
// on the weights only, is subtracted per block from corr (made once per
// row by sumQ8VNNI, then used for every vector of a batch). On 512-bit
// registers one VPDPBUSD takes two blocks (their 64 contiguous bytes), and
// the 8 blocks' lanes are summed with unpacks and adds.
TEXT ·dotQ8UVNNI512(SB), NOSPLIT, $0-44
	MOVQ w+0(FP), SI
	MOVQ us+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ corr+24(FP), BX
	MOVQ ngroups+32(FP), CX
	VXORPS Y10, Y10, Y10
	VMOVDQU32 q8uorder<>(SB), Z15
q8u512group:
	VMOVDQU32 (DI), Z12
	VPXORD Z0, Z0, Z0
	VPDPBUSD 16(SI), Z12, Z0
	VMOVDQU32 64(DI), Z13
	VPXORD Z1, Z1, Z1
	VPDPBUSD 80(SI), Z13, Z1
	VMOVDQU32 128(DI), Z12
	VPXORD Z2, Z2, Z2
	VPDPBUSD 144(SI), Z12, Z2
	VMOVDQU32 192(DI), Z13
	VPXORD Z3, Z3, Z3
	VPDPBUSD 208(SI), Z13, Z3
	// Z0 = blocks 0|1 (8 lanes each), Z1 = 2|3, Z2 = 4|5, Z3 = 6|7.
	VPUNPCKLDQ Z1, Z0, Z4
	VPUNPCKHDQ Z1, Z0, Z5
	VPADDD Z5, Z4, Z4
	VPUNPCKLDQ Z3, Z2, Z6
	VPUNPCKHDQ Z3, Z2, Z7
	VPADDD Z7, Z6, Z6
	VPUNPCKLQDQ Z6, Z4, Z7
	VPUNPCKHQDQ Z6, Z4, Z8
	VPADDD Z8, Z7, Z7
	// 128-bit lanes of Z7: blocks 0 2 4 6 (lanes 0..3 of each, then
	// 4..7), blocks 1 3 5 7 (the same); add the halves, then order.
	VSHUFI32X4 $0xb1, Z7, Z7, Z8
	VPADDD Z8, Z7, Z7
	VPERMD Z7, Z15, Z9
	VPSUBD (BX), Y9, Y9
	VCVTDQ2PS Y9, Y9
	VCVTPH2PS (SI), Y3
	VMULPS (DX), Y3, Y3
	VFMADD231PS Y3, Y9, Y10
	ADDQ $272, SI
	ADDQ $256, DI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNZ q8u512group
	VEXTRACTF128 $1, Y10, X1
	VADDPS X1, X10, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// func gemmQ8VNNI(w *byte, rowStride, ngroups int, pk *byte, pd *float32, cd *int32, out *[64]float32)
// Four Q8_0 rows (rowStride bytes apart, whole groups from w) times 16
// vectors packed by actQ8.pack (pk: per block, 8 registers of quad j of
// the 16 vectors' unsigned values; pd: per block, the 16 vectors' scales):
// out[16k+v] = row k · vector v. cd holds row k's 128·Σw per block at
// int32 128·k and its scales (float32 bits) at 512 + 128·k. A lane per
// vector instead of per value: no horizontal sums, each weight read once
// for 16 vectors.
TEXT ·gemmQ8VNNI(SB), NOSPLIT, $0-56
	MOVQ w+0(FP), SI
	MOVQ rowStride+8(FP), AX
	LEAQ 16(SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	ADDQ $16, SI
	MOVQ ngroups+16(FP), CX
	MOVQ pk+24(FP), DI
	MOVQ pd+32(FP), DX
	MOVQ cd+40(FP), BX
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31
gemmgroup:
	MOVQ $8, R11
gemmblock:
	VMOVDQU32 0(DI), Z0
	VMOVDQU32 64(DI), Z1
	VMOVDQU32 128(DI), Z2
	VMOVDQU32 192(DI), Z3
	VMOVDQU32 256(DI), Z4
	VMOVDQU32 320(DI), Z5
	VMOVDQU32 384(DI), Z6
	VMOVDQU32 448(DI), Z7
	VMOVUPS (DX), Z8
	GEMMROW(SI, Z16, Z20, 0, 2048, Z28)
	GEMMROW(R8, Z17, Z21, 512, 2560, Z29)
	GEMMROW(R9, Z18, Z22, 1024, 3072, Z30)
	GEMMROW(R10, Z19, Z23, 1536, 3584, Z31)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $512, DI
	ADDQ $64, DX
	ADDQ $4, BX
	DECQ R11
	JNZ gemmblock
	ADDQ $16, SI
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	DECQ CX
	JNZ gemmgroup
	MOVQ out+48(FP), AX
	VMOVUPS Z28, (AX)
	VMOVUPS Z29, 64(AX)
	VMOVUPS Z30, 128(AX)
	VMOVUPS Z31, 192(AX)
	VZEROUPPER
	RET

// func scalesQ8AVX2(w *byte, dst *float32, ngroups int)
// The block scales of whole Q8_0 groups as float32.
TEXT ·scalesQ8AVX2(SB), NOSPLIT, $0-24
	MOVQ w+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ ngroups+16(FP), CX
scalesgroup:
	VCVTPH2PS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ $272, SI
	ADDQ $32, DI
	DECQ CX
	JNZ scalesgroup
	VZEROUPPER
	RET

// func prefetchL2(p *byte, n int)
// Asks for the n bytes at p (n > 0) to be brought into L2, a cache line
// at a time, so a batched product's next rows arrive while it computes.
TEXT ·prefetchL2(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	ADDQ SI, CX
prefetchline:
	PREFETCHT1 (SI)
	ADDQ $64, SI
	CMPQ SI, CX
	JLT prefetchline
	RET
