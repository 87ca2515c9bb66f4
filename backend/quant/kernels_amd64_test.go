package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kernelSets are the kernel sets this CPU can run, each selected in turn.
func kernelSets(t testing.TB) []struct {
	name       string
	avx2, vnni bool
} {
	sets := []struct {
		name       string
		avx2, vnni bool
	}{}
	if hasAVX2 {
		sets = append(sets, struct {
			name       string
			avx2, vnni bool
		}{"avx2", true, false})
	}
	if hasVNNI {
		sets = append(sets, struct {
			name       string
			avx2, vnni bool
		}{"vnni", true, true})
	}
	if len(sets) == 0 {
		t.Skip("no assembly kernels on this CPU (or SIDECAR_KERNELS=go)")
	}
	t.Cleanup(func() { selectKernels(hasAVX2, hasVNNI) })
	return sets
}

// TestAsmKernelsMatchGo checks every assembly row product against the Go
// one on random blocks, for odd row counts and, for F16 and F32, widths
// that leave tails; rows, ranges and batches alike.
func TestAsmKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, ks := range kernelSets(t) {
		selectKernels(ks.avx2, ks.vnni)
		for typ := range asmDots {
			widths := []int{typ.BlockElems() * 32, 2048}
			if typ.BlockElems() == 1 {
				widths = []int{8, 40, 71, 2048 + 24}
			} else if typ.BlockElems() == 32 {
				widths = append(widths, 32, 96, 224)
			} else {
				widths = append(widths, 256)
			}
			for _, cols := range widths {
				m := randomMatrix(t, typ, 7, cols, rng)
				a, err := NewActs(typ, cols, 5)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Set(randomVectors(5*cols, rng)); err != nil {
					t.Fatal(err)
				}
				batch := make([]float32, 5*8)
				m.MulRows(1, 6, a, batch, 8)
				rows := make([]float32, 7)
				m.DotRows(0, 7, a, rows)
				for v := 0; v < 5; v++ {
					x := a.vec(v)
					for r := 0; r < 7; r++ {
						want := goDots[typ](m.Row(r), &x)
						_, mag := refDot(m, r, a, v)
						tol := dotTol * mag
						if r >= 1 && r < 6 {
							if got := batch[v*8+r]; math.Abs(float64(got-want)) > tol {
								t.Errorf("%s %s cols %d vector %d row %d: batch %g, Go %g", ks.name, typ, cols, v, r, got, want)
							}
						} else if batch[v*8+r] != 0 {
							t.Errorf("%s %s: batch wrote row %d outside its range", ks.name, typ, r)
						}
						if got := rows[r]; v == 0 && math.Abs(float64(got-want)) > tol {
							t.Errorf("%s %s cols %d row %d: %g, Go %g", ks.name, typ, cols, r, got, want)
						}
					}
				}
			}
		}
	}
}
