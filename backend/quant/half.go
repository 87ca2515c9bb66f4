package quant

import "math"

// f16Table maps every IEEE half-precision bit pattern to its float32 value.
var f16Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for h := range t {
		t[h] = f16ToF32(uint16(h))
	}
	return &t
}()

// F16ToF32 returns the float32 value of the half-precision bits h.
func F16ToF32(h uint16) float32 { return f16Table[h] }

// f16ToF32 converts exactly, as ggml does (with F16C): NaN payloads keep
// their bits, shifted, and become quiet.
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f && man == 0:
		return math.Float32frombits(sign | 0xff<<23)
	case exp == 0x1f: // NaN, made quiet as the CPU's conversion does
		return math.Float32frombits(sign | 0xff<<23 | 1<<22 | man<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: man·2⁻²⁴, exact in float32.
	return math.Float32frombits(sign) + float32(man)*(1.0/(1<<24))*signOne(sign)
}

func signOne(sign uint32) float32 {
	if sign != 0 {
		return -1
	}
	return 1
}

// F32ToF16 rounds f to the nearest half-precision value, ties to even
// (NaN becomes a quiet NaN, large values infinity), as ggml stores its
// block scales.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		// Subnormal half: shift the full mantissa (with its implicit bit).
		m := man | 0x800000
		shift := uint32(14 - e)
		h := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || rem == half && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // may carry into the exponent, up to infinity: still correct
	}
	return sign | uint16(h)
}

// BF16ToF32 returns the float32 value of the bfloat16 bits h.
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
