package quant

import (
	"os"

	"golang.org/x/sys/cpu"
)

// AMX: where the CPU has tiles with int8 products (amx_tile, amx_int8)
// and Linux lets the process use their state, the int8 product takes 16
// rows at a time with TDPBUSD (gemm32AMX): per block, one 16×32 tile of
// unsigned weights times the 8×64 tile of 16 packed vectors.
// SIDECAR_KERNELS=vnni (or avx2, go) keeps the VNNI kernels.

//go:noescape
func gemm32AMX(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[256]float32, c *[256]int32, cfg *[64]byte)

// gemm32AMXS is gemm32AMX for signed weights with no offsets (TDPBSSD):
// one multiply fewer per row and block. gemm16AMXS is the same for a
// scale per 16 values; there is no unsigned one, as every such type
// (Q6_K) has a signed unpacker.

//go:noescape
func gemm16AMXS(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[256]float32, c *[256]int32, cfg *[64]byte)

//go:noescape
func gemm32AMXS(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[256]float32, c *[256]int32, cfg *[64]byte)

// hasAMX reports the CPU's int8 tiles, asking Linux for their state once.
var hasAMX = hasVNNI && cpu.X86.HasAMXTile && cpu.X86.HasAMXInt8 && os.Getenv("SIDECAR_KERNELS") != "vnni" && amxPermitted()

// useAMX is whether the int8 product uses AMX (set with the kernels).
var useAMX bool

// amxConfig is the tile configuration (palette 1) the AMX kernels load:
// tiles 0 and 3 the 16×16 int32 sums (64 bytes a row), tiles 1 and 4 16
// rows of 32 weight bytes, tiles 2 and 5 8 rows of 64 bytes (quads of 16
// vectors), and for half blocks tile 6 16 rows of 16 weight bytes and
// tile 7 4 rows of 64 bytes.
var amxConfig = func() (c [64]byte) {
	c[0] = 1
	colsb := [8]uint16{64, 32, 64, 64, 32, 64, 16, 64}
	rows := [8]byte{16, 16, 8, 16, 16, 8, 16, 4}
	for i := range colsb {
		c[16+2*i], c[17+2*i] = byte(colsb[i]), byte(colsb[i]>>8)
		c[48+i] = rows[i]
	}
	return c
}()

// gemmName is what Kernels adds for a type whose batches use AMX.
func gemmName(t Type) string {
	if useAMX && (t == Q4_0 || t == Q8_0 || t == Q4_K || t == Q6_K) {
		return "+amx"
	}
	return ""
}
