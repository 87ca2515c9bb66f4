package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// maxDepth bounds the nesting of arrays inside arrays.
const maxDepth = 8

// cursor reads little-endian values from b, refusing to read past its end.
type cursor struct {
	b   []byte
	pos int64
}

func (c *cursor) remaining() int64 { return int64(len(c.b)) - c.pos }

func (c *cursor) take(n int64, what string) ([]byte, error) {
	if n < 0 || n > c.remaining() {
		return nil, fmt.Errorf("%s at offset %d: need %d bytes, file has %d left", what, c.pos, n, c.remaining())
	}
	s := c.b[c.pos : c.pos+n]
	c.pos += n
	return s, nil
}

func (c *cursor) u8(what string) (uint8, error) {
	b, err := c.take(1, what)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (c *cursor) u16(what string) (uint16, error) {
	b, err := c.take(2, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

func (c *cursor) u32(what string) (uint32, error) {
	b, err := c.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (c *cursor) u64(what string) (uint64, error) {
	b, err := c.take(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a 64-bit element count and refuses one that the rest of
// the file cannot hold at minSize bytes per element, so no allocation is
// ever larger than the file.
func (c *cursor) count(minSize int64, what string) (int, error) {
	at := c.pos
	n, err := c.u64(what)
	if err != nil {
		return 0, err
	}
	if minSize > 0 && n > uint64(c.remaining()/minSize) {
		return 0, fmt.Errorf("%s at offset %d: %d entries cannot fit in the %d bytes left", what, at, n, c.remaining())
	}
	return int(n), nil
}

func (c *cursor) str(what string) (string, error) {
	n, err := c.count(1, what+" length")
	if err != nil {
		return "", err
	}
	b, err := c.take(int64(n), what)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// value reads one value of type t.
func (c *cursor) value(t ValueType, depth int) (any, error) {
	switch t {
	case TypeUint8:
		return c.u8("uint8")
	case TypeInt8:
		v, err := c.u8("int8")
		return int8(v), err
	case TypeUint16:
		return c.u16("uint16")
	case TypeInt16:
		v, err := c.u16("int16")
		return int16(v), err
	case TypeUint32:
		return c.u32("uint32")
	case TypeInt32:
		v, err := c.u32("int32")
		return int32(v), err
	case TypeFloat32:
		v, err := c.u32("float32")
		return math.Float32frombits(v), err
	case TypeBool:
		return c.boolean()
	case TypeString:
		return c.str("string")
	case TypeUint64:
		return c.u64("uint64")
	case TypeInt64:
		v, err := c.u64("int64")
		return int64(v), err
	case TypeFloat64:
		v, err := c.u64("float64")
		return math.Float64frombits(v), err
	case TypeArray:
		return c.array(depth + 1)
	}
	return nil, fmt.Errorf("unknown value type %d at offset %d", uint32(t), c.pos-4)
}

func (c *cursor) boolean() (bool, error) {
	v, err := c.u8("bool")
	if err != nil {
		return false, err
	}
	if v > 1 {
		return false, fmt.Errorf("bool at offset %d is %d, not 0 or 1", c.pos-1, v)
	}
	return v == 1, nil
}

// array reads an array's element type, count and elements into a typed slice.
func (c *cursor) array(depth int) (Array, error) {
	if depth > maxDepth {
		return Array{}, fmt.Errorf("arrays nested deeper than %d at offset %d", maxDepth, c.pos)
	}
	et, err := c.u32("array element type")
	if err != nil {
		return Array{}, err
	}
	elem := ValueType(et)
	if elem.minSize() == 0 {
		return Array{}, fmt.Errorf("unknown array element type %d at offset %d", et, c.pos-4)
	}
	n, err := c.count(elem.minSize(), "array count")
	if err != nil {
		return Array{}, err
	}
	a := Array{Elem: elem}
	switch elem {
	case TypeUint8:
		a.Values, err = fill[uint8](c, n, elem, depth)
	case TypeInt8:
		a.Values, err = fill[int8](c, n, elem, depth)
	case TypeUint16:
		a.Values, err = fill[uint16](c, n, elem, depth)
	case TypeInt16:
		a.Values, err = fill[int16](c, n, elem, depth)
	case TypeUint32:
		a.Values, err = fill[uint32](c, n, elem, depth)
	case TypeInt32:
		a.Values, err = fill[int32](c, n, elem, depth)
	case TypeFloat32:
		a.Values, err = fill[float32](c, n, elem, depth)
	case TypeBool:
		a.Values, err = fill[bool](c, n, elem, depth)
	case TypeString:
		a.Values, err = fill[string](c, n, elem, depth)
	case TypeUint64:
		a.Values, err = fill[uint64](c, n, elem, depth)
	case TypeInt64:
		a.Values, err = fill[int64](c, n, elem, depth)
	case TypeFloat64:
		a.Values, err = fill[float64](c, n, elem, depth)
	case TypeArray:
		a.Values, err = fill[Array](c, n, elem, depth)
	}
	return a, err
}

func fill[T any](c *cursor, n int, elem ValueType, depth int) ([]T, error) {
	out := make([]T, n)
	for i := range out {
		v, err := c.value(elem, depth)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out[i] = v.(T)
	}
	return out, nil
}
