package quant

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Dequantize decodes len(dst) elements of type t from src into dst, as
// ggml's to_float does, bit for bit. len(dst) must be a whole number of
// blocks and src must hold them; Q8_K decodes too (it is an activation
// type, but a row of it is well defined).
func Dequantize(t Type, src []byte, dst []float32) error {
	f, ok := dequantizers[t]
	if !ok {
		return fmt.Errorf("quant: dequantize %s: unsupported type", t)
	}
	n, err := t.RowBytes(int64(len(dst)))
	if err != nil {
		return fmt.Errorf("quant: dequantize: %w", err)
	}
	if int64(len(src)) < n {
		return fmt.Errorf("quant: dequantize %s: %d bytes for %d elements, want %d", t, len(src), len(dst), n)
	}
	f(src[:n], dst)
	return nil
}

// dequantizers decode whole blocks; src and dst sizes already agree.
var dequantizers = map[Type]func(src []byte, dst []float32){
	F32:    dequantF32,
	F16:    dequantF16,
	BF16:   dequantBF16,
	Q8_0:   dequantQ8_0,
	Q4_0:   dequantQ4_0,
	Q4_1:   dequantQ4_1,
	Q5_0:   dequantQ5_0,
	Q5_1:   dequantQ5_1,
	IQ4_NL: dequantIQ4NL,
	Q2_K:   dequantQ2K,
	Q3_K:   dequantQ3K,
	Q4_K:   dequantQ4K,
	Q5_K:   dequantQ5K,
	Q6_K:   dequantQ6K,
	IQ4_XS: dequantIQ4XS,
	Q8_K:   dequantQ8K,
}

// Dequantizable reports whether Dequantize and the kernels handle t.
func (t Type) Dequantizable() bool { _, ok := dequantizers[t]; return ok }

func f16At(b []byte, off int) float32 { return f16Table[binary.LittleEndian.Uint16(b[off:])] }

func dequantF32(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func dequantF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = f16Table[binary.LittleEndian.Uint16(src[2*i:])]
	}
}

func dequantBF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// Q8_0 block: half scale d, 32 int8 values; x = q·d.
func dequantQ8_0(src []byte, dst []float32) {
	for b := 0; b < len(dst)/32; b++ {
		blk, y := src[b*34:b*34+34], dst[b*32:b*32+32]
		d := f16At(blk, 0)
		for j := range y {
			y[j] = float32(int8(blk[2+j])) * d
		}
	}
}

// Q4_0 block: half d, 16 bytes; value j is the low nibble of byte j and
// value j+16 the high nibble; x = (q−8)·d.
func dequantQ4_0(src []byte, dst []float32) {
	for b := 0; b < len(dst)/32; b++ {
		blk, y := src[b*18:b*18+18], dst[b*32:b*32+32]
		d := f16At(blk, 0)
		for j := 0; j < 16; j++ {
			q := blk[2+j]
			y[j] = float32(int(q&0xf)-8) * d
			y[j+16] = float32(int(q>>4)-8) * d
		}
	}
}

// Q4_1 block: half d, half m, 16 bytes of nibbles; x = q·d + m.
func dequantQ4_1(src []byte, dst []float32) {
	for b := 0; b < len(dst)/32; b++ {
		blk, y := src[b*20:b*20+20], dst[b*32:b*32+32]
		d, m := f16At(blk, 0), f16At(blk, 2)
		for j := 0; j < 16; j++ {
			q := blk[4+j]
			y[j] = float32(float32(q&0xf)*d) + m
			y[j+16] = float32(float32(q>>4)*d) + m
		}
	}
}

// Q5_0 block: half d, 32 high bits (bit j for value j), 16 bytes of low
// nibbles; x = (q−16)·d.
func dequantQ5_0(src []byte, dst []float32) {
	for b := 0; b < len(dst)/32; b++ {
		blk, y := src[b*22:b*22+22], dst[b*32:b*32+32]
		d := f16At(blk, 0)
		qh := binary.LittleEndian.Uint32(blk[2:])
		for j := 0; j < 16; j++ {
			q := blk[6+j]
			lo := int(q&0xf) | int(qh>>j&1)<<4
			hi := int(q>>4) | int(qh>>(j+16)&1)<<4
			y[j] = float32(lo-16) * d
			y[j+16] = float32(hi-16) * d
		}
	}
}

// Q5_1 block: half d, half m, 32 high bits, 16 bytes; x = q·d + m.
func dequantQ5_1(src []byte, dst []float32) {
	for b := 0; b < len(dst)/32; b++ {
		blk, y := src[b*24:b*24+24], dst[b*32:b*32+32]
		d, m := f16At(blk, 0), f16At(blk, 2)
		qh := binary.LittleEndian.Uint32(blk[4:])
		for j := 0; j < 16; j++ {
			q := blk[8+j]
			lo := uint32(q&0xf) | (qh>>j&1)<<4
			hi := uint32(q>>4) | (qh>>(j+16)&1)<<4
			y[j] = float32(float32(lo)*d) + m
			y[j+16] = float32(float32(hi)*d) + m
		}
	}
}

// iq4nlValues are the 16 non-linear levels of IQ4_NL and IQ4_XS.
var iq4nlValues = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// IQ4_NL block: half d, 16 bytes of nibbles indexing iq4nlValues.
func dequantIQ4NL(src []byte, dst []float32) {
	for b := 0; b < len(dst)/32; b++ {
		blk, y := src[b*18:b*18+18], dst[b*32:b*32+32]
		d := f16At(blk, 0)
		for j := 0; j < 16; j++ {
			q := blk[2+j]
			y[j] = d * float32(iq4nlValues[q&0xf])
			y[j+16] = d * float32(iq4nlValues[q>>4])
		}
	}
}

func f32At(b []byte, off int) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(b[off:]))
}
