// Package torchfile reads the tensors of a PyTorch checkpoint written by
// torch.save (the zip format of torch 1.6 and later, as Hugging Face's
// pytorch_model.bin files are) without running any of it: data.pkl is
// interpreted by a restricted unpickler that knows only the opcodes and
// the handful of globals a state dict uses (collections.OrderedDict,
// torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and
// the typed storage classes such as torch.FloatStorage), and refuses
// every other global by name. Tensor data is read straight from the zip
// entries archive/data/<key>, one tensor at a time.
package torchfile

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
)

// Errors wrapped by everything this package returns about a file.
var (
	// ErrFormat: the file is not a well-formed torch.save checkpoint.
	ErrFormat = errors.New("torchfile: malformed checkpoint")
	// ErrNotAllowed: data.pkl names or calls something outside the allow-list.
	ErrNotAllowed = errors.New("torchfile: refused by the allow-list")
	// ErrLegacy: a file from before torch 1.6 (not a zip), not supported.
	ErrLegacy = errors.New("torchfile: legacy (pre-zip) torch.save format is not supported")
)

// DType is a tensor's element type, named as safetensors names them.
type DType string

// The element types of the storage classes on the allow-list.
const (
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	F64  DType = "F64"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U8   DType = "U8"
	Bool DType = "BOOL"
)

// Size is the size of one element in bytes.
func (d DType) Size() int64 {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16, I16:
		return 2
	}
	return 1
}

// Tensor is one tensor of a state dict: a strided view of a storage.
type Tensor struct {
	DType   DType
	Shape   []int64
	Strides []int64 // in elements
	Offset  int64   // first element in the storage
	storage *storageRef
}

// NumElements is the product of Shape (1 for a scalar).
func (t *Tensor) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d // checked not to overflow when the tensor was built
	}
	return n
}

// Contiguous reports whether the tensor is stored in row-major order
// without gaps (dimensions of size 1 may have any stride).
func (t *Tensor) Contiguous() bool {
	want := int64(1)
	for i := len(t.Shape) - 1; i >= 0; i-- {
		if t.Shape[i] != 1 && t.Strides[i] != want {
			return false
		}
		want *= t.Shape[i]
	}
	return true
}

// newTensor checks a view against its storage: sizes and strides not
// negative, products that do not overflow, every element inside the
// storage and no more elements than the storage holds (so materialising a
// strided view never takes more memory than the storage's bytes).
func newTensor(s *storageRef, off int64, shape, strides []int64) (*Tensor, error) {
	if len(shape) != len(strides) {
		return nil, fmt.Errorf("%w: tensor has %d sizes and %d strides", ErrFormat, len(shape), len(strides))
	}
	if off < 0 || off > s.numel {
		return nil, fmt.Errorf("%w: tensor storage offset %d is outside its storage of %d elements", ErrFormat, off, s.numel)
	}
	numel, last := uint64(1), uint64(off)
	for i := range shape {
		if shape[i] < 0 || strides[i] < 0 {
			return nil, fmt.Errorf("%w: tensor has size %v and stride %v (negative)", ErrFormat, shape, strides)
		}
		hi, lo := bits.Mul64(numel, uint64(shape[i]))
		if hi != 0 || lo > 1<<62 {
			return nil, fmt.Errorf("%w: tensor size %v overflows", ErrFormat, shape)
		}
		numel = lo
	}
	if numel > 0 {
		for i := range shape {
			hi, lo := bits.Mul64(uint64(shape[i]-1), uint64(strides[i]))
			var carry uint64
			last, carry = bits.Add64(last, lo, 0)
			if hi != 0 || carry != 0 || last > 1<<62 {
				return nil, fmt.Errorf("%w: tensor stride %v overflows", ErrFormat, strides)
			}
		}
		if last >= uint64(s.numel) {
			return nil, fmt.Errorf("%w: tensor (offset %d, size %v, stride %v) reaches element %d of a storage of %d", ErrFormat, off, shape, strides, last, s.numel)
		}
		if numel > uint64(s.numel) {
			return nil, fmt.Errorf("%w: tensor of %d elements views a storage of %d (overlapping strides are not supported)", ErrFormat, numel, s.numel)
		}
	}
	return &Tensor{DType: s.dtype, Shape: shape, Strides: strides, Offset: off, storage: s}, nil
}

// legacyMagic opens a pre-1.6 torch.save file: pickled protocol 2 and the
// magic number 0x1950a86a20f9469cfc6c as a LONG1.
var legacyMagic = []byte{0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}

// IsCheckpoint reports whether head (the first 16 bytes of a file) looks
// like a torch.save checkpoint: a zip, or the legacy format that Open
// refuses with ErrLegacy.
func IsCheckpoint(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, legacyMagic)
}
