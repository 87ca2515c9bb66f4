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
