package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDotF16RowsMatchesGo checks DotF16Rows against the Go row product on
// every kernel set: 0 to 13 rows and a larger count, rows packed tight
// and with a gap between them, lengths that end in a whole step of the
// four-row kernel, leave a tail, or are shorter than a step; and that a
// piece too short for its rows is refused.
func TestDotF16RowsMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	sets := []struct {
		name       string
		avx2, vnni bool
	}{{"go", false, false}}
	if hasAVX2 {
		sets = append(sets, struct {
			name       string
			avx2, vnni bool
		}{"avx2", true, false})
	}
	defer selectKernels(hasAVX2, hasVNNI)
	for _, ks := range sets {
		selectKernels(ks.avx2, ks.vnni)
		for _, n := range []int{1, 7, 31, 32, 72, 256, 256 + 24} {
			for _, gap := range []int{0, 6} {
				stride := 2*n + gap
				for _, rows := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 61} {
					w := make([]byte, max(0, (rows-1)*stride+2*n))
					for i := 0; i+1 < len(w); i += 2 {
						h := F32ToF16(float32(rng.NormFloat64()))
						w[i], w[i+1] = byte(h), byte(h>>8)
					}
					x := randomVectors(n, rng)
					out := make([]float32, rows)
					DotF16Rows(out, w, stride, x)
					for r := range out {
						v := actVec{f: x}
						want := dotF16Go(w[r*stride:r*stride+2*n], &v)
						var mag float64
						for i, xv := range x {
							mag += math.Abs(float64(F16ToF32(uint16(w[r*stride+2*i])|uint16(w[r*stride+2*i+1])<<8)) * float64(xv))
						}
						if math.Abs(float64(out[r]-want)) > dotTol*mag+1e-6 {
							t.Fatalf("%s: %d rows of %d (stride %d), row %d: %g, Go %g", ks.name, rows, n, stride, r, out[r], want)
						}
					}
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("rows past the end of the piece were not refused")
		}
	}()
	DotF16Rows(make([]float32, 3), make([]byte, 2*64+2*32-1), 64, make([]float32, 32))
}
