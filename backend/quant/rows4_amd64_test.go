package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRowRangesMatchGo runs DotRows over every range of a 13-row matrix of
// each type with assembly kernels, on every kernel set: the four-row
// kernels take the range in quarters and the one to three rows left over
// one by one. Each product must match the Go kernel's and no output
// outside the range may be written. Widths of one, three and eight
// super-blocks (or 32-value blocks) cover rows that end at every point of
// the kernels' loops.
func TestRowRangesMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const rows = 13
	for _, ks := range kernelSets(t) {
		selectKernels(ks.avx2, ks.vnni)
		for typ := range fast {
			be := typ.BlockElems()
			for _, cols := range []int{be * 8 * max(1, 32/be), be, 3 * be} {
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
				out := make([]float32, rows)
				for r0 := 0; r0 <= rows; r0++ {
					for r1 := r0; r1 <= rows; r1++ {
						for i := range out {
							out[i] = float32(math.NaN())
						}
						m.DotRows(r0, r1, a, out)
						for r, got := range out {
							if r < r0 || r >= r1 {
								if !math.IsNaN(float64(got)) {
									t.Fatalf("%s %s cols %d rows %d..%d: wrote row %d", ks.name, typ, cols, r0, r1, r)
								}
							} else if math.Abs(float64(got)-want[r]) > tol[r] {
								t.Fatalf("%s %s cols %d rows %d..%d: row %d %g, Go %g", ks.name, typ, cols, r0, r1, r, got, want[r])
							}
						}
					}
				}
			}
		}
	}
}
