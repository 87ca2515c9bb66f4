// Shared by the 512-bit kernel files (each including file gets its own
// copy of the tables): the Q4_K/Q5_K scale indexes, word shifts of the
// upper 256 bits by 4, gathering four block scales, the final sum of Z8.

// VPERMW indexes spreading scale words over their values' product words:
// Q4_K, per 128 values 4p..: low nibbles are sub-blocks 4p and 4p+2, high
// ones 4p+1 and 4p+3, 16 words each.

DATA q4kIdxLo0<>+0(SB)/8, $0x0000000000000000
DATA q4kIdxLo0<>+8(SB)/8, $0x0000000000000000
DATA q4kIdxLo0<>+16(SB)/8, $0x0000000000000000
DATA q4kIdxLo0<>+24(SB)/8, $0x0000000000000000
DATA q4kIdxLo0<>+32(SB)/8, $0x0002000200020002
DATA q4kIdxLo0<>+40(SB)/8, $0x0002000200020002
DATA q4kIdxLo0<>+48(SB)/8, $0x0002000200020002
DATA q4kIdxLo0<>+56(SB)/8, $0x0002000200020002
GLOBL q4kIdxLo0<>(SB), RODATA|NOPTR, $64

DATA q4kIdxHi0<>+0(SB)/8, $0x0001000100010001
DATA q4kIdxHi0<>+8(SB)/8, $0x0001000100010001
DATA q4kIdxHi0<>+16(SB)/8, $0x0001000100010001
DATA q4kIdxHi0<>+24(SB)/8, $0x0001000100010001
DATA q4kIdxHi0<>+32(SB)/8, $0x0003000300030003
DATA q4kIdxHi0<>+40(SB)/8, $0x0003000300030003
DATA q4kIdxHi0<>+48(SB)/8, $0x0003000300030003
DATA q4kIdxHi0<>+56(SB)/8, $0x0003000300030003
GLOBL q4kIdxHi0<>(SB), RODATA|NOPTR, $64

DATA q4kIdxLo1<>+0(SB)/8, $0x0004000400040004
DATA q4kIdxLo1<>+8(SB)/8, $0x0004000400040004
DATA q4kIdxLo1<>+16(SB)/8, $0x0004000400040004
DATA q4kIdxLo1<>+24(SB)/8, $0x0004000400040004
DATA q4kIdxLo1<>+32(SB)/8, $0x0006000600060006
DATA q4kIdxLo1<>+40(SB)/8, $0x0006000600060006
DATA q4kIdxLo1<>+48(SB)/8, $0x0006000600060006
DATA q4kIdxLo1<>+56(SB)/8, $0x0006000600060006
GLOBL q4kIdxLo1<>(SB), RODATA|NOPTR, $64

DATA q4kIdxHi1<>+0(SB)/8, $0x0005000500050005
DATA q4kIdxHi1<>+8(SB)/8, $0x0005000500050005
DATA q4kIdxHi1<>+16(SB)/8, $0x0005000500050005
DATA q4kIdxHi1<>+24(SB)/8, $0x0005000500050005
DATA q4kIdxHi1<>+32(SB)/8, $0x0007000700070007
DATA q4kIdxHi1<>+40(SB)/8, $0x0007000700070007
DATA q4kIdxHi1<>+48(SB)/8, $0x0007000700070007
DATA q4kIdxHi1<>+56(SB)/8, $0x0007000700070007
GLOBL q4kIdxHi1<>(SB), RODATA|NOPTR, $64

#define HSUMZ8 \
	VEXTRACTF64X4 $1, Z8, Y1 \
	VADDPS Y1, Y8, Y8 \
	VEXTRACTF128 $1, Y8, X1 \
	VADDPS X1, X8, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0

DATA shift0_4<>+0(SB)/8, $0x0000000000000000
DATA shift0_4<>+8(SB)/8, $0x0000000000000000
DATA shift0_4<>+16(SB)/8, $0x0000000000000000
DATA shift0_4<>+24(SB)/8, $0x0000000000000000
DATA shift0_4<>+32(SB)/8, $0x0004000400040004
DATA shift0_4<>+40(SB)/8, $0x0004000400040004
DATA shift0_4<>+48(SB)/8, $0x0004000400040004
DATA shift0_4<>+56(SB)/8, $0x0004000400040004
GLOBL shift0_4<>(SB), RODATA|NOPTR, $64

// HALVES4 leaves in x the four halves at o0..o3 as float32.
#define HALVES4(o0, o1, o2, o3, x) \
	MOVWLZX o0(SI), AX \
	MOVWLZX o1(SI), R8 \
	SHLL $16, R8 \
	ORL R8, AX \
	MOVWLZX o2(SI), R9 \
	MOVWLZX o3(SI), R10 \
	SHLL $16, R10 \
	ORL R10, R9 \
	VMOVD AX, x \
	VPINSRD $1, R9, x, x \
	VCVTPH2PS x, x

// QSCALES4 leaves the d_w of four blocks (halves at 0, o1, o2, o3) in X5.
#define QSCALES4(o1, o2, o3) HALVES4(0, o1, o2, o3, X5)

// K4_SCALES unpacks a Q4_K/Q5_K super-block's twelve scale bytes (at
// 4(SI)): the eight 6-bit scales as words in X12, the mins in mins.
// Bytes 0-3 hold scales 0-3 and bytes 4-7 mins 0-3 in their low six bits;
// bytes 8-11 the low nibbles of scales and mins 4-7, whose top two bits
// are the spare bits of bytes 0-3 (scales) and 4-7 (mins).
#define K4_SCALES(mins) \
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
	VPMOVZXBW X12, X12 \
	VMOVD R11, mins \
	VPINSRD $1, R9, mins, mins \
	VPMOVZXBW mins, mins
