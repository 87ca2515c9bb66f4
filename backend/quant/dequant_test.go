package quant

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures in testdata were made by ggml itself (see testdata/README.md):
// rows of fixtureCols values in each type, and what ggml's to_float makes
// of them.
const fixtureRows, fixtureCols = 4, 512

var fixtureTypes = []Type{F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, Q8_K}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func floatsOf(b []byte) []float32 {
	f := make([]float32, len(b)/4)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return f
}

func fixtureName(t Type) string { return strings.ToLower(t.String()) }

func TestDequantizeMatchesGGML(t *testing.T) {
	for _, typ := range fixtureTypes {
		t.Run(typ.String(), func(t *testing.T) {
			blocks := readFixture(t, fixtureName(typ)+".blocks")
			want := floatsOf(readFixture(t, fixtureName(typ)+".f32"))
			rb, err := typ.RowBytes(fixtureCols)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(blocks)) != fixtureRows*rb || len(want) != fixtureRows*fixtureCols {
				t.Fatalf("fixture sizes %d, %d", len(blocks), len(want))
			}
			got := make([]float32, fixtureRows*fixtureCols)
			if err := Dequantize(typ, blocks, got); err != nil {
				t.Fatal(err)
			}
			bad := 0
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					if bad++; bad <= 5 {
						t.Errorf("element %d: got %g (%#08x), want %g (%#08x)", i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d elements differ", bad, len(got))
			}
		})
	}
}

func TestDequantizeRefusesBadSizes(t *testing.T) {
	dst := make([]float32, 256)
	if err := Dequantize(Q4_K, make([]byte, 143), dst); err == nil {
		t.Error("short source accepted")
	}
	if err := Dequantize(Q4_K, make([]byte, 1000), dst[:100]); err == nil {
		t.Error("partial block accepted")
	}
	if err := Dequantize(IQ2_XXS, make([]byte, 1000), dst); err == nil {
		t.Error("unsupported type accepted")
	}
	if err := Dequantize(Q4_K, make([]byte, 144), dst); err != nil {
		t.Errorf("one whole block: %v", err)
	}
}

func TestF32ToF16RoundTrips(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		if f != f { // NaN: quiet NaN with the sign
			if got := F32ToF16(f); got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
				t.Fatalf("NaN %#04x -> %#04x", h, got)
			}
			continue
		}
		if got := F32ToF16(f); got != uint16(h) {
			t.Fatalf("%#04x -> %g -> %#04x", h, f, got)
		}
	}
	// Ties go to even; just past half an ulp goes up.
	one := math.Float32bits(1)
	cases := []struct {
		bits uint32
		want uint16
	}{
		{one | 0x1000, 0x3c00},            // 1 + half an ulp: tie, even stays
		{one | 0x3000, 0x3c02},            // 1 + 1.5 ulp: tie, to even
		{one | 0x1001, 0x3c01},            // just above the tie
		{math.Float32bits(65520), 0x7c00}, // rounds up to infinity
		{math.Float32bits(1e-8), 0x0000},  // below the smallest subnormal's half
		{math.Float32bits(6e-8), 0x0001},  // nearest the smallest subnormal
	}
	for _, c := range cases {
		if got := F32ToF16(math.Float32frombits(c.bits)); got != c.want {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", math.Float32frombits(c.bits), got, c.want)
		}
	}
}
