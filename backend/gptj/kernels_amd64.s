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
#define Q8B(wo, ao, dst) \
	VMOVDQU wo(SI), Y12 \
	VMOVDQU ao(DI), Y13 \
	VPSIGNB Y13, Y12, Y12 \
	VPABSB Y13, Y13 \
	VPMADDUBSW Y12, Y13, Y12 \
	VPMADDWD Y15, Y12, dst

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
#define Q8BV(wo, ao, dst) \
	VMOVDQU wo(SI), Y12 \
	VMOVDQU ao(DI), Y13 \
	VPSIGNB Y13, Y12, Y12 \
	VPABSB Y13, Y13 \
	VPXOR dst, dst, dst \
	VPDPBUSD Y12, Y13, dst

#define Q4BV(wo, ao, dst) \
	VMOVDQU wo(SI), X12 \
	VPSRLW $4, X12, X13 \
	VINSERTI128 $1, X13, Y12, Y12 \
	VPAND Y14, Y12, Y12 \
	VPXOR dst, dst, dst \
	VPDPBUSD ao(DI), Y12, dst

// With activations stored unsigned (u = a + 128), a Q8_0 block product
// is one VPDPBUSD: Σu·w = Σa·w + 128·Σw, and the second term, which
// depends on the weights only, is subtracted per block from corr (made
// once per row by sumQ8VNNI, then used for every vector of a batch).
#define Q8BU(wo, ao, dst) \
	VPXOR dst, dst, dst \
	VMOVDQU ao(DI), Y13 \
	VPDPBUSD wo(SI), Y13, dst

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

// func dotQ8AVX2(w *byte, qs *int8, d *float32, ngroups int) float32
TEXT ·dotQ8AVX2(SB), NOSPLIT, $0-36
	DOTQ8(Q8B)

// func dotQ4AVX2(w *byte, qs *int8, d, m *float32, ngroups int) float32
TEXT ·dotQ4AVX2(SB), NOSPLIT, $0-44
	DOTQ4(Q4B)

// func dotF16AVX2(w *byte, x *float32, n int) float32
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
f16loop:
	VCVTPH2PS (SI), Y1
	VCVTPH2PS 16(SI), Y2
	VCVTPH2PS 32(SI), Y3
	VCVTPH2PS 48(SI), Y4
	VFMADD231PS (DI), Y1, Y0
	VFMADD231PS 32(DI), Y2, Y5
	VFMADD231PS 64(DI), Y3, Y6
	VFMADD231PS 96(DI), Y4, Y7
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JNZ f16loop
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

// func axpyF16AVX2(a float32, x *byte, y *float32, n int)
TEXT ·axpyF16AVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
axpyf16loop:
	VCVTPH2PS (SI), Y1
	VMOVUPS (DI), Y2
	VFMADD231PS Y1, Y0, Y2
	VMOVUPS Y2, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ axpyf16loop
	VZEROUPPER
	RET

// func dot2F16AVX2(w0, w1 *byte, x *float32, n int, out *[2]float32)
// Two half-precision rows times x at once: each load of x serves both,
// and the two rows stream from memory side by side.
TEXT ·dot2F16AVX2(SB), NOSPLIT, $0-40
	MOVQ w0+0(FP), SI
	MOVQ w1+8(FP), BX
	MOVQ x+16(FP), DI
	MOVQ n+24(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
dot2f16loop:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1024(BX)
	VMOVUPS (DI), Y8
	VMOVUPS 32(DI), Y9
	VCVTPH2PS (SI), Y4
	VCVTPH2PS 16(SI), Y5
	VCVTPH2PS (BX), Y6
	VCVTPH2PS 16(BX), Y7
	VFMADD231PS Y8, Y4, Y0
	VFMADD231PS Y9, Y5, Y1
	VFMADD231PS Y8, Y6, Y2
	VFMADD231PS Y9, Y7, Y3
	ADDQ $32, SI
	ADDQ $32, BX
	ADDQ $64, DI
	SUBQ $16, CX
	JNZ dot2f16loop
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VHADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	MOVQ out+32(FP), AX
	MOVLPS X0, (AX)
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

// func dotQ8UVNNI(w *byte, us *byte, d *float32, corr *int32, ngroups int) float32
TEXT ·dotQ8UVNNI(SB), NOSPLIT, $0-44
	MOVQ w+0(FP), SI
	MOVQ us+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ corr+24(FP), BX
	MOVQ ngroups+32(FP), CX
	VXORPS Y8, Y8, Y8
q8ugroup:
	Q8BU(16, 0, Y0)
	Q8BU(48, 32, Y1)
	Q8BU(80, 64, Y2)
	Q8BU(112, 96, Y3)
	Q8BU(144, 128, Y4)
	Q8BU(176, 160, Y5)
	Q8BU(208, 192, Y6)
	Q8BU(240, 224, Y7)
	REDUCE8
	VPSUBD (BX), Y1, Y1
	VCVTDQ2PS Y1, Y1
	VCVTPH2PS (SI), Y3
	VMULPS (DX), Y3, Y3
	VFMADD231PS Y3, Y1, Y8
	ADDQ $272, SI
	ADDQ $256, DI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNZ q8ugroup
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

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
