#include "textflag.h"

// The int8 product with AMX tiles (see gemmamx_amd64.go). The assembler
// does not know the AMX instructions: they are written as bytes, with
// the registers named in the comments (VEX encodings from Intel's
// manual).

// AFIX adds row k's integer sums of the block (16 vectors, at coff(BX))
// to its float sum: scale at soff(R8), offset at ooff(R8), the vectors'
// scales Z0 and scaled sums Z1.
#define AFIX(coff, soff, ooff, sum, t) \
	VCVTDQ2PS coff(BX), t \
	VMULPS.BCST soff(R8), t, t \
	VFMADD231PS Z0, t, sum \
	VFMADD231PS.BCST ooff(R8), Z1, sum

// func gemm32AMX(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[256]float32, c *[256]int32, cfg *[64]byte)
// 16 rows (per block: 16 rows of 32 unsigned values at w, 16 scale and
// offset quads at so) times 16 vectors packed by gemmPack: out[16k+v] =
// row k · vector v. c is room for one block's integer sums.
TEXT ·gemm32AMX(SB), NOSPLIT, $0-64
	MOVQ cfg+56(FP), AX
	// LDTILECFG (AX)
	BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0x00
	MOVQ w+0(FP), SI
	MOVQ so+8(FP), R8
	MOVQ pq+16(FP), DI
	MOVQ pf+24(FP), R9
	MOVQ nblk+32(FP), CX
	MOVQ c+48(FP), BX
	MOVQ $32, AX
	MOVQ $64, DX
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31
	// TILEZERO TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
amxloop:
	// TILELOADD TMM1, (SI)(AX*1): 16 rows of 32 weight bytes
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x0C; BYTE $0x06
	// TILELOADD TMM2, (DI)(DX*1): 8 rows of 64 vector bytes
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x14; BYTE $0x17
	// TDPBUSD TMM0, TMM1, TMM2: unsigned weights times signed values
	BYTE $0xC4; BYTE $0xE2; BYTE $0x69; BYTE $0x5E; BYTE $0xC1
	// TILESTORED (BX)(DX*1), TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x13
	// TILEZERO TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
	VMOVUPS 0(R9), Z0
	VMOVUPS 64(R9), Z1
	AFIX(0, 0, 4, Z16, Z2)
	AFIX(64, 16, 20, Z17, Z3)
	AFIX(128, 32, 36, Z18, Z4)
	AFIX(192, 48, 52, Z19, Z5)
	AFIX(256, 64, 68, Z20, Z6)
	AFIX(320, 80, 84, Z21, Z7)
	AFIX(384, 96, 100, Z22, Z8)
	AFIX(448, 112, 116, Z23, Z9)
	AFIX(512, 128, 132, Z24, Z2)
	AFIX(576, 144, 148, Z25, Z3)
	AFIX(640, 160, 164, Z26, Z4)
	AFIX(704, 176, 180, Z27, Z5)
	AFIX(768, 192, 196, Z28, Z6)
	AFIX(832, 208, 212, Z29, Z7)
	AFIX(896, 224, 228, Z30, Z8)
	AFIX(960, 240, 244, Z31, Z9)
	ADDQ $512, SI
	ADDQ $256, R8
	ADDQ $512, DI
	ADDQ $256, R9
	DECQ CX
	JNZ amxloop
	// TILERELEASE
	BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0xC0
	MOVQ out+40(FP), R10
	VMOVUPS Z16, 0(R10)
	VMOVUPS Z17, 64(R10)
	VMOVUPS Z18, 128(R10)
	VMOVUPS Z19, 192(R10)
	VMOVUPS Z20, 256(R10)
	VMOVUPS Z21, 320(R10)
	VMOVUPS Z22, 384(R10)
	VMOVUPS Z23, 448(R10)
	VMOVUPS Z24, 512(R10)
	VMOVUPS Z25, 576(R10)
	VMOVUPS Z26, 640(R10)
	VMOVUPS Z27, 704(R10)
	VMOVUPS Z28, 768(R10)
	VMOVUPS Z29, 832(R10)
	VMOVUPS Z30, 896(R10)
	VMOVUPS Z31, 960(R10)
	VZEROUPPER
	RET
