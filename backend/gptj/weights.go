package gptj

import (
	"encoding/binary"
	"fmt"
	"math"

	"sidecar/backend/quant"
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

// Quantized rows are kept in groups of up to 8 blocks: the group's eight
// f16 scales first, then the eight blocks' values. A group is as large as
// eight ggml blocks, but the kernels can convert its scales with one
// instruction and add up eight blocks at once; packGGML converts rows of a
// ggml file (scale and values block by block) to it.
const group = 8

// blockAt returns where block j's scale and values are in a row of nblk
// blocks of bs bytes.
func blockAt(j, nblk, bs int) (scale, vals int) {
	g := j / group
	k := min(group, nblk-g*group)
	base := g * group * bs
	return base + 2*(j%group), base + 2*k + (j%group)*(bs-2)
}

// packGGML copies one row of nblk blocks from ggml order (src) into the
// grouped order (dst).
func packGGML(dst, src []byte, nblk, bs int) {
	for j := 0; j < nblk; j++ {
		sc, v := blockAt(j, nblk, bs)
		b := src[j*bs : (j+1)*bs]
		copy(dst[sc:sc+2], b[:2])
		copy(dst[v:v+bs-2], b[2:])
	}
}

// Matrix is a rows×cols weight matrix, row-major: row r holds the weights
// of output feature r.
type Matrix struct {
	Rows, Cols int
	Type       WType
	data       []byte
	file       *fileMap // the file read buffer data lies in, when used in place (no mapping on the platform)
}

func newMatrix(t WType, rows, cols int) (*Matrix, error) {
	if (t == Q8_0 || t == Q4_0) && cols%qk != 0 {
		return nil, fmt.Errorf("%w: %d columns cannot be quantized in blocks of %d", ErrFormat, cols, qk)
	}
	m := &Matrix{Rows: rows, Cols: cols, Type: t}
	m.data = weightBytes(m, rows*rowBytes(t, cols))
	return m, nil
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
	case Q8_0, Q4_0:
		bs, nblk := blockBytes(m.Type), len(v)/qk
		var tmp [34]byte
		for blk := 0; blk < nblk; blk++ {
			if m.Type == Q8_0 {
				quantQ8(tmp[:], v[blk*qk:(blk+1)*qk])
			} else {
				quantQ4(tmp[:], v[blk*qk:(blk+1)*qk])
			}
			sc, vals := blockAt(blk, nblk, bs)
			copy(b[sc:sc+2], tmp[:2])
			copy(b[vals:vals+bs-2], tmp[2:bs])
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
	case Q8_0, Q4_0:
		nblk := m.Cols / qk
		for blk := 0; blk < nblk; blk++ {
			sc, v := blockAt(blk, nblk, blockBytes(m.Type))
			decodeBlock(dst[blk*qk:(blk+1)*qk], m.Type, f16ToF32(binary.LittleEndian.Uint16(b[sc:])), b[v:])
		}
	}
}

// decodeBlock decodes one block's values (32 int8 or 16 bytes of nibbles)
// with scale d.
func decodeBlock(dst []float32, t WType, d float32, v []byte) {
	if t == Q8_0 {
		for j := 0; j < qk; j++ {
			dst[j] = float32(int8(v[j])) * d
		}
		return
	}
	for j := 0; j < 16; j++ {
		dst[j] = float32(int(v[j]&0xF)-8) * d
		dst[j+16] = float32(int(v[j]>>4)-8) * d
	}
}

// dotRow returns row r · x, with a the Q8_0 form of x for quantized types.
func (m *Matrix) dotRow(r int, x []float32, a *actQ8) float32 {
	rb := rowBytes(m.Type, m.Cols)
	b := m.data[r*rb : (r+1)*rb]
	switch m.Type {
	case Q8_0:
		return dotQ8(b, a, 0, m.Cols/qk)
	case Q4_0:
		return dotQ4(b, a, 0, m.Cols/qk)
	}
	return dotF32B(b, x)
}

// quantized reports whether products with m take Q8_0 activations.
func (m *Matrix) quantized() bool { return m.Type == Q8_0 || m.Type == Q4_0 }

// MatVec computes out = M·x.
func (m *Matrix) MatVec(out, x []float32) {
	var a actQ8
	if m.quantized() {
		a = newActQ8(m.Cols)
		a.quantize(x)
	}
	m.mulRows(out, x, &a, 1, 0, m.Rows, nil)
}

// kPass is how many bytes of each activation vector a batched product
// takes per pass: a pass's activations (64 × 4 KiB) stay in the L2 cache
// while the rows go by. Passes start at multiples of a quantization group.
const kPass = 4096

// mulRows computes rows lo..hi of out = X·Mᵀ for batch input vectors X
// (batch×Cols, quantized in a for quantized types); out is batch×Rows.
// sc is the calling worker's scratch (unused when batch is 1).
func (m *Matrix) mulRows(out, x []float32, a *actQ8, batch, lo, hi int, sc *scratch) {
	c := m.Cols
	if batch == 1 && m.Type == F16 { // package quant's half-float products
		rb := rowBytes(F16, c)
		quant.DotF16Rows(out[lo:hi], m.data[lo*rb:hi*rb], rb, x[:c])
		return
	}
	if batch == 1 {
		r := lo
		if m.Type != F32 {
			// Four streams: rows r, r+q, r+2q and r+3q of the chunk are
			// read side by side, which the memory system serves faster
			// than one stream, and x is read once for the four.
			rb, q := rowBytes(m.Type, c), (hi-lo)/4
			var o [4]float32
			for ; r < lo+q; r++ {
				switch m.Type {
				case Q8_0:
					dot4Q8(m.data[r*rb:], q*rb, a, c/qk, &o)
				default:
					dot4Q4(m.data[r*rb:], q*rb, a, c/qk, &o)
				}
				out[r], out[r+q], out[r+2*q], out[r+3*q] = o[0], o[1], o[2], o[3]
			}
			r = lo + 4*q
		}
		for ; r < hi; r++ {
			out[r] = m.dotRow(r, x, a)
		}
		return
	}
	if !m.quantized() {
		m.mulRowsFloat(out, x, batch, lo, hi, sc.rows)
		return
	}
	rb := rowBytes(m.Type, c)
	for c0 := 0; c0 < c; c0 += kPass { // int8 activations: kPass values a pass
		c1 := min(c, c0+kPass)
		r := lo
		if gemmQ8 != nil && a.pkRows == batch && a.pkCols == c {
			r = m.mulRowsPacked(out, a, batch, lo, hi, c0, c1, sc)
		}
		for ; r < hi; r++ {
			b := m.data[r*rb : (r+1)*rb]
			if m.Type == Q8_0 {
				wb, nblk := b[c0/qk*34:c1/qk*34], (c1-c0)/qk
				if a.us != nil && dotQ8U != nil { // weight sums once, for every vector
					sumQ8(wb, nblk, sc.corr)
					for t := 0; t < batch; t++ {
						out[t*m.Rows+r] += dotQ8U(wb, a, (t*c+c0)/qk, nblk, sc.corr)
					}
					continue
				}
				for t := 0; t < batch; t++ {
					out[t*m.Rows+r] += dotQ8(wb, a, (t*c+c0)/qk, nblk)
				}
				continue
			}
			wb, nblk := b[c0/qk*18:c1/qk*18], (c1-c0)/qk
			if whole := nblk / group * group; a.us != nil && unpackQ4 != nil && whole > 0 {
				// Unpacked to Q8_0 once, then as Q8_0 for every vector.
				u := sc.q8[:whole*34]
				unpackQ4(wb, whole, u)
				sumQ8(u, whole, sc.corr)
				for t := 0; t < batch; t++ {
					off := (t*c + c0) / qk
					v := dotQ8U(u, a, off, whole, sc.corr)
					if whole < nblk {
						v += dotQ4(wb[whole*18:], a, off+whole, nblk-whole)
					}
					out[t*m.Rows+r] += v
				}
				continue
			}
			for t := 0; t < batch; t++ {
				out[t*m.Rows+r] += dotQ4(wb, a, (t*c+c0)/qk, nblk)
			}
		}
	}
}

// mulRowsPacked is mulRows' pass c0..c1 over rows lo.. four at a time
// with gemmQ8, on a's packed vectors (Q4_0 rows unpacked to Q8_0 first);
// it returns the first row it left (fewer than four remain).
func (m *Matrix) mulRowsPacked(out []float32, a *actQ8, batch, lo, hi, c0, c1 int, sc *scratch) int {
	c, nb := m.Cols, (c1-c0)/qk
	whole := nb / group * group
	if whole == 0 {
		return lo
	}
	rb, bs, at := rowBytes(m.Type, c), blockBytes(m.Type), c0/qk // at: the pass's first block
	var o [64]float32
	r := lo
	for ; r+4 <= hi; r += 4 {
		w, stride := m.data[r*rb+at*bs:], rb
		if m.Type == Q4_0 {
			stride = kPass / qk * 34
			for k := 0; k < 4; k++ {
				unpackQ4(m.data[(r+k)*rb+at*bs:], whole, sc.q8x4[k*stride:])
			}
			w = sc.q8x4
		}
		var next []byte // the next four rows' pass, fetched while these are multiplied
		if r+8 <= hi {
			next = m.data[(r+4)*rb+at*bs : (r+7)*rb+(at+whole)*bs]
		}
		gemmRows(w, stride, whole/group, sc.cd, next)
		for g := 0; g*16 < batch; g++ {
			from := g*(c/qk) + at
			gemmQ8(w, stride, whole/group, a.pk[from*8*64:], a.pd[from*16:], sc.cd, &o)
			for v := 0; v < 16 && g*16+v < batch; v++ {
				t := g*16 + v
				for k := 0; k < 4; k++ {
					out[t*m.Rows+r+k] += o[16*k+v]
				}
			}
		}
		if whole < nb { // the pass's last blocks, not a whole group
			for k := 0; k < 4; k++ {
				for t := 0; t < batch; t++ {
					off, tail := (t*c+c0)/qk+whole, m.data[(r+k)*rb+(at+whole)*bs:(r+k)*rb+(at+nb)*bs]
					if m.Type == Q8_0 {
						out[t*m.Rows+r+k] += dotQ8(tail, a, off, nb-whole)
					} else {
						out[t*m.Rows+r+k] += dotQ4(tail, a, off, nb-whole)
					}
				}
			}
		}
	}
	return r
}

// scratch is one worker's buffers for batched products, allocated with
// its State.
type scratch struct {
	rows []float32 // rowBlock decoded F16/F32 row pieces of one column pass
	q8   []byte    // a Q4_0 row piece unpacked to Q8_0 (one pass)
	q8x4 []byte    // four of them (mulRowsPacked)
	corr []int32   // per-block weight sums of one pass (dotQ8U)
	cd   []int32   // four rows' weight sums and scales (gemmQ8)
}

func newScratch(cols int) scratch {
	return scratch{rows: make([]float32, rowBlock*min(cols, kPass/4)),
		q8: make([]byte, kPass/qk*34), q8x4: make([]byte, 4*kPass/qk*34),
		corr: make([]int32, kPass/qk), cd: make([]int32, gemmCD)}
}

// rowBlock is how many rows of an F16 or F32 matrix a batched product
// decodes at a time (one column pass each: rowBlock·kPass bytes, in L2).
const rowBlock = 16

// mulRowsFloat is mulRows for F16 and F32 weights. Per column pass, a
// block of rows is decoded to float32; then each group of four batch
// vectors (kept in L1) is multiplied with the block's rows two at a time.
func (m *Matrix) mulRowsFloat(out, x []float32, batch, lo, hi int, scratch []float32) {
	c, pass := m.Cols, kPass/4
	for c0 := 0; c0 < c; c0 += pass {
		c1 := min(c, c0+pass)
		k := c1 - c0
		for r0 := lo; r0 < hi; r0 += rowBlock {
			r1 := min(hi, r0+rowBlock)
			for r := r0; r < r1; r++ {
				m.decodeRange(scratch[(r-r0)*k:(r-r0+1)*k], r, c0, c1)
			}
			row := func(r int) []float32 { return scratch[(r-r0)*k : (r-r0+1)*k] }
			t := 0
			var o [8]float32
			for ; t+4 <= batch; t += 4 {
				xt := x[t*c+c0:]
				r := r0
				for ; r+2 <= r1; r += 2 {
					dot2x4(row(r), row(r+1), xt, c, &o)
					for i := 0; i < 4; i++ {
						out[(t+i)*m.Rows+r] += o[i]
						out[(t+i)*m.Rows+r+1] += o[4+i]
					}
				}
				if r < r1 {
					var o4 [4]float32
					dot4(row(r), xt, c, &o4)
					for i, v := range o4 {
						out[(t+i)*m.Rows+r] += v
					}
				}
			}
			for ; t < batch; t++ {
				for r := r0; r < r1; r++ {
					out[t*m.Rows+r] += dot(row(r), x[t*c+c0:t*c+c1])
				}
			}
		}
	}
}

// decodeRange decodes columns c0..c1 of row r of an F16 or F32 matrix
// into w.
func (m *Matrix) decodeRange(w []float32, r, c0, c1 int) {
	b := m.data[r*rowBytes(m.Type, m.Cols):]
	if m.Type == F16 {
		f16Row(w, b[2*c0:2*c1])
		return
	}
	for i := range w {
		w[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*(c0+i):]))
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
