package quant

import "encoding/binary"

// The plain-Go row products: one weight row (whole blocks, as stored) with
// one prepared vector. They are the reference the assembly kernels are
// tested against and what runs where no vector unit is found. Integer
// products within a block are exact; blocks are summed in float32.

var goDots = map[Type]func(row []byte, x *actVec) float32{
	F32: dotF32Go, F16: dotF16Go, BF16: dotBF16Go,
	Q8_0: dotQ8_0Go, Q4_0: dotQ4_0Go, Q4_1: dotQ4_1Go, Q5_0: dotQ5_0Go, Q5_1: dotQ5_1Go, IQ4_NL: dotIQ4NLGo,
	Q2_K: dotQ2KGo, Q3_K: dotQ3KGo, Q4_K: dotQ4KGo, Q5_K: dotQ5KGo, Q6_K: dotQ6KGo, IQ4_XS: dotIQ4XSGo,
}

func dotF32Go(row []byte, x *actVec) float32 {
	var s0, s1 float32
	f := x.f
	i := 0
	for ; i+1 < len(f); i += 2 {
		s0 += f32At(row, 4*i) * f[i]
		s1 += f32At(row, 4*i+4) * f[i+1]
	}
	if i < len(f) {
		s0 += f32At(row, 4*i) * f[i]
	}
	return s0 + s1
}

func dotF16Go(row []byte, x *actVec) float32 {
	var s0, s1 float32
	f := x.f
	i := 0
	for ; i+1 < len(f); i += 2 {
		s0 += f16At(row, 2*i) * f[i]
		s1 += f16At(row, 2*i+2) * f[i+1]
	}
	if i < len(f) {
		s0 += f16At(row, 2*i) * f[i]
	}
	return s0 + s1
}

func dotBF16Go(row []byte, x *actVec) float32 {
	var s float32
	for i, v := range x.f {
		s += BF16ToF32(binary.LittleEndian.Uint16(row[2*i:])) * v
	}
	return s
}

func dotQ8_0Go(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q := row[34*b:34*b+34], x.qs[32*b:32*b+32]
		var is int32
		for j, v := range q {
			is += int32(int8(blk[2+j])) * int32(v)
		}
		s += float32(is) * (f16At(blk, 0) * da)
	}
	return s
}

func dotQ4_0Go(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q := row[18*b:18*b+18], x.qs[32*b:32*b+32]
		var is int32
		for j := 0; j < 16; j++ {
			v := blk[2+j]
			is += int32(int(v&0xf)-8)*int32(q[j]) + int32(int(v>>4)-8)*int32(q[j+16])
		}
		s += float32(is) * (f16At(blk, 0) * da)
	}
	return s
}

func dotQ4_1Go(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q := row[20*b:20*b+20], x.qs[32*b:32*b+32]
		var is int32
		for j := 0; j < 16; j++ {
			v := blk[4+j]
			is += int32(v&0xf)*int32(q[j]) + int32(v>>4)*int32(q[j+16])
		}
		s += float32(is)*(f16At(blk, 0)*da) + f16At(blk, 2)*x.s[b]
	}
	return s
}

// q5Block returns the 5-bit values of a Q5_0 or Q5_1 block's value pair j
// (values j and j+16), from the high-bit word qh and the nibble byte v.
func q5Pair(qh uint32, v byte, j int) (lo, hi int32) {
	return int32(v&0xf) | int32(qh>>j&1)<<4, int32(v>>4) | int32(qh>>(j+16)&1)<<4
}

func dotQ5_0Go(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q := row[22*b:22*b+22], x.qs[32*b:32*b+32]
		qh := binary.LittleEndian.Uint32(blk[2:])
		var is int32
		for j := 0; j < 16; j++ {
			lo, hi := q5Pair(qh, blk[6+j], j)
			is += (lo-16)*int32(q[j]) + (hi-16)*int32(q[j+16])
		}
		s += float32(is) * (f16At(blk, 0) * da)
	}
	return s
}

func dotQ5_1Go(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q := row[24*b:24*b+24], x.qs[32*b:32*b+32]
		qh := binary.LittleEndian.Uint32(blk[4:])
		var is int32
		for j := 0; j < 16; j++ {
			lo, hi := q5Pair(qh, blk[8+j], j)
			is += lo*int32(q[j]) + hi*int32(q[j+16])
		}
		s += float32(is)*(f16At(blk, 0)*da) + f16At(blk, 2)*x.s[b]
	}
	return s
}

func dotIQ4NLGo(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q := row[18*b:18*b+18], x.qs[32*b:32*b+32]
		var is int32
		for j := 0; j < 16; j++ {
			v := blk[2+j]
			is += int32(iq4nlValues[v&0xf])*int32(q[j]) + int32(iq4nlValues[v>>4])*int32(q[j+16])
		}
		s += float32(is) * (f16At(blk, 0) * da)
	}
	return s
}

func dotQ2KGo(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q8 := row[84*b:84*b+84], x.qs[256*b:256*b+256]
		var isum, summ int32
		for j := 0; j < 16; j++ {
			summ += int32(blk[j]>>4) * int32(x.bsums[16*b+j])
		}
		// Group g (16 values) is half g&1 of the 32 bytes of its
		// 128-value half, at bit pair (g>>1)&3.
		for g := 0; g < 16; g++ {
			q := blk[16+32*(g>>3)+16*(g&1):]
			shift := uint(2 * ((g >> 1) & 3))
			a := q8[16*g : 16*g+16]
			var v int32
			for l, av := range a {
				v += int32(q[l]>>shift&3) * int32(av)
			}
			isum += int32(blk[g]&0xf) * v
		}
		s += da*f16At(blk, 80)*float32(isum) - da*f16At(blk, 82)*float32(summ)
	}
	return s
}

func dotQ3KGo(row []byte, x *actVec) float32 {
	var s float32
	var scales [16]int8
	for b, da := range x.d {
		blk, q8 := row[110*b:110*b+110], x.qs[256*b:256*b+256]
		scalesQ3K(blk[96:108], &scales)
		var isum int32
		for g := 0; g < 16; g++ { // as Q2_K, with the high bit 4n+j of hmask
			n, j, h := g>>3, (g>>1)&3, g&1
			q, hm := blk[32+32*n+16*h:], blk[16*h:]
			shift, m := uint(2*j), byte(1)<<(4*n+j)
			a := q8[16*g : 16*g+16]
			var v int32
			for l, av := range a {
				w := int32(q[l] >> shift & 3)
				if hm[l]&m == 0 {
					w -= 4
				}
				v += w * int32(av)
			}
			isum += (int32(scales[g]) - 32) * v
		}
		s += da * f16At(blk, 108) * float32(isum)
	}
	return s
}

func dotQ4KGo(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q8 := row[144*b:144*b+144], x.qs[256*b:256*b+256]
		isum, summ := dotK4Sub(blk[4:16], blk[16:144], nil, q8, x.bsums[16*b:])
		s += da*f16At(blk, 0)*float32(isum) - da*f16At(blk, 2)*float32(summ)
	}
	return s
}

func dotQ5KGo(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q8 := row[176*b:176*b+176], x.qs[256*b:256*b+256]
		isum, summ := dotK4Sub(blk[4:16], blk[48:176], blk[16:48], q8, x.bsums[16*b:])
		s += da*f16At(blk, 0)*float32(isum) - da*f16At(blk, 2)*float32(summ)
	}
	return s
}

// dotK4Sub is the integer part of a Q4_K (qh nil) or Q5_K super-block
// product: Σ sc·Σq·a over the eight 32-value sub-blocks, and Σ m·Σa.
func dotK4Sub(scales, qs, qh []byte, q8 []int8, bsums []int16) (isum, summ int32) {
	for j := 0; j < 4; j++ {
		q := qs[32*j : 32*j+32]
		s1, m1 := scaleMinK4(2*j, scales)
		s2, m2 := scaleMinK4(2*j+1, scales)
		var lo, hi int32
		for l := 0; l < 32; l++ {
			a, c := int32(q[l]&0xf), int32(q[l]>>4)
			if qh != nil {
				a |= int32(qh[l]>>(2*j)&1) << 4
				c |= int32(qh[l]>>(2*j+1)&1) << 4
			}
			lo += a * int32(q8[64*j+l])
			hi += c * int32(q8[64*j+32+l])
		}
		isum += int32(s1)*lo + int32(s2)*hi
		summ += int32(m1)*(int32(bsums[4*j])+int32(bsums[4*j+1])) + int32(m2)*(int32(bsums[4*j+2])+int32(bsums[4*j+3]))
	}
	return isum, summ
}

func dotQ6KGo(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q8 := row[210*b:210*b+210], x.qs[256*b:256*b+256]
		var isum int32
		for g := 0; g < 16; g++ {
			// Group g: half n, quarter k (its nibbles from ql's first or
			// second 32 bytes, low or high), values 16·(g&1).. of it.
			n, k := g>>3, (g>>1)&3
			ql, qh := blk[64*n+32*(k&1)+16*(g&1):], blk[128+32*n+16*(g&1):]
			nshift, hshift := uint(4*(k>>1)), uint(2*k)
			a := q8[16*g : 16*g+16]
			var v int32
			for l, av := range a {
				w := int32(ql[l]>>nshift&0xf|(qh[l]>>hshift&3)<<4) - 32
				v += w * int32(av)
			}
			isum += int32(int8(blk[192+g])) * v
		}
		s += da * f16At(blk, 208) * float32(isum)
	}
	return s
}

func dotIQ4XSGo(row []byte, x *actVec) float32 {
	var s float32
	for b, da := range x.d {
		blk, q8 := row[136*b:136*b+136], x.qs[256*b:256*b+256]
		sh := binary.LittleEndian.Uint16(blk[2:])
		var isum int32
		for ib := 0; ib < 8; ib++ {
			ls := int32(blk[4+ib/2]>>(4*(ib%2))&0xf) | int32(sh>>(2*ib)&3)<<4
			q, a := blk[8+16*ib:24+16*ib], q8[32*ib:32*ib+32]
			var v int32
			for j := 0; j < 16; j++ {
				v += int32(iq4nlValues[q[j]&0xf])*int32(a[j]) + int32(iq4nlValues[q[j]>>4])*int32(a[j+16])
			}
			isum += (ls - 32) * v
		}
		s += da * f16At(blk, 0) * float32(isum)
	}
	return s
}
