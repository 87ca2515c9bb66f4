#include "textflag.h"
#include "k512_amd64.h"

// Four-row K-quant products for generation (one vector), AVX-512 VNNI
// CPUs. A worker's run of rows is cut in four quarters read side by side:
// rows i, i+q, i+2q, i+3q, each quarter a stream of its own, so the memory
// system has four streams to serve instead of one. Each stream is also
// prefetched PF bytes ahead. The vector's values for a super-block are
// loaded once into registers and used for the four rows; each row sums in
// its own register, reduced to one number when the row ends, and the whole
// run is one call. The arithmetic per row is that of dotQ4K512 and
// dotQ6K512 (kernels512_amd64.s), except that VPDPWSSD multiplies the
// product pairs by their scales and sums them into one register.

// PF is how far ahead of each stream the prefetches reach, in bytes.
#define PF 1536

// Q4K_NIB128 multiplies the 128 values whose 64 bytes are at src (low
// nibbles, sub-blocks 4p and 4p+2; high, 4p+1 and 4p+3) by the activations
// in aLo and aHi, by the scales in X12 spread by idxLo and idxHi, and adds
// them to sum.
#define Q4K_NIB128(src, aLo, aHi, idxLo, idxHi, sum) \
	VMOVDQU64 src, Z0 \
	VPANDQ Z14, Z0, Z1 \
	VPSRLW $4, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPMADDUBSW aLo, Z1, Z1 \
	VPMADDUBSW aHi, Z0, Z0 \
	VPERMW Z12, idxLo, Z2 \
	VPERMW Z12, idxHi, Z3 \
	VPDPWSSD Z2, Z1, sum \
	VPDPWSSD Z3, Z0, sum

// Q4K_ROW adds one Q4_K super-block of the row at base, times the vector's
// (values Z20-Z23, group sums X13, scale broadcast in Y15), to acc: the
// scaled sum of the products less the mins times the group sums.
#define Q4K_ROW(base, acc) \
	PREFETCHT0 PF base \
	PREFETCHT0 PF+64 base \
	PREFETCHT0 PF+128 base \
	K4_SCALES_AT(base, X11) \
	VPMADDWD X13, X11, X11 \
	VCVTDQ2PS X11, X11 \
	VPBROADCASTD 0 base, X10 \
	VCVTPH2PS X10, Y10 \
	VMULPS Y15, Y10, Y10 \
	VSHUFPS $0x55, Y10, Y10, Y9 \
	VBROADCASTSS X10, Z10 \
	VPXORD Z7, Z7, Z7 \
	Q4K_NIB128(16 base, Z20, Z21, Z16, Z17, Z7) \
	Q4K_NIB128(80 base, Z22, Z23, Z18, Z19, Z7) \
	VCVTDQ2PS Z7, Z7 \
	VFMADD231PS Z10, Z7, acc \
	VFNMADD231PS Z9, Z11, acc

// HSUM4 reduces the four row sums Z24-Z27 (Q4_K) or Z28-Z31 (Q6_K),
// a..d, to X0 = [a b c d].
#define HSUM4(a, b, c, d, ya, yb, yc, yd) \
	VEXTRACTF64X4 $1, a, Y0 \
	VADDPS Y0, ya, Y0 \
	VEXTRACTF64X4 $1, b, Y1 \
	VADDPS Y1, yb, Y1 \
	VEXTRACTF64X4 $1, c, Y2 \
	VADDPS Y2, yc, Y2 \
	VEXTRACTF64X4 $1, d, Y3 \
	VADDPS Y3, yd, Y3 \
	VHADDPS Y1, Y0, Y0 \
	VHADDPS Y3, Y2, Y2 \
	VHADDPS Y2, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X1, X0, X0

// STORE4 writes X0's four sums to out[i], out[i+q], out[i+2q], out[i+3q]
// and moves out on to i+1.
#define STORE4 \
	MOVQ out+56(FP), AX \
	MOVQ q+48(FP), R8 \
	SHLQ $2, R8 \
	LEAQ (R8)(R8*2), R9 \
	VMOVSS X0, (AX) \
	VEXTRACTPS $1, X0, (AX)(R8*1) \
	VEXTRACTPS $2, X0, (AX)(R8*2) \
	VEXTRACTPS $3, X0, (AX)(R9*1) \
	ADDQ $4, AX \
	MOVQ AX, out+56(FP)

// func dotQ4K512Rows4(w *byte, span int, qsK4 *int8, d *float32, bs *int16, nb, q int, out *float32)
// sets out[i+k·q] to the product of row i+k·q for i < q, k < 4; the rows
// are nb super-blocks each, one after the other from w, and span is q rows'
// bytes.
TEXT ·dotQ4K512Rows4(SB), NOSPLIT, $8-64
	MOVQ w+0(FP), SI
	MOVQ span+8(FP), R13
	LEAQ (R13)(R13*2), R14
	MOVQ q+48(FP), AX
	MOVQ AX, left-8(SP)
	MOVL $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z14
	VMOVDQU64 q4kIdxLo0<>(SB), Z16
	VMOVDQU64 q4kIdxHi0<>(SB), Z17
	VMOVDQU64 q4kIdxLo1<>(SB), Z18
	VMOVDQU64 q4kIdxHi1<>(SB), Z19

q4k4row:
	MOVQ qsK4+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ bs+32(FP), BX
	MOVQ nb+40(FP), CX
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27

q4k4sb:
	VMOVDQU64 (DI), Z20
	VMOVDQU64 64(DI), Z21
	VMOVDQU64 128(DI), Z22
	VMOVDQU64 192(DI), Z23
	VMOVDQU (BX), X13
	VBROADCASTSS (DX), Y15
	Q4K_ROW((SI), Z24)
	Q4K_ROW((SI)(R13*1), Z25)
	Q4K_ROW((SI)(R13*2), Z26)
	Q4K_ROW((SI)(R14*1), Z27)
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $16, BX
	DECQ CX
	JNZ q4k4sb
	HSUM4(Z24, Z25, Z26, Z27, Y24, Y25, Y26, Y27)
	STORE4
	DECQ left-8(SP)
	JNZ q4k4row
	VZEROUPPER
	RET

// Q6K_HALF adds the products of one 128-value half of a Q6_K super-block
// (low bits at ql, high bits at qh) with the activations aA, aB, times the
// scales in Y12 spread by idxA and idxB, to sum.
#define Q6K_HALF(ql, qh, aA, aB, idxA, idxB, sum) \
	VMOVDQU64 ql, Z0 \
	VBROADCASTI64X4 qh, Z1 \
	VPANDQ Z14, Z0, Z2 \
	VPSLLVW Z16, Z1, Z3 \
	VPANDQ Z13, Z3, Z3 \
	VPORQ Z3, Z2, Z2 \
	VPMADDUBSW aA, Z2, Z2 \
	VPERMW Z12, idxA, Z4 \
	VPDPWSSD Z4, Z2, sum \
	VPSRLW $4, Z0, Z0 \
	VPANDQ Z14, Z0, Z0 \
	VPSRLVW Z17, Z1, Z1 \
	VPANDQ Z13, Z1, Z1 \
	VPORQ Z1, Z0, Z0 \
	VPMADDUBSW aB, Z0, Z0 \
	VPERMW Z12, idxB, Z4 \
	VPDPWSSD Z4, Z0, sum

// Q6K_ROW adds one Q6_K super-block of the row at base, times the vector's
// (values Z24-Z27, group sums Y8, scale X15), to acc: the weights are
// stored +32, so 32·Σ scale·group sum comes off the integer sum.
#define Q6K_ROW(base, acc) \
	PREFETCHT0 PF base \
	PREFETCHT0 PF+64 base \
	PREFETCHT0 PF+128 base \
	PREFETCHT0 PF+192 base \
	VPMOVSXBW 192 base, Y12 \
	VPMADDWD Y8, Y12, Y5 \
	VPSLLD $5, Y5, Y5 \
	VPXORD Z7, Z7, Z7 \
	VPSUBD Z5, Z7, Z7 \
	Q6K_HALF(0 base, 128 base, Z24, Z25, Z20, Z21, Z7) \
	Q6K_HALF(64 base, 160 base, Z26, Z27, Z22, Z23, Z7) \
	VCVTDQ2PS Z7, Z7 \
	VPBROADCASTW 208 base, X0 \
	VCVTPH2PS X0, X0 \
	VMULSS X15, X0, X0 \
	VBROADCASTSS X0, Z0 \
	VFMADD231PS Z0, Z7, acc

// func dotQ6K512Rows4(w *byte, span int, qs *int8, d *float32, bs *int16, nb, q int, out *float32)
// is dotQ4K512Rows4 for Q6_K.
TEXT ·dotQ6K512Rows4(SB), NOSPLIT, $8-64
	MOVQ w+0(FP), SI
	MOVQ span+8(FP), R13
	LEAQ (R13)(R13*2), R14
	MOVQ q+48(FP), AX
	MOVQ AX, left-8(SP)
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

q6k4row:
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ bs+32(FP), BX
	MOVQ nb+40(FP), CX
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31

q6k4sb:
	VMOVDQU64 (DI), Z24
	VMOVDQU64 64(DI), Z25
	VMOVDQU64 128(DI), Z26
	VMOVDQU64 192(DI), Z27
	VMOVDQU (BX), Y8
	VMOVSS (DX), X15
	Q6K_ROW((SI), Z28)
	Q6K_ROW((SI)(R13*1), Z29)
	Q6K_ROW((SI)(R13*2), Z30)
	Q6K_ROW((SI)(R14*1), Z31)
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ q6k4sb
	HSUM4(Z28, Z29, Z30, Z31, Y28, Y29, Y30, Y31)
	STORE4
	DECQ left-8(SP)
	JNZ q6k4row
	VZEROUPPER
	RET
