package quant

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelTypes are the weight types with products.
var kernelTypes = []Type{F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS}

// scaleOffsets are where each block keeps its half-precision scales.
var scaleOffsets = map[Type][]int{
	Q8_0: {0}, Q4_0: {0}, Q4_1: {0, 2}, Q5_0: {0}, Q5_1: {0, 2}, IQ4_NL: {0},
	Q2_K: {80, 82}, Q3_K: {108}, Q4_K: {0, 2}, Q5_K: {0, 2}, Q6_K: {208}, IQ4_XS: {0},
}

// randomMatrix fills rows×cols of t with random bits, every value field
// random and the scales random but finite, so every bit of every field is
// exercised.
func randomMatrix(t testing.TB, typ Type, rows, cols int, rng *rand.Rand) Matrix {
	t.Helper()
	rb, err := typ.RowBytes(int64(cols))
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, int64(rows)*rb)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	half := func() uint16 { return F32ToF16(float32(rng.NormFloat64() * 0.01)) }
	switch typ {
	case F32:
		for i := 0; i < len(data); i += 4 {
			binary.LittleEndian.PutUint32(data[i:], math.Float32bits(float32(rng.NormFloat64())))
		}
	case F16:
		for i := 0; i < len(data); i += 2 {
			binary.LittleEndian.PutUint16(data[i:], F32ToF16(float32(rng.NormFloat64())))
		}
	case BF16:
		for i := 0; i < len(data); i += 2 {
			binary.LittleEndian.PutUint16(data[i:], uint16(math.Float32bits(float32(rng.NormFloat64()))>>16))
		}
	default:
		bs := typ.BlockBytes()
		for b := 0; b < len(data); b += bs {
			for _, off := range scaleOffsets[typ] {
				binary.LittleEndian.PutUint16(data[b+off:], half())
			}
		}
	}
	m, err := NewMatrix(typ, rows, cols, data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func randomVectors(n int, rng *rand.Rand) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		if i%61 == 0 {
			x[i] *= 8
		}
	}
	return x
}

// dequantizedActs returns vector v of a as the floats its quantized
// values stand for.
func dequantizedActs(a *Acts, v int) []float64 {
	x := a.vec(v)
	out := make([]float64, a.cols)
	for i := range out {
		switch a.kind {
		case F32:
			out[i] = float64(x.f[i])
		case Q8_0:
			out[i] = float64(x.d[i/32]) * float64(x.qs[i])
		case Q8_K:
			out[i] = float64(x.d[i/256]) * float64(x.qs[i])
		}
	}
	return out
}

// refDot is row r · vector v in float64 from the dequantized weights and
// activations, and Σ|w·x| to scale the tolerance by.
func refDot(m Matrix, r int, a *Acts, v int) (dot, mag float64) {
	w := make([]float32, m.cols)
	m.DequantizeRow(r, w)
	x := dequantizedActs(a, v)
	for i, wi := range w {
		dot += float64(wi) * x[i]
		mag += math.Abs(float64(wi) * x[i])
	}
	return dot, mag
}

// The float32 sums of block products are the only rounding, so 1e-5 of
// Σ|w·x| is ample and still catches any value read wrongly.
const dotTol = 1e-5

func TestGoDotsMatchFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, typ := range kernelTypes {
		t.Run(typ.String(), func(t *testing.T) {
			cols := 512
			m := randomMatrix(t, typ, 7, cols, rng)
			a, err := NewActs(typ, cols, 3)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Set(randomVectors(3*cols, rng)); err != nil {
				t.Fatal(err)
			}
			out := make([]float32, 3*m.Rows())
			m.MulRows(0, m.Rows(), a, out, m.Rows())
			for v := 0; v < 3; v++ {
				for r := 0; r < m.Rows(); r++ {
					want, mag := refDot(m, r, a, v)
					got := out[v*m.Rows()+r]
					if math.Abs(float64(got)-want) > dotTol*mag {
						t.Errorf("vector %d row %d: got %g, want %g (Σ|wx| %g)", v, r, got, want, mag)
					}
					if d := m.Dot(r, a); v == 0 && math.Abs(float64(got-d)) > dotTol*mag {
						t.Errorf("row %d: MulRows %g, Dot %g", r, got, d)
					}
				}
			}
		})
	}
}

// TestActsMatchGGML checks the activation quantizers against ggml's
// reference ones, bit for bit.
func TestActsMatchGGML(t *testing.T) {
	x := floatsOf(readFixture(t, "act.f32"))
	for _, c := range []struct {
		wt   Type
		file string
		bs   int
	}{{Q4_0, "act.q8_0", 34}, {Q4_K, "act.q8_k", 292}} {
		a, err := NewActs(c.wt, len(x), 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Set(x); err != nil {
			t.Fatal(err)
		}
		want := readFixture(t, c.file)
		got := make([]byte, len(want))
		for b := 0; b < a.nb; b++ {
			blk := got[b*c.bs:]
			if c.bs == 34 {
				binary.LittleEndian.PutUint16(blk, F32ToF16(a.d[b]))
				for j := 0; j < 32; j++ {
					blk[2+j] = byte(a.qs[32*b+j])
				}
				continue
			}
			binary.LittleEndian.PutUint32(blk, math.Float32bits(a.d[b]))
			for j := 0; j < 256; j++ {
				blk[4+j] = byte(a.qs[256*b+j])
			}
			for j := 0; j < 16; j++ {
				binary.LittleEndian.PutUint16(blk[260+2*j:], uint16(a.bsums[16*b+j]))
			}
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s byte %d: got %#02x, want %#02x", c.file, i, got[i], want[i])
				break
			}
		}
	}
}

// TestDotsMatchGGML compares with ggml's own row products (its CPU
// kernels, activations quantized by ggml) on the fixture rows. ggml rounds
// its Q8_1 block sums and F16 activations to half precision, so the
// tolerance is wider than against float64.
func TestDotsMatchGGML(t *testing.T) {
	x := floatsOf(readFixture(t, "act.f32"))
	for _, typ := range kernelTypes {
		t.Run(typ.String(), func(t *testing.T) {
			m, err := NewMatrix(typ, fixtureRows, fixtureCols, readFixture(t, fixtureName(typ)+".blocks"))
			if err != nil {
				t.Fatal(err)
			}
			want := floatsOf(readFixture(t, fixtureName(typ)+".dot.f32"))
			a, err := NewActs(typ, fixtureCols, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Set(x); err != nil {
				t.Fatal(err)
			}
			out := make([]float32, fixtureRows)
			m.DotRows(0, fixtureRows, a, out)
			for r := range out {
				if typ == F16 || typ == BF16 {
					// Rows of raw bit patterns (NaN, infinity, subnormals):
					// only agreement in kind is meaningful.
					if math.IsNaN(float64(out[r])) != math.IsNaN(float64(want[r])) {
						t.Errorf("row %d: got %g, want %g", r, out[r], want[r])
					}
					continue
				}
				_, mag := refDot(m, r, a, 0)
				if d := math.Abs(float64(out[r] - want[r])); d > 2e-3*mag {
					t.Errorf("row %d: got %g, ggml %g (Σ|wx| %g)", r, out[r], want[r], mag)
				}
			}
		})
	}
}

func TestActsRefuseBadShapes(t *testing.T) {
	if _, err := NewActs(Q4_K, 100, 1); err == nil {
		t.Error("100 columns of Q4_K accepted")
	}
	if _, err := NewActs(IQ2_XXS, 256, 1); err == nil {
		t.Error("type without kernels accepted")
	}
	if _, err := NewActs(Q8_0, 64, 0); err == nil {
		t.Error("zero vectors accepted")
	}
	if _, err := NewActs(Q8_0, 1<<20, 1<<12); err == nil {
		t.Error("2^32 values accepted")
	}
	a, err := NewActs(Q8_0, 64, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 63, 65, 192} {
		if err := a.Set(make([]float32, n)); err == nil {
			t.Errorf("%d values accepted", n)
		}
	}
	if _, err := NewMatrix(Q8_0, 2, 64, make([]byte, 135)); err == nil {
		t.Error("short matrix accepted")
	}
	if _, err := NewMatrix(Q8_0, 1<<40, 64, nil); err == nil {
		t.Error("huge matrix accepted")
	}
}

// TestMulRowsAcrossBlocks covers a row range that spans several of the
// batched products' row blocks, starting and ending inside one, with a
// batch whose last group of four is partial.
func TestMulRowsAcrossBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	defer func(b int) { blockBytes = b }(blockBytes)
	blockBytes = 8 << 10
	for _, typ := range []Type{Q4_K, Q6_K, Q8_0, Q4_0, F16} {
		const rows, cols, vecs = 50, 1024, 6
		m := randomMatrix(t, typ, rows, cols, rng)
		if m.blockRows() >= rows/2 {
			t.Fatalf("%s: %d rows per block: the test wants several blocks", typ, m.blockRows())
		}
		a, err := NewActs(typ, cols, vecs)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Set(randomVectors(vecs*cols, rng)); err != nil {
			t.Fatal(err)
		}
		out := make([]float32, vecs*rows)
		m.MulRows(3, rows-1, a, out, rows)
		xs := make([][]float64, vecs)
		for v := range xs {
			xs[v] = dequantizedActs(a, v)
		}
		w := make([]float32, cols)
		for r := 0; r < rows; r++ {
			m.DequantizeRow(r, w)
			for v := 0; v < vecs; v++ {
				x := a.vec(v)
				got := out[v*rows+r]
				if r < 3 || r == rows-1 {
					if got != 0 {
						t.Fatalf("%s: row %d outside the range written", typ, r)
					}
					continue
				}
				want := goDots[typ](m.Row(r), &x)
				mag := 0.0
				for i, wi := range w {
					mag += math.Abs(float64(wi) * xs[v][i])
				}
				if math.Abs(float64(got-want)) > dotTol*mag {
					t.Errorf("%s vector %d row %d: %g, Go %g", typ, v, r, got, want)
				}
			}
		}
	}
}
