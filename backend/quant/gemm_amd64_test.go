package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmMatchesGo checks the int8 (VNNI and, where the CPU has it, AMX)
// and float batched products against the Go row products and the float64
// product of the dequantized values, for batches that fill 16-vector
// groups partly, row ranges that start and end off the 4- and 16-row
// tiles, and widths of one block up to a model's, with one Acts
// shared by Q4_K and Q6_K as a model's layers share it.
func TestGemmMatchesGo(t *testing.T) {
	if !hasVNNI {
		t.Skip("no AVX-512 VNNI on this CPU (or SIDECAR_KERNELS set)")
	}
	defer selectKernels(hasAVX2, hasVNNI)
	defer forceGemm()()
	for _, amx := range []bool{false, true} {
		if amx && !hasAMX {
			t.Log("no AMX int8 tiles here: VNNI kernels only")
			continue
		}
		selectKernels(true, true)
		useAMX = amx
		testGemm(t)
	}
}

// forceGemm sends every batch the packed product takes to it, whatever
// the type's gemmFrom, until the returned restore runs (kernels selected
// after it see the change).
func forceGemm() (restore func()) {
	saved := gemmFrom
	gemmFrom = map[Type]int{}
	return func() { gemmFrom = saved }
}

// TestBatchRoutes checks batches around each type's threshold: they are
// packed for every product they may take (both, from gemmMinBatch up to
// gemmFromMax), and the product gemmFrom picks for each type gives the Go
// row products, also when one Acts serves Q4_K and Q6_K, whose thresholds
// are apart.
func TestBatchRoutes(t *testing.T) {
	if !hasVNNI {
		t.Skip("no AVX-512 VNNI on this CPU (or SIDECAR_KERNELS set)")
	}
	defer selectKernels(hasAVX2, hasVNNI)
	selectKernels(true, true)
	rng := rand.New(rand.NewPCG(11, 12))
	const rows, cols = 9, 512
	for _, types := range [][]Type{{Q4_0, Q8_0}, {Q4_K, Q6_K}} {
		a, err := NewActs(types[0], cols, gemmFromMax+1)
		if err != nil {
			t.Fatal(err)
		}
		ns := []int{2, gemmMinBatch - 1, gemmMinBatch, gemmFromMax - 1, gemmFromMax}
		for _, typ := range types {
			ns = append(ns, gemmFrom[typ]-1, gemmFrom[typ])
		}
		for _, n := range ns {
			if err := a.Set(randomVectors(n*cols, rng)); err != nil {
				t.Fatal(err)
			}
			if gemm, four := a.gemmGroups > 0, a.pk4.groups > 0; gemm != (n >= gemmMinBatch) || four != (n < gemmFromMax) {
				t.Fatalf("%v, %d vectors: packed for the tiles %v, for the four-vector kernels %v", types, n, gemm, four)
			}
			for _, typ := range types {
				if from := gemmFrom[typ]; from < gemmMinBatch || from > gemmFromMax {
					t.Fatalf("%s: gemmFrom %d outside %d..%d", typ, from, gemmMinBatch, gemmFromMax)
				}
				m := randomMatrix(t, typ, rows, cols, rng)
				out := make([]float32, n*rows)
				m.MulRows(0, rows, a, out, rows)
				for v := 0; v < n; v++ {
					x := a.vec(v)
					for r := 0; r < rows; r++ {
						got, want := out[v*rows+r], goDots[typ](m.Row(r), &x)
						ref, mag := refDot(m, r, a, v)
						if math.Abs(float64(got-want)) > dotTol*mag || math.Abs(float64(got)-ref) > dotTol*mag {
							t.Errorf("%s, %d vectors (tiles from %d), vector %d row %d: %g, Go %g, float64 %g", typ, n, gemmFrom[typ], v, r, got, want, ref)
						}
					}
				}
			}
		}
	}
}

func testGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const rows, ldo, r0, r1 = 37, 40, 1, 35
	for _, c := range []struct {
		types []Type
		cols  []int
	}{
		{[]Type{Q4_0, Q8_0}, []int{32, 96, 224, 2048}},
		{[]Type{Q4_K, Q6_K}, []int{256, 768, 2048}},
		{[]Type{F16, F32}, []int{16, 48, 2064}}, // F32 keeps the row products
	} {
		for _, cols := range c.cols {
			for _, n := range []int{gemmMinBatch, 16, 17, 40} {
				a, err := NewActs(c.types[0], cols, 40)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Set(randomVectors(n*cols, rng)); err != nil {
					t.Fatal(err)
				}
				per := 16
				if c.types[0] == F16 {
					per = 32
				}
				if a.gemmGroups != (n+per-1)/per {
					t.Fatalf("%d vectors: %d groups packed, want %d", n, a.gemmGroups, (n+per-1)/per)
				}
				for _, typ := range c.types {
					m := randomMatrix(t, typ, rows, cols, rng)
					out := make([]float32, (n+1)*ldo)
					const sentinel = 12345
					for i := range out {
						out[i] = sentinel
					}
					m.MulRows(r0, r1, a, out, ldo)
					for v := 0; v <= n; v++ {
						for r := 0; r < ldo; r++ {
							got := out[v*ldo+r]
							if v == n || r < r0 || r >= r1 {
								if got != sentinel {
									t.Fatalf("%s cols %d: wrote vector %d row %d outside the product", typ, cols, v, r)
								}
								continue
							}
							x := a.vec(v)
							want := goDots[typ](m.Row(r), &x)
							ref, mag := refDot(m, r, a, v)
							if math.Abs(float64(got-want)) > dotTol*mag || math.Abs(float64(got)-ref) > dotTol*mag {
								t.Errorf("%s (AMX %v) cols %d, %d vectors, vector %d row %d: %g, Go %g, float64 %g", typ, useAMX, cols, n, v, r, got, want, ref)
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmSmallBatchesSkipPacking checks that batches below gemmMinBatch,
// every batch without VNNI and float vectors of a width the float product
// does not take are not packed (and still multiplied: TestAsmKernelsMatchGo).
func TestGemmSmallBatchesSkipPacking(t *testing.T) {
	defer selectKernels(hasAVX2, hasVNNI)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, vnni := range []bool{false, true} {
		selectKernels(hasAVX2, vnni && hasVNNI)
		f, err := NewActs(F16, 40, 16)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Set(randomVectors(16*40, rng)); err != nil || f.gemmGroups != 0 {
			t.Errorf("F16 activations of 40 values: error %v, %d groups packed", err, f.gemmGroups)
		}
		a, err := NewActs(Q4_K, 256, 16)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 16; n++ {
			if err := a.Set(randomVectors(n*256, rng)); err != nil {
				t.Fatal(err)
			}
			if want := n >= gemmMinBatch && vnni && hasVNNI; (a.gemmGroups > 0) != want {
				t.Errorf("vnni %v, %d vectors: packed %v, want %v", vnni, n, a.gemmGroups > 0, want)
			}
		}
	}
}
