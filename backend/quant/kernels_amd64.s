#include "textflag.h"

// Row products of ggml blocks as they lie in the file with activations
// prepared by Acts. Each body is written once with a DP macro that forms
// eight int32 sums of four unsigned×signed byte products: VPMADDUBSW then
// VPMADDWD by ones (Y15) with AVX2, one VPDPBUSD with AVX-512 VNNI (its
// 256-bit form). Unsigned operands never exceed 63 and pairs of products
// stay below 2^15, so VPMADDUBSW never saturates.

#define DP_AVX2(s, u, acc, tmp) \
	VPMADDUBSW s, u, tmp \
	VPMADDWD Y15, tmp, acc

#define DP_VNNI(s, u, acc, tmp) \
	VPXOR acc, acc, acc \
	VPDPBUSD s, u, acc

#define ONES_Y15 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15

#define BYTES(v, reg, x) \
	MOVL v, AX \
	VMOVD AX, x \
	VPBROADCASTD x, reg

// HSUM leaves the sum of Y8's lanes in X0.
#define HSUM8 \
	VEXTRACTF128 $1, Y8, X1 \
	VADDPS X1, X8, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0

// Q8_0: per 34-byte block, |w| (unsigned) times sign(w)·a (signed), the
// eight sums converted and scaled by d_w·d_a.
#define DOTQ8_0(DP) \
	MOVQ row+0(FP), SI \
	MOVQ qs+8(FP), DI \
	MOVQ d+16(FP), DX \
	MOVQ nb+24(FP), CX \
	VXORPS Y8, Y8, Y8 \
	ONES_Y15 \
q80loop: \
	VMOVDQU 2(SI), Y0 \
	VMOVDQU (DI), Y1 \
	VPSIGNB Y0, Y1, Y1 \
	VPABSB Y0, Y2 \
	DP(Y1, Y2, Y3, Y4) \
	VCVTDQ2PS Y3, Y3 \
	VPBROADCASTW (SI), X5 \
	VCVTPH2PS X5, Y5 \
	VBROADCASTSS (DX), Y6 \
	VMULPS Y6, Y5, Y5 \
	VFMADD231PS Y5, Y3, Y8 \
	ADDQ $34, SI \
	ADDQ $32, DI \
	ADDQ $4, DX \
	DECQ CX \
	JNZ q80loop \
	HSUM8 \
	VZEROUPPER \
	MOVSS X0, ret+32(FP) \
	RET

// Q4_0: the 16 bytes spread to 32 nibbles (low ones, then high ones, the
// block's value order), multiplied unsigned; the "−8" is taken once per
// block: Σ(n−8)·a·d_a = Σn·a·d_a − 8·s, s = d_a·Σa.
#define DOTQ4_0(DP) \
	MOVQ row+0(FP), SI \
	MOVQ qs+8(FP), DI \
	MOVQ d+16(FP), DX \
	MOVQ s+24(FP), BX \
	MOVQ nb+32(FP), CX \
	VXORPS Y8, Y8, Y8 \
	VXORPS X9, X9, X9 \
	ONES_Y15 \
	BYTES($0x0F0F0F0F, Y14, X14) \
q40loop: \
	VMOVDQU 2(SI), X0 \
	VPSRLW $4, X0, X1 \
	VINSERTI128 $1, X1, Y0, Y0 \
	VPAND Y14, Y0, Y0 \
	DP((DI), Y0, Y3, Y4) \
	VCVTDQ2PS Y3, Y3 \
	VPBROADCASTW (SI), X5 \
	VCVTPH2PS X5, Y5 \
	VFMADD231SS (BX), X5, X9 \
	VBROADCASTSS (DX), Y6 \
	VMULPS Y6, Y5, Y5 \
	VFMADD231PS Y5, Y3, Y8 \
	ADDQ $18, SI \
	ADDQ $32, DI \
	ADDQ $4, DX \
	ADDQ $4, BX \
	DECQ CX \
	JNZ q40loop \
	HSUM8 \
	VADDSS X9, X9, X9 \
	VADDSS X9, X9, X9 \
	VADDSS X9, X9, X9 \
	VSUBSS X9, X0, X0 \
	VZEROUPPER \
	MOVSS X0, ret+40(FP) \
	RET

// Q4_K: per super-block the eight 6-bit scales and mins are unpacked with
// scalar masks (scales to 0(SP) as int32, for broadcasting), each 32-value
// sub-block's integer sum is multiplied by its scale into Y7, and the mins
// meet the activations' 32-value sums (bs32) in one VPMADDWD.
#define Q4K_SUB(DP, qoff, aoff, s1, s2) \
	VMOVDQU qoff(SI), Y0 \
	VPAND Y14, Y0, Y1 \
	VPSRLW $4, Y0, Y0 \
	VPAND Y14, Y0, Y0 \
	DP(aoff(DI), Y1, Y2, Y3) \
	DP(aoff+32(DI), Y0, Y4, Y5) \
	VPBROADCASTD s1(SP), Y3 \
	VPBROADCASTD s2(SP), Y5 \
	VPMULLD Y3, Y2, Y2 \
	VPMULLD Y5, Y4, Y4 \
	VPADDD Y2, Y7, Y7 \
	VPADDD Y4, Y7, Y7

#define DOTQ4K(DP) \
	MOVQ row+0(FP), SI \
	MOVQ qs+8(FP), DI \
	MOVQ d+16(FP), DX \
	MOVQ bs+24(FP), BX \
	MOVQ nb+32(FP), CX \
	VXORPS Y8, Y8, Y8 \
	VXORPS X9, X9, X9 \
	ONES_Y15 \
	BYTES($0x0F0F0F0F, Y14, X14) \
q4kloop: \
	MOVL 4(SI), AX \
	MOVL 8(SI), R8 \
	MOVL 12(SI), R9 \
	MOVL AX, R10 \
	ANDL $0x3f3f3f3f, R10 \
	MOVL R8, R11 \
	ANDL $0x3f3f3f3f, R11 \
	MOVL R9, R12 \
	ANDL $0x0f0f0f0f, R12 \
	SHRL $6, AX \
	ANDL $0x03030303, AX \
	SHLL $4, AX \
	ORL AX, R12 \
	SHRL $4, R9 \
	ANDL $0x0f0f0f0f, R9 \
	SHRL $6, R8 \
	ANDL $0x03030303, R8 \
	SHLL $4, R8 \
	ORL R8, R9 \
	VMOVD R10, X12 \
	VPINSRD $1, R12, X12, X12 \
	VPMOVZXBD X12, Y12 \
	VMOVDQU Y12, 0(SP) \
	VMOVD R11, X13 \
	VPINSRD $1, R9, X13, X13 \
	VPMOVZXBW X13, X13 \
	VPMADDWD (BX), X13, X13 \
	VCVTDQ2PS X13, X13 \
	VPBROADCASTD (SI), X10 \
	VCVTPH2PS X10, Y10 \
	VBROADCASTSS (DX), Y11 \
	VMULPS Y11, Y10, Y10 \
	VSHUFPS $0x55, Y10, Y10, Y11 \
	VFMADD231PS X11, X13, X9 \
	VSHUFPS $0x00, Y10, Y10, Y10 \
	VPXOR Y7, Y7, Y7 \
	Q4K_SUB(DP, 16, 0, 0, 4) \
	Q4K_SUB(DP, 48, 64, 8, 12) \
	Q4K_SUB(DP, 80, 128, 16, 20) \
	Q4K_SUB(DP, 112, 192, 24, 28) \
	VCVTDQ2PS Y7, Y7 \
	VFMADD231PS Y10, Y7, Y8 \
	ADDQ $144, SI \
	ADDQ $256, DI \
	ADDQ $4, DX \
	ADDQ $16, BX \
	DECQ CX \
	JNZ q4kloop \
	HSUM8 \
	VHADDPS X9, X9, X9 \
	VHADDPS X9, X9, X9 \
	VSUBSS X9, X0, X0 \
	VZEROUPPER \
	MOVSS X0, ret+40(FP) \
	RET

// Q6_K: values are taken unsigned (0..63) and the "−32" applied per
// super-block as 32·Σ sc·Σa over the sixteen 16-value groups (bsums).
// Each 32 values (a quarter of a 128-value half) hold two groups: lanes
// 0-3 and 4-7 of the sums, multiplied by their two scales.
#define Q6K_QUART(DP, ao, so) \
	DP(ao(DI), Y3, Y5, Y4) \
	VPBROADCASTD so(SP), Y6 \
	VPBROADCASTD so+4(SP), Y11 \
	VPBLENDD $0xF0, Y11, Y6, Y6 \
	VPMULLD Y6, Y5, Y5 \
	VPADDD Y5, Y7, Y7

#define Q6K_HALF(DP, qlo, qho, sco, ao) \
	VPMOVSXBD sco(SI), Y6 \
	VMOVDQU Y6, 0(SP) \
	VMOVDQU qlo(SI), Y0 \
	VMOVDQU qlo+32(SI), Y1 \
	VMOVDQU qho(SI), Y2 \
	VPAND Y14, Y0, Y3 \
	VPSLLW $4, Y2, Y4 \
	VPAND Y13, Y4, Y4 \
	VPOR Y4, Y3, Y3 \
	Q6K_QUART(DP, ao, 0) \
	VPAND Y14, Y1, Y3 \
	VPSLLW $2, Y2, Y4 \
	VPAND Y13, Y4, Y4 \
	VPOR Y4, Y3, Y3 \
	Q6K_QUART(DP, ao+32, 8) \
	VPSRLW $4, Y0, Y3 \
	VPAND Y14, Y3, Y3 \
	VPAND Y13, Y2, Y4 \
	VPOR Y4, Y3, Y3 \
	Q6K_QUART(DP, ao+64, 16) \
	VPSRLW $4, Y1, Y3 \
	VPAND Y14, Y3, Y3 \
	VPSRLW $2, Y2, Y4 \
	VPAND Y13, Y4, Y4 \
	VPOR Y4, Y3, Y3 \
	Q6K_QUART(DP, ao+96, 24)

#define DOTQ6K(DP) \
	MOVQ row+0(FP), SI \
	MOVQ qs+8(FP), DI \
	MOVQ d+16(FP), DX \
	MOVQ bs+24(FP), BX \
	MOVQ nb+32(FP), CX \
	VXORPS Y8, Y8, Y8 \
	ONES_Y15 \
	BYTES($0x0F0F0F0F, Y14, X14) \
	BYTES($0x30303030, Y13, X13) \
q6kloop: \
	VPMOVSXBW 192(SI), Y0 \
	VPMADDWD (BX), Y0, Y0 \
	VPSLLD $5, Y0, Y0 \
	VPXOR Y7, Y7, Y7 \
	VPSUBD Y0, Y7, Y7 \
	Q6K_HALF(DP, 0, 128, 192, 0) \
	Q6K_HALF(DP, 64, 160, 200, 128) \
	VCVTDQ2PS Y7, Y7 \
	VPBROADCASTW 208(SI), X0 \
	VCVTPH2PS X0, Y0 \
	VBROADCASTSS (DX), Y1 \
	VMULPS Y1, Y0, Y0 \
	VFMADD231PS Y0, Y7, Y8 \
	ADDQ $210, SI \
	ADDQ $256, DI \
	ADDQ $4, DX \
	ADDQ $32, BX \
	DECQ CX \
	JNZ q6kloop \
	HSUM8 \
	VZEROUPPER \
	MOVSS X0, ret+40(FP) \
	RET

// func dotQ8_0AVX2(row *byte, qs *int8, d *float32, nb int) float32
TEXT ·dotQ8_0AVX2(SB), NOSPLIT, $0-36
	DOTQ8_0(DP_AVX2)

// func dotQ8_0VNNI(row *byte, qs *int8, d *float32, nb int) float32
TEXT ·dotQ8_0VNNI(SB), NOSPLIT, $0-36
	DOTQ8_0(DP_VNNI)

// func dotQ4_0AVX2(row *byte, qs *int8, d, s *float32, nb int) float32
TEXT ·dotQ4_0AVX2(SB), NOSPLIT, $0-44
	DOTQ4_0(DP_AVX2)

// func dotQ4_0VNNI(row *byte, qs *int8, d, s *float32, nb int) float32
TEXT ·dotQ4_0VNNI(SB), NOSPLIT, $0-44
	DOTQ4_0(DP_VNNI)

// func dotQ4KAVX2(row *byte, qs *int8, d *float32, bs *int16, nb int) float32
TEXT ·dotQ4KAVX2(SB), NOSPLIT, $32-44
	DOTQ4K(DP_AVX2)

// func dotQ4KVNNI(row *byte, qs *int8, d *float32, bs *int16, nb int) float32
TEXT ·dotQ4KVNNI(SB), NOSPLIT, $32-44
	DOTQ4K(DP_VNNI)

// func dotQ6KAVX2(row *byte, qs *int8, d *float32, bs *int16, nb int) float32
TEXT ·dotQ6KAVX2(SB), NOSPLIT, $32-44
	DOTQ6K(DP_AVX2)

// func dotQ6KVNNI(row *byte, qs *int8, d *float32, bs *int16, nb int) float32
TEXT ·dotQ6KVNNI(SB), NOSPLIT, $32-44
	DOTQ6K(DP_VNNI)

// func dotF16AVX2(row *byte, x *float32, n int) float32 (n a multiple of 32)
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-28
	MOVQ row+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
f16loop:
	VCVTPH2PS (SI), Y0
	VCVTPH2PS 16(SI), Y1
	VCVTPH2PS 32(SI), Y2
	VCVTPH2PS 48(SI), Y3
	VFMADD231PS (DI), Y0, Y8
	VFMADD231PS 32(DI), Y1, Y9
	VFMADD231PS 64(DI), Y2, Y10
	VFMADD231PS 96(DI), Y3, Y11
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JNZ f16loop
	VADDPS Y9, Y8, Y8
	VADDPS Y11, Y10, Y10
	VADDPS Y10, Y8, Y8
	HSUM8
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotBF16AVX2(row *byte, x *float32, n int) float32 (n a multiple of 16)
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-28
	MOVQ row+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
bf16loop:
	VPMOVZXWD (SI), Y0
	VPMOVZXWD 16(SI), Y1
	VPSLLD $16, Y0, Y0
	VPSLLD $16, Y1, Y1
	VFMADD231PS (DI), Y0, Y8
	VFMADD231PS 32(DI), Y1, Y9
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JNZ bf16loop
	VADDPS Y9, Y8, Y8
	HSUM8
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET
