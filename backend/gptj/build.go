package gptj

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// fileType is how a tensor is stored in a file.
type fileType int

const (
	ftF32 fileType = iota
	ftF16
	ftBF16
	ftQ4
	ftQ8
)

func (t fileType) String() string { return [...]string{"f32", "f16", "bf16", "q4_0", "q8_0"}[t] }

// tensorBytes is the size of n values of type t, or -1 if n does not fit
// the type's blocks.
func tensorBytes(t fileType, n int) int {
	switch t {
	case ftF32:
		return 4 * n
	case ftF16, ftBF16:
		return 2 * n
	case ftQ4:
		if n%qk != 0 {
			return -1
		}
		return n / qk * 18
	case ftQ8:
		if n%qk != 0 {
			return -1
		}
		return n / qk * 34
	}
	return -1
}

// rawTensor is a tensor as read from a file: rows×cols (cols = 1-D size
// and rows = 1 for vectors).
type rawTensor struct {
	name       string
	typ        fileType
	rows, cols int
	dims       int
	data       []byte
	// file, when set, is the file data lies in: where it is a mapping,
	// data in the wanted type is read from the file (fileMap.read) and
	// the pages of data that is converted are handed back as it is read;
	// where it is a read buffer, data in the wanted type is used in
	// place. Without it data is copied out and may be reused.
	file    *fileMap
	dropped int  // data before this byte has been handed back
	kept    bool // data is used in place by a matrix
}

// decodeRow decodes row r of t into dst, checking values are finite.
func (t *rawTensor) decodeRow(r int, dst []float32) error {
	n := t.cols
	switch t.typ {
	case ftF32:
		b := t.data[r*4*n:]
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case ftF16:
		b := t.data[r*2*n:]
		for i := range dst {
			dst[i] = f16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case ftBF16:
		b := t.data[r*2*n:]
		for i := range dst {
			dst[i] = bf16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case ftQ4, ftQ8:
		wt := map[fileType]WType{ftQ4: Q4_0, ftQ8: Q8_0}[t.typ]
		bs := blockBytes(wt)
		row := t.data[r*(n/qk)*bs:]
		for blk := 0; blk < n/qk; blk++ {
			p := row[blk*bs:]
			decodeBlock(dst[blk*qk:(blk+1)*qk], wt, f16ToF32(binary.LittleEndian.Uint16(p)), p[2:])
		}
	}
	for _, x := range dst {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("%w: tensor %s holds NaN or infinite values", ErrFormat, t.name)
		}
	}
	return nil
}

// builder assembles a Model from tensors, converting each to the wanted
// weight type (KeepFileType: the first matrix's) as it arrives (a tensor at a time: the F32 weights of a
// large model are never all in memory).
type builder struct {
	m    *Model
	want WType
	seen map[string]bool
	// dry checks names and shapes only: weights are left empty (Inspect).
	dry bool
}

func newBuilder(cfg Config, want WType) *builder {
	m := &Model{Config: cfg, WType: want, Template: DefaultTemplate, layers: make([]layer, cfg.NLayer)}
	return &builder{m: m, want: want, seen: map[string]bool{}}
}

func (b *builder) vector(t *rawTensor, n int) ([]float32, error) {
	if t.dims != 1 || t.cols != n || t.rows != 1 {
		return nil, fmt.Errorf("%w: %s has shape %dx%d, want %d", ErrFormat, t.name, t.rows, t.cols, n)
	}
	if b.dry {
		return []float32{}, nil
	}
	v := make([]float32, n)
	return v, t.decodeRow(0, v)
}

func (b *builder) matrix(t *rawTensor, rows, cols int) (*Matrix, error) {
	if t.dims != 2 || t.rows != rows || t.cols != cols {
		return nil, fmt.Errorf("%w: %s has shape %dx%d, want %dx%d", ErrFormat, t.name, t.rows, t.cols, rows, cols)
	}
	if b.want == KeepFileType { // the first matrix's type is the file's
		b.want = map[fileType]WType{ftF32: F32, ftF16: F16, ftBF16: F16, ftQ8: Q8_0, ftQ4: Q4_0}[t.typ]
		b.m.WType = b.want
	}
	want := b.want
	if (want == Q8_0 || want == Q4_0) && cols%qk != 0 {
		want = F16
	}
	if b.dry {
		return &Matrix{Rows: rows, Cols: cols, Type: want}, nil
	}
	// F16 and F32 rows of a mapped file are read from the file straight
	// into the matrix's memory; those of a file read whole (no mapping on
	// the platform) are used where they are.
	if t.file != nil && (t.typ == ftF16 && want == F16 || t.typ == ftF32 && want == F32) {
		if t.file.mapped {
			m := &Matrix{Rows: rows, Cols: cols, Type: want}
			m.data = weightBytes(m, len(t.data))
			if err := t.file.read(t, m.data); err != nil {
				return nil, err
			}
			return m, nil
		}
		if err := checkFinite(t.name, t.typ, t.data); err != nil {
			return nil, err
		}
		t.kept = true
		return &Matrix{Rows: rows, Cols: cols, Type: want, data: t.data[:len(t.data):len(t.data)], file: t.file}, nil
	}
	// Data already in the wanted type is copied (quantized rows regrouped,
	// see packGGML).
	if (t.typ == ftQ8 && want == Q8_0) || (t.typ == ftQ4 && want == Q4_0) || (t.typ == ftF16 && want == F16) || (t.typ == ftF32 && want == F32) {
		if t.typ == ftF16 || t.typ == ftF32 {
			if err := checkFinite(t.name, t.typ, t.data); err != nil {
				return nil, err
			}
		}
		m := &Matrix{Rows: rows, Cols: cols, Type: want}
		m.data = weightBytes(m, len(t.data))
		rb := rowBytes(want, cols)
		for r := 0; r < rows; r++ {
			if want == Q8_0 || want == Q4_0 {
				packGGML(m.data[r*rb:(r+1)*rb], t.data[r*rb:(r+1)*rb], cols/qk, blockBytes(want))
			} else {
				copy(m.data[r*rb:(r+1)*rb], t.data[r*rb:(r+1)*rb])
			}
			t.consumed((r + 1) * rb)
		}
		if want == Q8_0 || want == Q4_0 {
			if err := checkScales(m); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrFormat, t.name, err)
			}
		}
		return m, nil
	}
	m, err := newMatrix(want, rows, cols)
	if err != nil {
		return nil, err
	}
	row := make([]float32, cols)
	srb := len(t.data) / rows
	for r := 0; r < rows; r++ {
		if err := t.decodeRow(r, row); err != nil {
			return nil, err
		}
		m.setRow(r, row)
		t.consumed((r + 1) * srb)
	}
	return m, nil
}

// checkScales refuses NaN or infinite block scales.
func checkScales(m *Matrix) error {
	rb, nblk := rowBytes(m.Type, m.Cols), m.Cols/qk
	for r := 0; r < m.Rows; r++ {
		for j := 0; j < nblk; j++ {
			sc, _ := blockAt(j, nblk, blockBytes(m.Type))
			d := f16ToF32(binary.LittleEndian.Uint16(m.data[r*rb+sc:]))
			if math.IsNaN(float64(d)) || math.IsInf(float64(d), 0) {
				return fmt.Errorf("a block scale is NaN or infinite")
			}
		}
	}
	return nil
}

// add places one tensor by its Hugging Face / ggml name.
func (b *builder) add(t *rawTensor) error {
	if b.seen[t.name] {
		return fmt.Errorf("%w: tensor %s appears twice", ErrFormat, t.name)
	}
	b.seen[t.name] = true
	c := b.m.Config
	e, v := c.NEmbd, c.NVocab
	var err error
	switch t.name {
	case "transformer.wte.weight":
		b.m.wte, err = b.matrix(t, v, e)
	case "transformer.ln_f.weight":
		b.m.lnfW, err = b.vector(t, e)
	case "transformer.ln_f.bias":
		b.m.lnfB, err = b.vector(t, e)
	case "lm_head.weight":
		b.m.lmHead, err = b.matrix(t, v, e)
	case "lm_head.bias":
		b.m.lmHeadB, err = b.vector(t, v)
	default:
		rest, ok := strings.CutPrefix(t.name, "transformer.h.")
		if !ok {
			return nil // tensors GPT-J does not use (e.g. attn.bias masks) are ignored
		}
		idx, field, _ := strings.Cut(rest, ".")
		i, convErr := strconv.Atoi(idx)
		if convErr != nil || i < 0 || i >= c.NLayer {
			return fmt.Errorf("%w: tensor %s names a layer that does not exist", ErrFormat, t.name)
		}
		l := &b.m.layers[i]
		switch field {
		case "ln_1.weight":
			l.ln1W, err = b.vector(t, e)
		case "ln_1.bias":
			l.ln1B, err = b.vector(t, e)
		case "attn.q_proj.weight":
			l.q, err = b.matrix(t, e, e)
		case "attn.k_proj.weight":
			l.k, err = b.matrix(t, e, e)
		case "attn.v_proj.weight":
			l.v, err = b.matrix(t, e, e)
		case "attn.out_proj.weight":
			l.out, err = b.matrix(t, e, e)
		case "mlp.fc_in.weight":
			l.fcIn, err = b.matrix(t, 4*e, e)
		case "mlp.fc_in.bias":
			l.fcInB, err = b.vector(t, 4*e)
		case "mlp.fc_out.weight":
			l.fcOut, err = b.matrix(t, e, 4*e)
		case "mlp.fc_out.bias":
			l.fcOutB, err = b.vector(t, e)
		}
	}
	return err
}

// done checks every tensor arrived.
func (b *builder) done() (*Model, error) {
	m := b.m
	missing := func(name string) error { return fmt.Errorf("%w: tensor %s is missing", ErrFormat, name) }
	switch {
	case m.wte == nil:
		return nil, missing("transformer.wte.weight")
	case m.lnfW == nil || m.lnfB == nil:
		return nil, missing("transformer.ln_f")
	case m.lmHead == nil:
		return nil, missing("lm_head.weight")
	}
	if m.lmHeadB == nil {
		m.lmHeadB = make([]float32, m.Config.NVocab)
	}
	for i, l := range m.layers {
		if l.ln1W == nil || l.ln1B == nil || l.q == nil || l.k == nil || l.v == nil || l.out == nil || l.fcIn == nil || l.fcOut == nil || l.fcInB == nil || l.fcOutB == nil {
			return nil, missing(fmt.Sprintf("transformer.h.%d.*", i))
		}
	}
	return m, nil
}

// checkFinite refuses F16, BF16 or F32 data d (of tensor name) holding
// NaN or infinite values (all exponent bits set), eight bytes at a time.
func checkFinite(name string, typ fileType, d []byte) error {
	var exp, ones uint64 // exponent bits of each value in a word; 1 in each value's lowest bit
	switch typ {
	case ftF16:
		exp, ones = 0x7c007c007c007c00, 0x0001000100010001
	case ftBF16:
		exp, ones = 0x7f807f807f807f80, 0x0001000100010001
	case ftF32:
		exp, ones = 0x7f8000007f800000, 0x0000000100000001
	default:
		return nil
	}
	high := ones << (64/bits.OnesCount64(ones) - 1) // each value's top bit
	i := 0
	for ; i+8 <= len(d); i += 8 {
		// A value with every exponent bit set is a zero lane of y.
		y := binary.LittleEndian.Uint64(d[i:])&exp ^ exp
		if (y-ones)&^y&high != 0 {
			return fmt.Errorf("%w: tensor %s holds NaN or infinite values", ErrFormat, name)
		}
	}
	if i < len(d) {
		var w [8]byte
		copy(w[:], d[i:]) // zero padding is finite
		y := binary.LittleEndian.Uint64(w[:])&exp ^ exp
		if (y-ones)&^y&high != 0 {
			return fmt.Errorf("%w: tensor %s holds NaN or infinite values", ErrFormat, name)
		}
	}
	return nil
}
