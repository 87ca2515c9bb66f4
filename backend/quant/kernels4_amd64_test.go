package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestStreamsMatchGo checks the four-row generation kernels against the
// Go row products: shares of every size from 0 to 13 rows and a large
// one, at every offset, on widths that end in a whole step, in leftover
// blocks (Q4_0, Q8_0) or values (F16), and that are narrower than a step.
func TestStreamsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, ks := range kernelSets(t) {
		selectKernels(ks.avx2, ks.vnni)
		if len(streams) == 0 {
			t.Fatalf("%s: no four-row kernels selected", ks.name)
		}
		for typ := range streams {
			widths := []int{32, 96, 128, 160, 224, 2048, 2048 + 96}
			if typ == F16 {
				widths = []int{8, 31, 32, 72, 2048, 2048 + 24}
			}
			for _, cols := range widths {
				const rows = 61
				m := randomMatrix(t, typ, rows, cols, rng)
				a, err := NewActs(typ, cols, 1)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Set(randomVectors(cols, rng)); err != nil {
					t.Fatal(err)
				}
				x := a.vec(0)
				want := make([]float64, rows)
				tol := make([]float64, rows)
				for r := range want {
					want[r] = float64(goDots[typ](m.Row(r), &x))
					_, mag := refDot(m, r, a, 0)
					tol[r] = dotTol * mag
				}
				shares := [][2]int{{0, rows}, {3, 60}}
				for n := 0; n <= 13; n++ {
					for r0 := 0; r0+n <= 17; r0 += 5 {
						shares = append(shares, [2]int{r0, r0 + n})
					}
				}
				for _, s := range shares {
					out := make([]float32, rows)
					for i := range out {
						out[i] = float32(math.NaN())
					}
					m.DotRows(s[0], s[1], a, out)
					for r, got := range out {
						inside := r >= s[0] && r < s[1]
						switch {
						case !inside && !math.IsNaN(float64(got)):
							t.Fatalf("%s %s cols %d rows %d..%d: wrote row %d outside the share", ks.name, typ, cols, s[0], s[1], r)
						case inside && !(math.Abs(float64(got)-want[r]) <= tol[r]):
							t.Fatalf("%s %s cols %d rows %d..%d: row %d = %g, Go %g", ks.name, typ, cols, s[0], s[1], r, got, want[r])
						}
					}
				}
			}
		}
	}
}
