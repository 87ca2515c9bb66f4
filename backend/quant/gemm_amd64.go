package quant

import (
	"encoding/binary"
	"sync"
)

// The batched products (MulRows) of Q4_0, Q8_0, Q4_K and Q6_K on AVX-512
// VNNI for batches of gemmMinBatch vectors or more: a general int8 matrix
// product. Four weight rows at a time are unpacked once into unsigned bytes
// with a float scale and offset per 16 or 32 values (value = s·u + o), then
// multiplied with every group of 16 packed vectors (see gemmPack) by
// gemm32VNNI or gemm16VNNI, which keep one vector per register lane, so a
// weight is read once per 16 vectors and no horizontal sums are needed.

//go:noescape
func gemm32VNNI(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[64]float32)

//go:noescape
func gemm16VNNI(w *byte, so *float32, pq *int8, pf *float32, nblk int, out *[64]float32)

// gemmMinBatch is the smallest batch the packed product takes; smaller
// ones use the four-vector kernels (groups of 16 are padded with zeros).
const gemmMinBatch = 8

// gemmFrom is, by type, the smallest batch whose product goes through
// unpacked tiles. Smaller batches read the blocks as they are with the
// four-vector kernels, which cost less until the batch is large enough to
// pay for unpacking every weight (in assembly, unpack_amd64.s); Q6_K's
// unpacking costs most. Measured with prompts of 8 to 47 tokens on
// Llama-3.2-1B-shaped files, with AMX and with VNNI alone (the same
// crossovers, within a couple of vectors). Batches from gemmMinBatch up to
// gemmFromMax are packed for both.
var gemmFrom = map[Type]int{Q4_0: gemmMinBatch, Q8_0: gemmMinBatch, Q4_K: gemmMinBatch, Q6_K: 10}

// gemmFromMax bounds every gemmFrom value.
const gemmFromMax = 16

// packGemm makes Acts.Set pack batches for the int8 product.
var packGemm bool

// unpackRow writes a weight row into slot k (0..3) of a four-row tile: for
// each 32-value block b, its unsigned values at w[128b+32k:] and its scale
// and offset (two pairs for 16-value halves) at so[16b+4k:].
type unpackRow func(row []byte, k, n int, w []byte, so []float32)

// selectGemm routes the batched products of the types it covers to the
// int8 product when vnni, keeping the kernels set before for small batches.
func selectGemm(vnni bool) {
	packGemm, useAMX = vnni, vnni && hasAMX
	selectGemmF(vnni)
	if !vnni {
		return
	}
	for t, u := range map[Type]gemmUnpack{
		Q4_0: {unpackQ4_0Asm, unpackQ4_0SAsm, false},
		Q8_0: {unpackQ8_0Asm, unpackQ8_0SAsm, false},
		Q4_K: {unpackQ4KAsm, nil, false},
		Q6_K: {unpackQ6KAsm, unpackQ6KSAsm, true},
	} {
		if u.halves && u.signed == nil {
			panic("quant: " + t.String() + ": half-block scales need a signed unpacker for AMX")
		}
		ks := fast[t]
		small, u, from := ks.mul, u, gemmFrom[t]
		ks.mul = func(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
			if a.gemmGroups == 0 || a.n < from {
				small(m, r0, r1, a, out, ldo)
				return
			}
			mulGemm(m, r0, r1, a, out, ldo, u)
		}
		fast[t] = ks
	}
}

// gemmUnpack is how a type's rows go into tiles: unsigned values with an
// offset, or (signed, for AMX's signed products; nil where an offset is
// needed anyway) the signed values with no offset; halves when scales go
// per 16 values, which AMX takes only signed (gemm16AMXS).
type gemmUnpack struct {
	unsigned, signed unpackRow
	halves           bool
}

// gemmTile is one worker's unpacked tile.
type gemmTile struct {
	w   []byte
	so  []float32
	f   []float32 // float32 rows (mulGemmF)
	acc []float32 // their sums with a group of vectors
	c   [256]int32
}

var gemmTiles = sync.Pool{New: func() any { return new(gemmTile) }}

// mulGemm is MulRows with the int8 product: rows a tile at a time (16
// with AMX, else 4), each tile unpacked once for all the batch's groups
// of 16 vectors.
func mulGemm(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int, u gemmUnpack) {
	nb := m.cols / 32
	tr, unpack, halves, signed := 4, u.unsigned, u.halves, false
	if useAMX {
		tr = 16
		if u.signed != nil {
			unpack, signed = u.signed, true
		}
	}
	t := gemmTiles.Get().(*gemmTile)
	defer gemmTiles.Put(t)
	if len(t.so) < 64*nb {
		t.w, t.so = make([]byte, 512*nb), make([]float32, 64*nb)
	}
	w, so := t.w[:32*tr*nb], t.so[:4*tr*nb]
	var o [256]float32
	for r := r0; r < r1; r += tr {
		n := min(tr, r1-r)
		for k := 0; k < n; k++ {
			unpack(m.Row(r+k), k, tr, w, so)
		}
		for k := n; k < tr; k++ { // rows past the range count for nothing
			for b := 0; b < nb; b++ {
				clear(scaleSlot(so, b, k, tr)[:])
			}
		}
		for g := 0; g < a.gemmGroups; g++ {
			pq, pf := &a.gq[g*nb*512], &a.gf[g*nb*64]
			switch {
			case signed && halves:
				gemm16AMXS(&w[0], &so[0], pq, pf, nb, &o, &t.c, &amxConfig)
			case signed:
				gemm32AMXS(&w[0], &so[0], pq, pf, nb, &o, &t.c, &amxConfig)
			case tr == 16:
				gemm32AMX(&w[0], &so[0], pq, pf, nb, &o, &t.c, &amxConfig)
			case halves:
				gemm16VNNI(&w[0], &so[0], pq, pf, nb, (*[64]float32)(o[:64]))
			default:
				gemm32VNNI(&w[0], &so[0], pq, pf, nb, (*[64]float32)(o[:64]))
			}
			storeByVector(o[:], 16, out[g*16*ldo+r:], ldo, min(16, a.n-g*16), n)
		}
	}
}

const nibbles = 0x0f0f0f0f0f0f0f0f

// The unpackers write through fixed-size views (block, tile slot) so that
// the loops carry no bounds checks.

func le64(b []byte) uint64     { return binary.LittleEndian.Uint64(b) }
func put64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }

// tileSlot and scaleSlot are row k's values and scales of block b in a
// tile of n rows.
func tileSlot(w []byte, b, k, n int) *[32]byte { return (*[32]byte)(w[32*(n*b+k):]) }
func scaleSlot(so []float32, b, k, n int) *[4]float32 {
	return (*[4]float32)(so[4*(n*b+k):])
}

func unpackQ4_0(row []byte, k, n int, w []byte, so []float32) {
	for b := 0; b < len(row)/18; b++ {
		blk, dst := (*[18]byte)(row[18*b:]), tileSlot(w, b, k, n)
		lo, hi := le64(blk[2:10]), le64(blk[10:18])
		put64(dst[0:8], lo&nibbles)
		put64(dst[8:16], hi&nibbles)
		put64(dst[16:24], lo>>4&nibbles)
		put64(dst[24:32], hi>>4&nibbles)
		d := f16At(blk[:], 0)
		sc := scaleSlot(so, b, k, n)
		sc[0], sc[1] = d, -8*d
	}
}

func unpackQ8_0(row []byte, k, n int, w []byte, so []float32) {
	for b := 0; b < len(row)/34; b++ {
		blk, dst := (*[34]byte)(row[34*b:]), tileSlot(w, b, k, n)
		put64(dst[0:8], le64(blk[2:10])^0x8080808080808080)
		put64(dst[8:16], le64(blk[10:18])^0x8080808080808080)
		put64(dst[16:24], le64(blk[18:26])^0x8080808080808080)
		put64(dst[24:32], le64(blk[26:34])^0x8080808080808080)
		d := f16At(blk[:], 0)
		sc := scaleSlot(so, b, k, n)
		sc[0], sc[1] = d, -128*d
	}
}

func unpackQ4K(row []byte, k, n int, w []byte, so []float32) {
	for sb := 0; sb < len(row)/144; sb++ {
		blk := (*[144]byte)(row[144*sb:])
		d, dmin := f16At(blk[:], 0), f16At(blk[:], 2)
		for j := 0; j < 4; j++ {
			q := (*[32]byte)(blk[16+32*j:])
			b := 8*sb + 2*j // low nibbles: block b, high: b+1
			lo, hi := tileSlot(w, b, k, n), tileSlot(w, b+1, k, n)
			for i := 0; i < 32; i += 8 {
				x := le64(q[i : i+8])
				put64(lo[i:i+8], x&nibbles)
				put64(hi[i:i+8], x>>4&nibbles)
			}
			s1, m1 := scaleMinK4(2*j, blk[4:16])
			s2, m2 := scaleMinK4(2*j+1, blk[4:16])
			sc1, sc2 := scaleSlot(so, b, k, n), scaleSlot(so, b+1, k, n)
			sc1[0], sc1[1] = d*float32(s1), -dmin*float32(m1)
			sc2[0], sc2[1] = d*float32(s2), -dmin*float32(m2)
		}
	}
}

func unpackQ6K(row []byte, k, n int, w []byte, so []float32) {
	for sb := 0; sb < len(row)/210; sb++ {
		blk := (*[210]byte)(row[210*sb:])
		d := f16At(blk[:], 208)
		for h := 0; h < 2; h++ {
			qh := (*[32]byte)(blk[128+32*h:])
			for q := 0; q < 4; q++ { // block 4n+q: values 32q.. of the half
				b := 8*sb + 4*h + q
				dst, src := tileSlot(w, b, k, n), (*[32]byte)(blk[64*h+32*(q&1):])
				nshift, hshift := uint(4*(q>>1)), uint(2*q)
				for i := 0; i < 32; i += 8 {
					l, h := le64(src[i:i+8]), le64(qh[i:i+8])
					put64(dst[i:i+8], l>>nshift&nibbles|(h>>hshift&0x0303030303030303)<<4)
				}
				g := 2 * (4*h + q)
				sa, sbb := d*float32(int8(blk[192+g])), d*float32(int8(blk[193+g]))
				sc := scaleSlot(so, b, k, n)
				sc[0], sc[1], sc[2], sc[3] = sa, -32*sa, sbb, -32*sbb
			}
		}
	}
}

// The signed unpackers (for the AMX kernels with signed weights) write
// each value's signed byte and only the scales (no offsets): a 4- or
// 6-bit value v with offset -c becomes the byte v-c, computed per byte
// as ((v|0x80)-c)^0x80, which borrows from no neighbour.

const highBits = 0x8080808080808080

func unpackQ4_0S(row []byte, k, n int, w []byte, so []float32) {
	for b := 0; b < len(row)/18; b++ {
		blk, dst := (*[18]byte)(row[18*b:]), tileSlot(w, b, k, n)
		lo, hi := le64(blk[2:10]), le64(blk[10:18])
		const eights = 0x0808080808080808
		put64(dst[0:8], ((lo&nibbles|highBits)-eights)^highBits)
		put64(dst[8:16], ((hi&nibbles|highBits)-eights)^highBits)
		put64(dst[16:24], ((lo>>4&nibbles|highBits)-eights)^highBits)
		put64(dst[24:32], ((hi>>4&nibbles|highBits)-eights)^highBits)
		sc := scaleSlot(so, b, k, n)
		sc[0], sc[1] = f16At(blk[:], 0), 0
	}
}

func unpackQ8_0S(row []byte, k, n int, w []byte, so []float32) {
	for b := 0; b < len(row)/34; b++ {
		blk := (*[34]byte)(row[34*b:])
		copy(tileSlot(w, b, k, n)[:], blk[2:34])
		sc := scaleSlot(so, b, k, n)
		sc[0], sc[1] = f16At(blk[:], 0), 0
	}
}

func unpackQ6KS(row []byte, k, n int, w []byte, so []float32) {
	for sb := 0; sb < len(row)/210; sb++ {
		blk := (*[210]byte)(row[210*sb:])
		d := f16At(blk[:], 208)
		for h := 0; h < 2; h++ {
			qh := (*[32]byte)(blk[128+32*h:])
			for q := 0; q < 4; q++ { // block 4n+q: values 32q.. of the half
				b := 8*sb + 4*h + q
				dst, src := tileSlot(w, b, k, n), (*[32]byte)(blk[64*h+32*(q&1):])
				nshift, hshift := uint(4*(q>>1)), uint(2*q)
				for i := 0; i < 32; i += 8 {
					l, h := le64(src[i:i+8]), le64(qh[i:i+8])
					v := l>>nshift&nibbles | (h>>hshift&0x0303030303030303)<<4
					put64(dst[i:i+8], ((v|highBits)-0x2020202020202020)^highBits)
				}
				g := 2 * (4*h + q)
				sc := scaleSlot(so, b, k, n)
				sc[0], sc[1], sc[2], sc[3] = d*float32(int8(blk[192+g])), 0, d*float32(int8(blk[193+g])), 0
			}
		}
	}
}
