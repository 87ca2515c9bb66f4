// Package gguf reads GGUF model files (versions 2 and 3): their metadata,
// their tensor infos and, through a read-only memory mapping, their tensor
// data. Every count, size, offset and dimension is checked against the file
// before it is used, so a hostile file gets an error, never a panic or an
// allocation larger than the file.
package gguf

import (
	"errors"
	"fmt"
	"math"

	"sidecar/backend/quant"
)

// Magic is the four bytes every GGUF file starts with.
const Magic = "GGUF"

// DefaultAlignment is the data alignment when general.alignment is absent.
const DefaultAlignment = 32

// MaxDims is the most dimensions a tensor may have.
const MaxDims = 4

// maxNameLen is ggml's limit on tensor names (GGML_MAX_NAME less the NUL).
const maxNameLen = 63

// ErrNotGGUF is returned for input that does not start with the GGUF magic.
var ErrNotGGUF = errors.New("gguf: not a GGUF file")

// TensorInfo describes one tensor. Dims[0] is the contiguous row length
// (ggml's ne0: the PyTorch shape reversed).
type TensorInfo struct {
	Name   string
	Dims   []int64
	Type   quant.Type
	Offset int64 // from the start of the data section
	Size   int64 // bytes
}

// Elements is the number of elements.
func (t TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Rows is the number of rows of Dims[0] elements.
func (t TensorInfo) Rows() int64 {
	if len(t.Dims) == 0 || t.Dims[0] == 0 {
		return 0
	}
	return t.Elements() / t.Dims[0]
}

// File is a parsed GGUF file.
type File struct {
	Version    uint32
	Alignment  int64
	KV         []KV // in file order
	Tensors    []TensorInfo
	DataOffset int64 // where the data section starts in the file

	kvIndex     map[string]int
	tensorIndex map[string]int
	data        []byte // the whole file (mapped or in memory)
	release     func() error
}

// Tensor returns the info of the named tensor.
func (f *File) Tensor(name string) (TensorInfo, bool) {
	i, ok := f.tensorIndex[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.Tensors[i], true
}

// Data returns a tensor's bytes, which alias the file's mapping: they stay
// valid until Close and must not be written.
func (f *File) Data(t TensorInfo) []byte {
	start := f.DataOffset + t.Offset
	return f.data[start : start+t.Size : start+t.Size]
}

// Size is the file's length in bytes.
func (f *File) Size() int64 { return int64(len(f.data)) }

// Close releases the mapping; tensor data must not be used afterwards.
func (f *File) Close() error {
	if f.release == nil {
		return nil
	}
	err := f.release()
	f.release = nil
	f.data = nil
	return err
}

// Parse reads a GGUF file held in b, which the File keeps referring to.
func Parse(b []byte) (*File, error) {
	f, err := parse(b)
	if err != nil {
		if errors.Is(err, ErrNotGGUF) {
			return nil, err
		}
		return nil, fmt.Errorf("gguf: %w", err)
	}
	return f, nil
}

func parse(b []byte) (*File, error) {
	c := &cursor{b: b}
	magic, err := c.take(4, "magic")
	if err != nil || string(magic) != Magic {
		return nil, ErrNotGGUF
	}
	f := &File{data: b, Alignment: DefaultAlignment}
	if err := f.header(c); err != nil {
		return nil, err
	}
	nTensors, err := c.count(24, "tensor count")
	if err != nil {
		return nil, err
	}
	nKV, err := c.count(13, "metadata count")
	if err != nil {
		return nil, err
	}
	if err := f.readKV(c, nKV); err != nil {
		return nil, err
	}
	if err := f.readAlignment(); err != nil {
		return nil, err
	}
	if err := f.readTensorInfos(c, nTensors); err != nil {
		return nil, err
	}
	return f, f.placeData(c)
}

func (f *File) header(c *cursor) error {
	v, err := c.u32("version")
	if err != nil {
		return err
	}
	switch {
	case v == 1:
		return fmt.Errorf("version 1 files are not supported (convert the file again)")
	case v&0xFFFF == 0 && v != 0:
		return fmt.Errorf("version %#x looks big-endian: only little-endian files are supported", v)
	case v != 2 && v != 3:
		return fmt.Errorf("unsupported version %d (2 and 3 are read)", v)
	}
	f.Version = v
	return nil
}

func (f *File) readKV(c *cursor, n int) error {
	f.KV = make([]KV, 0, n)
	f.kvIndex = make(map[string]int, n)
	for i := 0; i < n; i++ {
		key, err := c.str("metadata key")
		if err != nil {
			return fmt.Errorf("metadata entry %d: %w", i, err)
		}
		if _, dup := f.kvIndex[key]; dup {
			return fmt.Errorf("metadata key %q appears twice", key)
		}
		t, err := c.u32("value type")
		if err != nil {
			return fmt.Errorf("metadata %s: %w", key, err)
		}
		v, err := c.value(ValueType(t), 0)
		if err != nil {
			return fmt.Errorf("metadata %s: %w", key, err)
		}
		f.kvIndex[key] = len(f.KV)
		f.KV = append(f.KV, KV{Key: key, Type: ValueType(t), Value: v})
	}
	return nil
}

func (f *File) readAlignment() error {
	kv, ok := f.Lookup("general.alignment")
	if !ok {
		return nil
	}
	a, ok := kv.Value.(uint32)
	if !ok {
		return fmt.Errorf("general.alignment is %s, not uint32", kv.Type)
	}
	if a == 0 || a&(a-1) != 0 {
		return fmt.Errorf("general.alignment %d is not a power of two", a)
	}
	f.Alignment = int64(a)
	return nil
}

func (f *File) readTensorInfos(c *cursor, n int) error {
	f.Tensors = make([]TensorInfo, 0, n)
	f.tensorIndex = make(map[string]int, n)
	for i := 0; i < n; i++ {
		t, err := readTensorInfo(c)
		if err != nil {
			return fmt.Errorf("tensor %d: %w", i, err)
		}
		if _, dup := f.tensorIndex[t.Name]; dup {
			return fmt.Errorf("tensor %q appears twice", t.Name)
		}
		f.tensorIndex[t.Name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, t)
	}
	return nil
}

func readTensorInfo(c *cursor) (TensorInfo, error) {
	var t TensorInfo
	var err error
	if t.Name, err = c.str("tensor name"); err != nil {
		return t, err
	}
	if len(t.Name) > maxNameLen {
		return t, fmt.Errorf("name of %d bytes is longer than %d", len(t.Name), maxNameLen)
	}
	nd, err := c.u32("dimension count")
	if err != nil {
		return t, fmt.Errorf("%s: %w", t.Name, err)
	}
	if nd > MaxDims {
		return t, fmt.Errorf("%s: %d dimensions, at most %d", t.Name, nd, MaxDims)
	}
	t.Dims = make([]int64, nd)
	elems := int64(1)
	for j := range t.Dims {
		d, err := c.u64("dimension")
		if err != nil {
			return t, fmt.Errorf("%s: %w", t.Name, err)
		}
		if d > math.MaxInt64 || (d > 0 && elems > math.MaxInt64/int64(d)) {
			return t, fmt.Errorf("%s: dimensions overflow 64 bits", t.Name)
		}
		t.Dims[j] = int64(d)
		elems *= int64(d)
	}
	typ, err := c.u32("tensor type")
	if err != nil {
		return t, fmt.Errorf("%s: %w", t.Name, err)
	}
	t.Type = quant.Type(typ)
	if !t.Type.Known() {
		return t, fmt.Errorf("%s: unknown tensor type %d", t.Name, typ)
	}
	off, err := c.u64("tensor offset")
	if err != nil {
		return t, fmt.Errorf("%s: %w", t.Name, err)
	}
	if off > math.MaxInt64 {
		return t, fmt.Errorf("%s: offset %d overflows", t.Name, off)
	}
	t.Offset = int64(off)
	return t, t.size()
}

// size sets Size from the type table, refusing rows that are not whole blocks.
func (t *TensorInfo) size() error {
	if len(t.Dims) == 0 {
		t.Size = int64(t.Type.BlockBytes())
		if t.Type.BlockElems() != 1 {
			return fmt.Errorf("%s: a scalar cannot be %s", t.Name, t.Type)
		}
		return nil
	}
	row, err := t.Type.RowBytes(t.Dims[0])
	if err != nil {
		return fmt.Errorf("%s: %w", t.Name, err)
	}
	rows := t.Rows()
	if row > 0 && rows > math.MaxInt64/row {
		return fmt.Errorf("%s: size overflows 64 bits", t.Name)
	}
	t.Size = row * rows
	return nil
}

// placeData finds the data section and checks that each tensor starts at
// the running padded sum of the sizes before it (so none overlap) and ends
// inside the file.
func (f *File) placeData(c *cursor) error {
	f.DataOffset = pad(c.pos, f.Alignment)
	fileLen := int64(len(f.data))
	if len(f.Tensors) > 0 && f.DataOffset > fileLen {
		return fmt.Errorf("data section at %d starts past the end of the %d-byte file", f.DataOffset, fileLen)
	}
	var next int64
	for _, t := range f.Tensors {
		if t.Offset != next {
			return fmt.Errorf("tensor %s at offset %d, expected %d (tensors must follow each other, padded to %d)", t.Name, t.Offset, next, f.Alignment)
		}
		if t.Size > fileLen-f.DataOffset-t.Offset {
			return fmt.Errorf("tensor %s (%d bytes at %d) runs past the end of the %d-byte file", t.Name, t.Size, f.DataOffset+t.Offset, fileLen)
		}
		next = pad(t.Offset+t.Size, f.Alignment)
	}
	return nil
}

func pad(n, align int64) int64 { return (n + align - 1) / align * align }
