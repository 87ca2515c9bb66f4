package gptj

import (
	"encoding/binary"
	"fmt"
)

// ggmlMagic starts a legacy ggml GPT-J file.
const ggmlMagic = 0x67676d6c

// reader reads little-endian values from a byte slice, never past its end.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) need(n int) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || r.off+n > len(r.b) || r.off+n < r.off {
		r.err = fmt.Errorf("%w: the file ends early (at byte %d, %d more needed)", ErrFormat, r.off, n)
		return false
	}
	return true
}

func (r *reader) i32() int32 {
	if !r.need(4) {
		return 0
	}
	v := int32(binary.LittleEndian.Uint32(r.b[r.off:]))
	r.off += 4
	return v
}

func (r *reader) bytes(n int) []byte {
	if !r.need(n) {
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

// loadGGML parses a legacy ggml GPT-J file held in data.
func loadGGML(data []byte, want WType) (*Model, error) {
	return loadGGMLFile(data, nil, want, false, nil)
}

// loadGGMLFile parses a ggml file; fm, if set, is the mapping data is
// (see rawTensor.file). With dry set, tensors are checked but their
// values are not read (Inspect).
func loadGGMLFile(data []byte, fm *fileMap, want WType, dry bool, progress func(float64)) (*Model, error) {
	r := &reader{b: data}
	if uint32(r.i32()) != ggmlMagic {
		return nil, fmt.Errorf("%w: not a ggml file (bad magic)", ErrFormat)
	}
	h := make([]int32, 7)
	for i := range h {
		h[i] = r.i32()
	}
	if r.err != nil {
		return nil, r.err
	}
	cfg := Config{NVocab: int(h[0]), NCtx: int(h[1]), NEmbd: int(h[2]), NHead: int(h[3]), NLayer: int(h[4]), NRot: int(h[5]), Eps: 1e-5}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var ftype fileType
	switch h[6] % 1000 {
	case 0:
		ftype = ftF32
	case 1:
		ftype = ftF16
	case 2:
		ftype = ftQ4
	case 7:
		ftype = ftQ8
	default:
		return nil, fmt.Errorf("%w: file type %d is not supported (F32, F16, Q4_0, Q8_0 are)", ErrFormat, h[6])
	}
	n := int(r.i32())
	if r.err == nil && n != cfg.NVocab {
		return nil, fmt.Errorf("%w: vocab has %d entries, n_vocab is %d", ErrFormat, n, cfg.NVocab)
	}
	vocab := make([]string, 0, min(n, len(data)/4))
	for i := 0; i < n && r.err == nil; i++ {
		l := int(r.i32())
		if l < 0 || l > 1024 {
			return nil, fmt.Errorf("%w: token %d has length %d", ErrFormat, i, l)
		}
		vocab = append(vocab, string(r.bytes(l)))
	}
	if r.err != nil {
		return nil, r.err
	}
	b := newBuilder(cfg, want)
	b.dry = dry
	b.m.Format, b.m.FileType = "ggml", ftype.String()
	for r.off < len(data) {
		nd := int(r.i32())
		nameLen := int(r.i32())
		typ := r.i32()
		if r.err != nil {
			return nil, r.err
		}
		if nd < 1 || nd > 2 || nameLen <= 0 || nameLen > 256 {
			return nil, fmt.Errorf("%w: tensor header at byte %d is invalid (%d dims, name of %d bytes)", ErrFormat, r.off, nd, nameLen)
		}
		ne := [2]int{1, 1}
		for i := 0; i < nd; i++ {
			ne[i] = int(r.i32())
			if ne[i] <= 0 || ne[i] > maxVocab*4 {
				return nil, fmt.Errorf("%w: tensor dimension %d out of range", ErrFormat, ne[i])
			}
		}
		name := string(r.bytes(nameLen))
		if r.err != nil {
			return nil, r.err
		}
		var tt fileType
		switch typ {
		case 0:
			tt = ftF32
		case 1:
			tt = ftF16
		case 2:
			tt = ftQ4
		case 8:
			tt = ftQ8
		default:
			return nil, fmt.Errorf("%w: tensor %s has unsupported type %d", ErrFormat, name, typ)
		}
		size := tensorBytes(tt, ne[0]*ne[1])
		if size < 0 || (tt == ftQ4 || tt == ftQ8) && ne[0]%qk != 0 {
			return nil, fmt.Errorf("%w: tensor %s: %d values do not fit %s blocks", ErrFormat, name, ne[0]*ne[1], tt)
		}
		raw := r.bytes(size)
		if r.err != nil {
			return nil, fmt.Errorf("%w: tensor %s: data runs past the end of the file", ErrFormat, name)
		}
		t := &rawTensor{name: name, typ: tt, rows: ne[1], cols: ne[0], dims: nd, data: raw, file: fm}
		if err := b.add(t); err != nil {
			return nil, err
		}
		if !t.kept {
			t.consumed(len(raw))
		}
		if progress != nil {
			progress(float64(r.off) / float64(len(data)))
		}
	}
	m, err := b.done()
	if err != nil {
		return nil, err
	}
	m.Tokenizer = newVocabTokenizer(vocab)
	return m, nil
}
