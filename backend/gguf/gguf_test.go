package gguf

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sidecar/backend/quant"
)

func TestParseValid(t *testing.T) {
	b := validFile()
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 3 || f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Fatalf("version %d alignment %d data at %d", f.Version, f.Alignment, f.DataOffset)
	}
	want := map[string]any{
		"u8": uint8(200), "i8": int8(-5), "u16": uint16(60000), "i16": int16(-300),
		"u32": uint32(4000000000), "i32": int32(-7), "f32": float32(1.5), "bool": true,
		"u64": uint64(1 << 40), "i64": int64(-1 << 40), "f64": 2.25,
		"tokens": Array{TypeString, []string{"a", "bb", ""}},
		"nested": Array{TypeArray, []Array{{TypeInt32, []int32{1, 2}}, {TypeString, []string{"x"}}}},
	}
	for k, w := range want {
		kv, ok := f.Lookup(k)
		if !ok || !reflect.DeepEqual(kv.Value, w) {
			t.Errorf("%s = %#v, want %#v", k, kv.Value, w)
		}
	}
	if n, err := f.Int("u32"); err != nil || n != 4000000000 {
		t.Errorf("Int(u32) = %d, %v", n, err)
	}
	if _, err := f.Int("f32"); err == nil {
		t.Error("Int of a float: no error")
	}
	if s, err := f.Strings("tokens"); err != nil || len(s) != 3 {
		t.Errorf("Strings = %q, %v", s, err)
	}
	if _, err := f.String("missing"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing key error: %v", err)
	}
	c, ok := f.Tensor("c")
	if !ok || c.Type != quant.Q4_K || c.Size != 144 || c.Offset != 192 {
		t.Fatalf("tensor c = %+v", c)
	}
	d := f.Data(c)
	if len(d) != 144 || d[0] != byte(192) {
		t.Fatalf("data of c starts with %d, len %d", d[0], len(d))
	}
}

// TestHostile feeds files that break each rule and checks the error says
// which rule.
func TestHostile(t *testing.T) {
	good := validFile()
	tensorsAt := func(specs []tensorSpec, kvs ...func(*builder)) []byte {
		var b builder
		b.header(3, uint64(len(specs)), uint64(len(kvs)))
		for _, kv := range kvs {
			kv(&b)
		}
		for _, s := range specs {
			b.tensorInfo(s)
		}
		b.padTo(32)
		b.Write(make([]byte, 4096))
		return b.Bytes()
	}
	raw := func(fn func(*builder)) []byte { var b builder; fn(&b); return b.Bytes() }
	f32 := func(name string, n, off uint64) tensorSpec { return tensorSpec{name, []uint64{n}, quant.F32, off} }
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a GGUF file"},
		{"bad magic", []byte("GGML\x03\x00\x00\x00"), "not a GGUF file"},
		{"version 1", raw(func(b *builder) { b.header(1, 0, 0) }), "version 1"},
		{"big-endian", raw(func(b *builder) { b.header(3<<24, 0, 0) }), "big-endian"},
		{"version 9", raw(func(b *builder) { b.header(9, 0, 0) }), "unsupported version 9"},
		{"truncated header", good[:10], "tensor count"},
		{"huge tensor count", raw(func(b *builder) { b.header(3, 1<<62, 0) }), "cannot fit"},
		{"huge kv count", raw(func(b *builder) { b.header(3, 0, 1<<60) }), "cannot fit"},
		{"huge string", raw(func(b *builder) { b.header(3, 0, 1); b.u64(1 << 50) }), "cannot fit"},
		{"huge array", raw(func(b *builder) {
			b.header(3, 0, 1)
			b.str("k")
			b.u32(uint32(TypeArray))
			b.u32(uint32(TypeUint64))
			b.u64(1 << 40)
		}), "cannot fit"},
		{"deep arrays", raw(func(b *builder) {
			b.header(3, 0, 1)
			b.str("k")
			b.u32(uint32(TypeArray))
			for i := 0; i < 20; i++ {
				b.u32(uint32(TypeArray))
				b.u64(1)
			}
			b.u32(uint32(TypeUint8))
			b.u64(0)
		}), "nested deeper"},
		{"unknown value type", raw(func(b *builder) { b.header(3, 0, 1); b.str("k"); b.u32(13); b.u32(0) }), "unknown value type 13"},
		{"unknown element type", raw(func(b *builder) { b.header(3, 0, 1); b.str("k"); b.u32(9); b.u32(77); b.u64(0) }), "unknown array element type 77"},
		{"bad bool", raw(func(b *builder) { b.header(3, 0, 1); b.str("k"); b.u32(7); b.WriteByte(2) }), "not 0 or 1"},
		{"duplicate key", raw(func(b *builder) { b.header(3, 0, 2); b.kv("k", uint8(1)); b.kv("k", uint8(2)) }), "appears twice"},
		{"alignment not uint32", tensorsAt(nil, func(b *builder) { b.kv("general.alignment", uint64(32)) }), "not uint32"},
		{"alignment 48", tensorsAt(nil, func(b *builder) { b.kv("general.alignment", uint32(48)) }), "power of two"},
		{"alignment 0", tensorsAt(nil, func(b *builder) { b.kv("general.alignment", uint32(0)) }), "power of two"},
		{"truncated kv", raw(func(b *builder) { b.header(3, 0, 1); b.kv("k", "hello"); b.Truncate(b.Len() - 2) }), "metadata k"},
		{"unknown tensor type", tensorsAt([]tensorSpec{{"t", []uint64{4}, quant.Type(99), 0}}), "unknown tensor type 99"},
		{"five dims", tensorsAt([]tensorSpec{{"t", []uint64{1, 1, 1, 1, 1}, quant.F32, 0}}), "5 dimensions"},
		{"long name", tensorsAt([]tensorSpec{f32(strings.Repeat("n", 64), 4, 0)}), "longer than 63"},
		{"partial block", tensorsAt([]tensorSpec{{"t", []uint64{33}, quant.Q8_0, 0}}), "whole number"},
		{"dims overflow", tensorsAt([]tensorSpec{{"t", []uint64{1 << 32, 1 << 32}, quant.F32, 0}}), "overflow"},
		{"size overflow", tensorsAt([]tensorSpec{{"t", []uint64{1 << 31, 1 << 31}, quant.F64, 0}}), "overflows"},
		{"negative dim", tensorsAt([]tensorSpec{{"t", []uint64{1 << 63}, quant.F32, 0}}), "overflow"},
		{"duplicate tensor", tensorsAt([]tensorSpec{f32("t", 8, 0), f32("t", 8, 32)}), "appears twice"},
		{"first offset not 0", tensorsAt([]tensorSpec{f32("t", 8, 32)}), "expected 0"},
		{"overlap", tensorsAt([]tensorSpec{f32("a", 16, 0), f32("b", 8, 32)}), "expected 64"},
		{"gap", tensorsAt([]tensorSpec{f32("a", 8, 0), f32("b", 8, 64)}), "expected 32"},
		{"unpadded", tensorsAt([]tensorSpec{f32("a", 3, 0), f32("b", 8, 12)}), "expected 32"},
		{"past end", tensorsAt([]tensorSpec{f32("a", 2048, 0)}), "past the end"},
		{"huge offset", tensorsAt([]tensorSpec{f32("a", 8, 1<<63)}), "overflows"},
		{"truncated data", good[:len(good)-1], "past the end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.file)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}

// TestEveryTruncation cuts the valid file at every length: each prefix is
// refused with an error, none panics.
func TestEveryTruncation(t *testing.T) {
	b := validFile()
	for n := 0; n < len(b); n++ {
		if _, err := Parse(bytes.Clone(b[:n])); err == nil {
			t.Fatalf("prefix of %d bytes parsed", n)
		}
	}
}

func TestOpenMapsFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(p, validFile(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, _ := f.Tensor("a")
	if got := f.Data(a); len(got) != 32 || got[31] != 31 {
		t.Fatalf("data of a = %v", got)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none.gguf")); err == nil || !strings.Contains(err.Error(), "gguf: open") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Fatal("a directory opened")
	}
}

// FuzzParse checks that no input panics and that what parses keeps every
// tensor inside the input.
func FuzzParse(f *testing.F) {
	f.Add(validFile())
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse(b)
		if err != nil {
			return
		}
		for _, ti := range g.Tensors {
			if ti.Offset < 0 || g.DataOffset+ti.Offset+ti.Size > int64(len(b)) {
				t.Fatalf("tensor %s outside the input", ti.Name)
			}
			_ = g.Data(ti)
		}
	})
}

// TestGGUFPyFile reads a file written by llama.cpp's Python writer.
func TestGGUFPyFile(t *testing.T) {
	f, err := Open("testdata/gguf_py_types.gguf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]any{
		"general.architecture": "llama",
		"t.u8":                 uint8(200), "t.i8": int8(-5), "t.u16": uint16(60000), "t.i16": int16(-300),
		"t.u32": uint32(4000000000), "t.i32": int32(-7), "t.f32": float32(1.5), "t.bool": true,
		"t.u64": uint64(1 << 40), "t.i64": int64(-1 << 40), "t.f64": 2.25, "t.str": "héllo",
		"t.strs":   Array{TypeString, []string{"a", "bb", ""}},
		"t.nested": Array{TypeArray, []Array{{TypeInt32, []int32{1, 2}}, {TypeInt32, []int32{3}}}},
	}
	for k, w := range want {
		kv, ok := f.Lookup(k)
		if !ok || !reflect.DeepEqual(kv.Value, w) {
			t.Errorf("%s = %#v, want %#v", k, kv.Value, w)
		}
	}
	w, ok := f.Tensor("w")
	if !ok || !reflect.DeepEqual(w.Dims, []int64{4, 2}) || w.Type != quant.F32 || w.Size != 32 {
		t.Fatalf("w = %+v", w)
	}
	if d := f.Data(w); d[4*7] != 0 || d[4*7+3] != 0x40 || d[4*7+2] != 0xe0 { // 7.0f = 0x40e00000
		t.Fatalf("w[7] bytes = % x", d[28:32])
	}
	h, _ := f.Tensor("h")
	if d := f.Data(h); len(d) != 6 || d[5] != 0x40 { // 2.0 in half = 0x4000
		t.Fatalf("h = % x", d)
	}
}
