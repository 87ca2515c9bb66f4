package quant

import "encoding/binary"

// The K-quants hold 256 values per super-block, in sub-blocks of 16 or 32
// with their own small integer scales (and mins), themselves scaled by the
// super-block's half-precision d (and dmin).

// scaleMinK4 unpacks the 6-bit scale and min of sub-block j (0..7) from the
// 12 scale bytes of a Q4_K or Q5_K super-block: bytes 0..3 hold the low six
// bits of scales 0..3 and bytes 4..7 those of mins 0..3; for j ≥ 4 the low
// four bits come from byte j+4 and the top two from the spare bits of
// bytes j−4 (scale) and j (min).
func scaleMinK4(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | q[j-4]>>6<<4, q[j+4]>>4 | q[j]>>6<<4
}

// scalesQ3K unpacks the sixteen 6-bit scales of a Q3_K super-block (still
// offset by 32): low nibbles from bytes 0..7, high two bits from bytes 8..11.
func scalesQ3K(b []byte, out *[16]int8) {
	a0 := binary.LittleEndian.Uint32(b[0:])
	a1 := binary.LittleEndian.Uint32(b[4:])
	t := binary.LittleEndian.Uint32(b[8:])
	const m1, m2 = 0x03030303, 0x0f0f0f0f
	w := [4]uint32{
		a0&m2 | (t>>0&m1)<<4,
		a1&m2 | (t>>2&m1)<<4,
		a0>>4&m2 | (t>>4&m1)<<4,
		a1>>4&m2 | (t>>6&m1)<<4,
	}
	for i, v := range w {
		for k := 0; k < 4; k++ {
			out[4*i+k] = int8(v >> (8 * k))
		}
	}
}

// Q2_K (84 bytes): scales[16] (low nibble scale, high nibble min), qs[64]
// of 2-bit values, d, dmin. Each 128 values use 32 bytes of qs, four
// 2-bit planes of them; x = d·sc·q − dmin·m.
func dequantQ2K(src []byte, dst []float32) {
	for b := 0; b < len(dst)/256; b++ {
		blk, y := src[b*84:b*84+84], dst[b*256:b*256+256]
		d, dmin := f16At(blk, 80), f16At(blk, 82)
		sc := blk[:16]
		is := 0
		for n := 0; n < 2; n++ {
			q := blk[16+32*n : 48+32*n]
			for shift := uint(0); shift < 8; shift += 2 {
				for half := 0; half < 2; half++ {
					s := sc[is]
					is++
					dl, ml := d*float32(s&0xf), dmin*float32(s>>4)
					for l := 0; l < 16; l++ {
						y[l] = float32(dl*float32(q[16*half+l]>>shift&3)) - ml
					}
					y = y[16:]
				}
			}
		}
	}
}

// Q3_K (110 bytes): hmask[32] (the high bit, inverted: set means no −4),
// qs[64] of low 2-bit values, scales[12] (sixteen 6-bit values), d.
func dequantQ3K(src []byte, dst []float32) {
	var scales [16]int8
	for b := 0; b < len(dst)/256; b++ {
		blk, y := src[b*110:b*110+110], dst[b*256:b*256+256]
		d := f16At(blk, 108)
		hm := blk[:32]
		scalesQ3K(blk[96:108], &scales)
		is, m := 0, byte(1)
		for n := 0; n < 2; n++ {
			q := blk[32+32*n : 64+32*n]
			for shift := uint(0); shift < 8; shift += 2 {
				for half := 0; half < 2; half++ {
					dl := d * float32(int(scales[is])-32)
					is++
					for l := 0; l < 16; l++ {
						v := int(q[16*half+l] >> shift & 3)
						if hm[16*half+l]&m == 0 {
							v -= 4
						}
						y[l] = dl * float32(v)
					}
					y = y[16:]
				}
				m <<= 1
			}
		}
	}
}

// Q4_K (144 bytes): d, dmin, scales[12] (eight 6-bit scales and mins),
// qs[128]: each 64 values use 32 bytes, low nibbles first.
func dequantQ4K(src []byte, dst []float32) {
	for b := 0; b < len(dst)/256; b++ {
		blk, y := src[b*144:b*144+144], dst[b*256:b*256+256]
		d, dmin := f16At(blk, 0), f16At(blk, 2)
		scales := blk[4:16]
		for j := 0; j < 4; j++ {
			q := blk[16+32*j : 48+32*j]
			s1, m1 := scaleMinK4(2*j, scales)
			s2, m2 := scaleMinK4(2*j+1, scales)
			d1, mm1 := d*float32(s1), dmin*float32(m1)
			d2, mm2 := d*float32(s2), dmin*float32(m2)
			for l := 0; l < 32; l++ {
				y[64*j+l] = float32(d1*float32(q[l]&0xf)) - mm1
				y[64*j+32+l] = float32(d2*float32(q[l]>>4)) - mm2
			}
		}
	}
}

// Q5_K (176 bytes): as Q4_K with qh[32] before qs: value l of pair j of
// 32-value sub-blocks takes bits 2j and 2j+1 of qh[l] as its fifth bit.
func dequantQ5K(src []byte, dst []float32) {
	for b := 0; b < len(dst)/256; b++ {
		blk, y := src[b*176:b*176+176], dst[b*256:b*256+256]
		d, dmin := f16At(blk, 0), f16At(blk, 2)
		scales, qh := blk[4:16], blk[16:48]
		for j := 0; j < 4; j++ {
			q := blk[48+32*j : 80+32*j]
			s1, m1 := scaleMinK4(2*j, scales)
			s2, m2 := scaleMinK4(2*j+1, scales)
			d1, mm1 := d*float32(s1), dmin*float32(m1)
			d2, mm2 := d*float32(s2), dmin*float32(m2)
			for l := 0; l < 32; l++ {
				lo := q[l]&0xf | qh[l]>>(2*j)&1<<4
				hi := q[l]>>4 | qh[l]>>(2*j+1)&1<<4
				y[64*j+l] = float32(d1*float32(lo)) - mm1
				y[64*j+32+l] = float32(d2*float32(hi)) - mm2
			}
		}
	}
}

// Q6_K (210 bytes): ql[128] low nibbles, qh[64] high 2-bit pairs,
// scales[16] int8, d; x = d·sc·(q−32). Each 128 values use 64 bytes of ql
// and 32 of qh.
func dequantQ6K(src []byte, dst []float32) {
	for b := 0; b < len(dst)/256; b++ {
		blk, y := src[b*210:b*210+210], dst[b*256:b*256+256]
		d := f16At(blk, 208)
		for n := 0; n < 2; n++ {
			ql, qh := blk[64*n:64*n+64], blk[128+32*n:160+32*n]
			sc := blk[192+8*n : 200+8*n]
			yy := y[128*n : 128*n+128]
			for l := 0; l < 32; l++ {
				is := l / 16
				q1 := int(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
				q2 := int(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
				q3 := int(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
				q4 := int(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
				yy[l] = d * float32(int8(sc[is])) * float32(q1)
				yy[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
				yy[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
				yy[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
			}
		}
	}
}

// IQ4_XS (136 bytes): d, scales_h (2 high bits per 32-value sub-block),
// scales_l[4] (4 low bits each), qs[128] indexing iq4nlValues.
func dequantIQ4XS(src []byte, dst []float32) {
	for b := 0; b < len(dst)/256; b++ {
		blk, y := src[b*136:b*136+136], dst[b*256:b*256+256]
		d := f16At(blk, 0)
		sh := binary.LittleEndian.Uint16(blk[2:])
		for ib := 0; ib < 8; ib++ {
			ls := int(blk[4+ib/2]>>(4*(ib%2))&0xf) | int(sh>>(2*ib)&3)<<4
			dl := d * float32(ls-32)
			q := blk[8+16*ib : 24+16*ib]
			for j := 0; j < 16; j++ {
				y[32*ib+j] = dl * float32(iq4nlValues[q[j]&0xf])
				y[32*ib+16+j] = dl * float32(iq4nlValues[q[j]>>4])
			}
		}
	}
}

// Q8_K (292 bytes): float32 d, qs[256] int8, bsums[16] int16; x = d·q.
func dequantQ8K(src []byte, dst []float32) {
	for b := 0; b < len(dst)/256; b++ {
		blk, y := src[b*292:b*292+292], dst[b*256:b*256+256]
		d := f32At(blk, 0)
		for j := range y {
			y[j] = d * float32(int8(blk[4+j]))
		}
	}
}
