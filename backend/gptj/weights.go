package gptj

import (
	"encoding/binary"
	"fmt"
	"math"
)

// WType is how a 2-D weight matrix is kept in memory.
type WType int

// Weight types (ggml's block layouts for the quantized ones).
const (
	F32 WType = iota
	F16
	Q8_0 // blocks of 32: f16 scale, 32 int8
	Q4_0 // blocks of 32: f16 scale, 16 bytes of 4-bit values
)

func (t WType) String() string {
	return [...]string{"f32", "f16", "q8_0", "q4_0"}[t]
}

// ParseWType parses "f32", "f16", "q8_0" or "q4_0".
func ParseWType(s string) (WType, error) {
	for t := F32; t <= Q4_0; t++ {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("gptj: unknown weight type %q (want f32, f16, q8_0 or q4_0)", s)
}

const qk = 32 // values per quantization block

func blockBytes(t WType) int {
	switch t {
	case Q8_0:
		return 34
	case Q4_0:
		return 18
	case F16:
		return 2 * qk
	}
	return 4 * qk
}

// rowBytes is the size of one row of cols values.
func rowBytes(t WType, cols int) int {
	switch t {
	case F32:
		return 4 * cols
	case F16:
		return 2 * cols
	}
	return cols / qk * blockBytes(t)
}

// Matrix is a rows×cols weight matrix, row-major: row r holds the weights
// of output feature r.
type Matrix struct {
	Rows, Cols int
	Type       WType
	data       []byte
}

func newMatrix(t WType, rows, cols int) (*Matrix, error) {
	if (t == Q8_0 || t == Q4_0) && cols%qk != 0 {
		return nil, fmt.Errorf("%w: %d columns cannot be quantized in blocks of %d", ErrFormat, cols, qk)
	}
	return &Matrix{Rows: rows, Cols: cols, Type: t, data: make([]byte, rows*rowBytes(t, cols))}, nil
}

// setRow stores row r from float32 values, converting to the matrix type.
func (m *Matrix) setRow(r int, v []float32) {
	b := m.data[r*rowBytes(m.Type, m.Cols):]
	switch m.Type {
	case F32:
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
	case F16:
		for i, x := range v {
			binary.LittleEndian.PutUint16(b[2*i:], f32ToF16(x))
		}
	case Q8_0:
		for blk := 0; blk < len(v)/qk; blk++ {
			quantQ8(b[blk*34:], v[blk*qk:(blk+1)*qk])
		}
	case Q4_0:
		for blk := 0; blk < len(v)/qk; blk++ {
			quantQ4(b[blk*18:], v[blk*qk:(blk+1)*qk])
		}
	}
}

// Row decodes row r into dst (len Cols).
func (m *Matrix) Row(r int, dst []float32) {
	b := m.data[r*rowBytes(m.Type, m.Cols):]
	switch m.Type {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = f16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case Q8_0:
		for blk := 0; blk < m.Cols/qk; blk++ {
			p := b[blk*34:]
			d := f16ToF32(binary.LittleEndian.Uint16(p))
			for j := 0; j < qk; j++ {
				dst[blk*qk+j] = float32(int8(p[2+j])) * d
			}
		}
	case Q4_0:
		for blk := 0; blk < m.Cols/qk; blk++ {
			p := b[blk*18:]
			d := f16ToF32(binary.LittleEndian.Uint16(p))
			for j := 0; j < 16; j++ {
				dst[blk*qk+j] = float32(int(p[2+j]&0xF)-8) * d
				dst[blk*qk+j+16] = float32(int(p[2+j]>>4)-8) * d
			}
		}
	}
}

// dot returns row r · x.
func (m *Matrix) dot(r int, x []float32, scratch []float32) float32 {
	b := m.data[r*rowBytes(m.Type, m.Cols):]
	switch m.Type {
	case F32:
		var s float32
		for i, xv := range x {
			s += math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])) * xv
		}
		return s
	case F16:
		var s0, s1 float32
		b = b[:2*len(x)]
		for i := 0; i+1 < len(x); i += 2 {
			s0 += f16Table[uint16(b[2*i])|uint16(b[2*i+1])<<8] * x[i]
			s1 += f16Table[uint16(b[2*i+2])|uint16(b[2*i+3])<<8] * x[i+1]
		}
		if len(x)%2 == 1 {
			i := len(x) - 1
			s0 += f16Table[uint16(b[2*i])|uint16(b[2*i+1])<<8] * x[i]
		}
		return s0 + s1
	case Q8_0:
		var s float32
		for blk := 0; blk < m.Cols/qk; blk++ {
			p := b[blk*34 : blk*34+34]
			xs := x[blk*qk : (blk+1)*qk]
			var b0, b1 float32
			for j := 0; j < qk; j += 2 {
				b0 += float32(int8(p[2+j])) * xs[j]
				b1 += float32(int8(p[3+j])) * xs[j+1]
			}
			s += (b0 + b1) * f16Table[uint16(p[0])|uint16(p[1])<<8]
		}
		return s
	case Q4_0:
		var s float32
		for blk := 0; blk < m.Cols/qk; blk++ {
			p := b[blk*18 : blk*18+18]
			xs := x[blk*qk : (blk+1)*qk]
			var bs float32
			for j := 0; j < 16; j++ {
				q := p[2+j]
				bs += float32(int(q&0xF)-8)*xs[j] + float32(int(q>>4)-8)*xs[j+16]
			}
			s += bs * f16Table[uint16(p[0])|uint16(p[1])<<8]
		}
		return s
	}
	m.Row(r, scratch)
	var s float32
	for i, xv := range x {
		s += scratch[i] * xv
	}
	return s
}

// MatVec computes out = M·x.
func (m *Matrix) MatVec(out, x []float32) {
	m.matVecRows(out, x, 0, m.Rows, make([]float32, m.Cols))
}

func (m *Matrix) matVecRows(out, x []float32, lo, hi int, scratch []float32) {
	for r := lo; r < hi; r++ {
		out[r] = m.dot(r, x, scratch[:m.Cols])
	}
}

func quantQ8(dst []byte, v []float32) {
	var amax float32
	for _, x := range v {
		amax = max(amax, float32(math.Abs(float64(x))))
	}
	d := amax / 127
	binary.LittleEndian.PutUint16(dst, f32ToF16(d))
	id := float32(0)
	if d != 0 {
		id = 1 / d
	}
	for j, x := range v {
		dst[2+j] = byte(int8(math.Round(float64(x * id))))
	}
}

func quantQ4(dst []byte, v []float32) {
	// ggml Q4_0: the value of largest magnitude maps to -8.
	var amax, mx float32
	for _, x := range v {
		if a := float32(math.Abs(float64(x))); a > amax {
			amax, mx = a, x
		}
	}
	d := mx / -8
	binary.LittleEndian.PutUint16(dst, f32ToF16(d))
	id := float32(0)
	if d != 0 {
		id = 1 / d
	}
	q := func(x float32) byte {
		return byte(min(15, int(x*id+8.5)))
	}
	for j := 0; j < 16; j++ {
		dst[2+j] = q(v[j]) | q(v[j+16])<<4
	}
}

// f16Table holds every half-precision value as float32 (256 KiB), so
// decoding F16 weights and block scales is one load.
var f16Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = f16ToF32Slow(uint16(i))
	}
	return &t
}()

// f16ToF32 converts IEEE half precision to float32.
func f16ToF32(h uint16) float32 { return f16Table[h] }

func f16ToF32Slow(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// f32ToF16 converts to half precision, rounding to nearest even.
func f32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff == 0:
		return sign
	case int32(b>>23&0xff) == 0xff: // inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - exp)
		half := mant >> shift
		rem := mant & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || (rem == mid && half&1 == 1) {
			half++
		}
		return sign | uint16(half)
	}
	half := uint16(exp)<<10 | uint16(mant>>13)
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && half&1 == 1) {
		half++
	}
	return sign | half
}

func bf16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
