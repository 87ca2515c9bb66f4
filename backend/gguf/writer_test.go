package gguf

import (
	"bytes"
	"encoding/binary"
	"math"

	"sidecar/backend/quant"
)

// builder writes GGUF bytes for tests, including ones no honest writer
// would produce.
type builder struct {
	bytes.Buffer
}

func (b *builder) u32(v uint32) { binary.Write(&b.Buffer, binary.LittleEndian, v) }
func (b *builder) u64(v uint64) { binary.Write(&b.Buffer, binary.LittleEndian, v) }
func (b *builder) str(s string) { b.u64(uint64(len(s))); b.WriteString(s) }

func (b *builder) header(version uint32, nTensors, nKV uint64) {
	b.WriteString(Magic)
	b.u32(version)
	b.u64(nTensors)
	b.u64(nKV)
}

// kv writes a key and a value whose Go type picks the GGUF type.
func (b *builder) kv(key string, v any) {
	b.str(key)
	b.value(v, true)
}

func (b *builder) value(v any, tagged bool) {
	tag := func(t ValueType) {
		if tagged {
			b.u32(uint32(t))
		}
	}
	switch x := v.(type) {
	case uint8:
		tag(TypeUint8)
		b.WriteByte(x)
	case int8:
		tag(TypeInt8)
		b.WriteByte(byte(x))
	case uint16:
		tag(TypeUint16)
		binary.Write(&b.Buffer, binary.LittleEndian, x)
	case int16:
		tag(TypeInt16)
		binary.Write(&b.Buffer, binary.LittleEndian, x)
	case uint32:
		tag(TypeUint32)
		b.u32(x)
	case int32:
		tag(TypeInt32)
		b.u32(uint32(x))
	case float32:
		tag(TypeFloat32)
		b.u32(math.Float32bits(x))
	case bool:
		tag(TypeBool)
		if x {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
	case string:
		tag(TypeString)
		b.str(x)
	case uint64:
		tag(TypeUint64)
		b.u64(x)
	case int64:
		tag(TypeInt64)
		b.u64(uint64(x))
	case float64:
		tag(TypeFloat64)
		b.u64(math.Float64bits(x))
	case Array:
		tag(TypeArray)
		b.u32(uint32(x.Elem))
		b.u64(uint64(x.Len()))
		forEach(x, func(e any) { b.value(e, false) })
	default:
		panic("builder: unsupported value")
	}
}

func forEach(a Array, fn func(any)) {
	switch v := a.Values.(type) {
	case []uint8:
		each(v, fn)
	case []int8:
		each(v, fn)
	case []uint16:
		each(v, fn)
	case []int16:
		each(v, fn)
	case []uint32:
		each(v, fn)
	case []int32:
		each(v, fn)
	case []float32:
		each(v, fn)
	case []bool:
		each(v, fn)
	case []string:
		each(v, fn)
	case []uint64:
		each(v, fn)
	case []int64:
		each(v, fn)
	case []float64:
		each(v, fn)
	case []Array:
		each(v, fn)
	}
}

func each[T any](s []T, fn func(any)) {
	for _, e := range s {
		fn(e)
	}
}

type tensorSpec struct {
	name   string
	dims   []uint64
	typ    quant.Type
	offset uint64
}

func (b *builder) tensorInfo(t tensorSpec) {
	b.str(t.name)
	b.u32(uint32(len(t.dims)))
	for _, d := range t.dims {
		b.u64(d)
	}
	b.u32(uint32(t.typ))
	b.u64(t.offset)
}

// padTo pads the buffer with zeros to a multiple of align.
func (b *builder) padTo(align int) {
	for b.Len()%align != 0 {
		b.WriteByte(0)
	}
}

// validFile is a small well-formed file: every value type, a nested
// array, alignment 64 and three tensors of different types.
func validFile() []byte {
	var b builder
	kvs := []struct {
		k string
		v any
	}{
		{"general.architecture", "llama"},
		{"general.alignment", uint32(64)},
		{"u8", uint8(200)}, {"i8", int8(-5)}, {"u16", uint16(60000)}, {"i16", int16(-300)},
		{"u32", uint32(4000000000)}, {"i32", int32(-7)}, {"f32", float32(1.5)}, {"bool", true},
		{"u64", uint64(1 << 40)}, {"i64", int64(-1 << 40)}, {"f64", 2.25},
		{"tokens", Array{TypeString, []string{"a", "bb", ""}}},
		{"scores", Array{TypeFloat32, []float32{-1, 0.5}}},
		{"nested", Array{TypeArray, []Array{{TypeInt32, []int32{1, 2}}, {TypeString, []string{"x"}}}}},
	}
	tensors := []tensorSpec{
		{"a", []uint64{4, 2}, quant.F32, 0},
		{"b", []uint64{32, 3}, quant.Q8_0, 64},
		{"c", []uint64{256}, quant.Q4_K, 64 + 128},
	}
	b.header(3, uint64(len(tensors)), uint64(len(kvs)))
	for _, kv := range kvs {
		b.kv(kv.k, kv.v)
	}
	for _, t := range tensors {
		b.tensorInfo(t)
	}
	b.padTo(64)
	for i := 0; i < 64+128+144; i++ {
		b.WriteByte(byte(i))
	}
	return b.Bytes()
}
