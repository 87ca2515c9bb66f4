#include "textflag.h"

// The int8 product with AMX tiles (see gemmamx_amd64.go). The assembler
// does not know the AMX instructions: they are written as bytes, with
// the instruction and its operands in a comment above each (VEX
// encodings from Intel's manual; tiles as amxConfig sets them).

// AFIX adds row k's integer sums of the block (16 vectors, at coff(BX))
// to its float sum: scale at soff(R8), offset at ooff(R8), the vectors'
// scales Z0 and scaled sums Z1.
#define AFIX(coff, soff, ooff, sum, t) \
	VCVTDQ2PS coff(BX), t \
	VMULPS.BCST soff(R8), t, t \
	VFMADD231PS Z0, t, sum \
	VFMADD231PS.BCST ooff(R8), Z1, sum

// AMXARGS loads the tile configuration (LDTILECFG (AX)) and the arguments.
#define AMXARGS \
	MOVQ cfg+56(FP), AX \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0x00 \
	MOVQ w+0(FP), SI \
	MOVQ so+8(FP), R8 \
	MOVQ pq+16(FP), DI \
	MOVQ pf+24(FP), R9 \
	MOVQ nblk+32(FP), CX \
	MOVQ c+48(FP), BX \
	MOVQ $32, AX \
	MOVQ $64, DX

#define NEXTBLOCK \
	ADDQ $512, SI \
	ADDQ $256, R8 \
	ADDQ $512, DI \
	ADDQ $256, R9 \
	DECQ CX

#define STORESUMS \
	VMOVUPS Z16, 0(R10) \
	VMOVUPS Z17, 64(R10) \
	VMOVUPS Z18, 128(R10) \
	VMOVUPS Z19, 192(R10) \
	VMOVUPS Z20, 256(R10) \
	VMOVUPS Z21, 320(R10) \
	VMOVUPS Z22, 384(R10) \
	VMOVUPS Z23, 448(R10) \
	VMOVUPS Z24, 512(R10) \
	VMOVUPS Z25, 576(R10) \
	VMOVUPS Z26, 640(R10) \
	VMOVUPS Z27, 704(R10) \
	VMOVUPS Z28, 768(R10) \
	VMOVUPS Z29, 832(R10) \
	VMOVUPS Z30, 896(R10) \
	VMOVUPS Z31, 960(R10)

#define ZEROSUMS \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23 \
	VPXORD Z24, Z24, Z24 \
	VPXORD Z25, Z25, Z25 \
	VPXORD Z26, Z26, Z26 \
	VPXORD Z27, Z27, Z27 \
	VPXORD Z28, Z28, Z28 \
	VPXORD Z29, Z29, Z29 \
	VPXORD Z30, Z30, Z30 \
	VPXORD Z31, Z31, Z31

// AMXDONE releases the tiles (TILERELEASE) and stores the sums.
#define AMXDONE \
	BYTE $0xC4; BYTE $0xE2; BYTE $0x78; BYTE $0x49; BYTE $0xC0 \
	MOVQ out+40(FP), R10 \
	STORESUMS \
	VZEROUPPER \
	RET

#define FIX32 \
	VMOVUPS 0(R9), Z0 \
	VMOVUPS 64(R9), Z1 \
	AFIX(0, 0, 4, Z16, Z2) \
	AFIX(64, 16, 20, Z17, Z3) \
	AFIX(128, 32, 36, Z18, Z4) \
	AFIX(192, 48, 52, Z19, Z5) \
	AFIX(256, 64, 68, Z20, Z6) \
	AFIX(320, 80, 84, Z21, Z7) \
	AFIX(384, 96, 100, Z22, Z8) \
	AFIX(448, 112, 116, Z23, Z9) \
	AFIX(512, 128, 132, Z24, Z2) \
	AFIX(576, 144, 148, Z25, Z3) \
	AFIX(640, 160, 164, Z26, Z4) \
	AFIX(704, 176, 180, Z27, Z5) \
	AFIX(768, 192, 196, Z28, Z6) \
	AFIX(832, 208, 212, Z29, Z7) \
	AFIX(896, 224, 228, Z30, Z8) \
	AFIX(960, 240, 244, Z31, Z9)

// func gemm32AMX(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[256]float32, c *[256]int32, cfg *[64]byte)
// 16 rows (per block: 16 rows of 32 unsigned values at w, 16 scale and
// offset quads at so) times 16 vectors packed by gemmPack: out[16k+v] =
// row k · vector v. c is room for one block's integer sums. Blocks go in
// pairs through two sets of tiles, so that the tiles multiply the next
// block while the vector unit scales the sums of this one.
TEXT ·gemm32AMX(SB), NOSPLIT, $0-64
	AMXARGS
	ZEROSUMS
	// TILEZERO TMM0; TILEZERO TMM3
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xD8
	// TILELOADD TMM1, (SI)(AX*1); TILELOADD TMM2, (DI)(DX*1); TDPBUSD TMM0, TMM1, TMM2
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x0C; BYTE $0x06
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x14; BYTE $0x17
	BYTE $0xC4; BYTE $0xE2; BYTE $0x69; BYTE $0x5E; BYTE $0xC1
amxeven: // this block's product in TMM0
	CMPQ CX, $1
	JEQ amxlast0
	// TILELOADD TMM4, 512(SI)(AX*1); TILELOADD TMM5, 512(DI)(DX*1); TDPBUSD TMM3, TMM4, TMM5
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xA4; BYTE $0x06; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xAC; BYTE $0x17; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x51; BYTE $0x5E; BYTE $0xDC
	// TILESTORED TMM0, (BX)(DX*1); TILEZERO TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x13
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
	FIX32
	NEXTBLOCK
	// this block's product in TMM3
	CMPQ CX, $1
	JEQ amxlast3
	// TILELOADD TMM1, 512(SI)(AX*1); TILELOADD TMM2, 512(DI)(DX*1); TDPBUSD TMM0, TMM1, TMM2
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x8C; BYTE $0x06; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x94; BYTE $0x17; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x69; BYTE $0x5E; BYTE $0xC1
	// TILESTORED TMM3, (BX)(DX*1); TILEZERO TMM3
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x1C; BYTE $0x13
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xD8
	FIX32
	NEXTBLOCK
	JMP amxeven
amxlast0:
	// TILESTORED TMM0, (BX)(DX*1)
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x13
	FIX32
	AMXDONE
amxlast3:
	// TILESTORED TMM3, (BX)(DX*1)
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x1C; BYTE $0x13
	FIX32
	AMXDONE

// AFIXS is AFIX for signed weights: no offset.
#define AFIXS(coff, soff, sum, t) \
	VCVTDQ2PS coff(BX), t \
	VMULPS.BCST soff(R8), t, t \
	VFMADD231PS Z0, t, sum

#define FIX32S \
	VMOVUPS 0(R9), Z0 \
	AFIXS(0, 0, Z16, Z2) \
	AFIXS(64, 16, Z17, Z3) \
	AFIXS(128, 32, Z18, Z4) \
	AFIXS(192, 48, Z19, Z5) \
	AFIXS(256, 64, Z20, Z6) \
	AFIXS(320, 80, Z21, Z7) \
	AFIXS(384, 96, Z22, Z8) \
	AFIXS(448, 112, Z23, Z9) \
	AFIXS(512, 128, Z24, Z2) \
	AFIXS(576, 144, Z25, Z3) \
	AFIXS(640, 160, Z26, Z4) \
	AFIXS(704, 176, Z27, Z5) \
	AFIXS(768, 192, Z28, Z6) \
	AFIXS(832, 208, Z29, Z7) \
	AFIXS(896, 224, Z30, Z8) \
	AFIXS(960, 240, Z31, Z9)

// func gemm32AMXS(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[256]float32, c *[256]int32, cfg *[64]byte)
// gemm32AMX for signed weights and no offsets (TDPBSSD).
TEXT ·gemm32AMXS(SB), NOSPLIT, $0-64
	AMXARGS
	ZEROSUMS
	// TILEZERO TMM0; TILEZERO TMM3
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xD8
	// TILELOADD TMM1, (SI)(AX*1); TILELOADD TMM2, (DI)(DX*1); TDPBSSD TMM0, TMM1, TMM2
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x0C; BYTE $0x06
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x14; BYTE $0x17
	BYTE $0xC4; BYTE $0xE2; BYTE $0x6B; BYTE $0x5E; BYTE $0xC1
amxevens: // this block's product in TMM0
	CMPQ CX, $1
	JEQ amxlast0s
	// TILELOADD TMM4, 512(SI)(AX*1); TILELOADD TMM5, 512(DI)(DX*1); TDPBSSD TMM3, TMM4, TMM5
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xA4; BYTE $0x06; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xAC; BYTE $0x17; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x53; BYTE $0x5E; BYTE $0xDC
	// TILESTORED TMM0, (BX)(DX*1); TILEZERO TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x13
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
	FIX32S
	NEXTBLOCK
	// this block's product in TMM3
	CMPQ CX, $1
	JEQ amxlast3s
	// TILELOADD TMM1, 512(SI)(AX*1); TILELOADD TMM2, 512(DI)(DX*1); TDPBSSD TMM0, TMM1, TMM2
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x8C; BYTE $0x06; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x94; BYTE $0x17; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x6B; BYTE $0x5E; BYTE $0xC1
	// TILESTORED TMM3, (BX)(DX*1); TILEZERO TMM3
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x1C; BYTE $0x13
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xD8
	FIX32S
	NEXTBLOCK
	JMP amxevens
amxlast0s:
	// TILESTORED TMM0, (BX)(DX*1)
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x13
	FIX32S
	AMXDONE
amxlast3s:
	// TILESTORED TMM3, (BX)(DX*1)
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x1C; BYTE $0x13
	FIX32S
	AMXDONE

// func gemm16AMXS(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[256]float32, c *[256]int32, cfg *[64]byte)
// gemm32AMXS for a scale per 16 values (Q6_K; its rows always come signed
// to AMX): each block in two halves, 16 bytes of each row times quads 0-3
// then 4-7 of the vectors, scaled with the first then the second scale of
// the row's scale quad (its values 0 and 2).
TEXT ·gemm16AMXS(SB), NOSPLIT, $0-64
	AMXARGS
	ZEROSUMS
	// TILEZERO TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
amx16loops:
	VMOVUPS 0(R9), Z0
	// TILELOADD TMM6, (SI)(AX*1); TILELOADD TMM7, (DI)(DX*1); TDPBSSD TMM0, TMM6, TMM7
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x34; BYTE $0x06
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x3C; BYTE $0x17
	BYTE $0xC4; BYTE $0xE2; BYTE $0x43; BYTE $0x5E; BYTE $0xC6
	// TILESTORED TMM0, (BX)(DX*1); TILEZERO TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x13
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
	AFIXS(0, 0, Z16, Z2)
	AFIXS(64, 16, Z17, Z3)
	AFIXS(128, 32, Z18, Z4)
	AFIXS(192, 48, Z19, Z5)
	AFIXS(256, 64, Z20, Z6)
	AFIXS(320, 80, Z21, Z7)
	AFIXS(384, 96, Z22, Z8)
	AFIXS(448, 112, Z23, Z9)
	AFIXS(512, 128, Z24, Z2)
	AFIXS(576, 144, Z25, Z3)
	AFIXS(640, 160, Z26, Z4)
	AFIXS(704, 176, Z27, Z5)
	AFIXS(768, 192, Z28, Z6)
	AFIXS(832, 208, Z29, Z7)
	AFIXS(896, 224, Z30, Z8)
	AFIXS(960, 240, Z31, Z9)
	// TILELOADD TMM6, 16(SI)(AX*1); TILELOADD TMM7, 256(DI)(DX*1); TDPBSSD TMM0, TMM6, TMM7
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0x74; BYTE $0x06; BYTE $0x10
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x4B; BYTE $0xBC; BYTE $0x17; BYTE $0x00; BYTE $0x01; BYTE $0x00; BYTE $0x00
	BYTE $0xC4; BYTE $0xE2; BYTE $0x43; BYTE $0x5E; BYTE $0xC6
	// TILESTORED TMM0, (BX)(DX*1); TILEZERO TMM0
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7A; BYTE $0x4B; BYTE $0x04; BYTE $0x13
	BYTE $0xC4; BYTE $0xE2; BYTE $0x7B; BYTE $0x49; BYTE $0xC0
	AFIXS(0, 8, Z16, Z2)
	AFIXS(64, 24, Z17, Z3)
	AFIXS(128, 40, Z18, Z4)
	AFIXS(192, 56, Z19, Z5)
	AFIXS(256, 72, Z20, Z6)
	AFIXS(320, 88, Z21, Z7)
	AFIXS(384, 104, Z22, Z8)
	AFIXS(448, 120, Z23, Z9)
	AFIXS(512, 136, Z24, Z2)
	AFIXS(576, 152, Z25, Z3)
	AFIXS(640, 168, Z26, Z4)
	AFIXS(704, 184, Z27, Z5)
	AFIXS(768, 200, Z28, Z6)
	AFIXS(832, 216, Z29, Z7)
	AFIXS(896, 232, Z30, Z8)
	AFIXS(960, 248, Z31, Z9)
	NEXTBLOCK
	JNZ amx16loops
	AMXDONE
