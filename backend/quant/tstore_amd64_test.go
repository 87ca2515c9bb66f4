package quant

import (
	"math/rand/v2"
	"testing"
)

// TestStoreByVector checks the transposed store against the plain loop
// for every count of vectors and rows, both row strides in use, and that
// nothing else in dst is written.
func TestStoreByVector(t *testing.T) {
	if !hasVNNI {
		t.Skip("no AVX-512 on this CPU (or SIDECAR_KERNELS set)")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	for _, sstride := range []int{16, 32} {
		src := make([]float32, 15*sstride+16)
		for i := range src {
			src[i] = rng.Float32()
		}
		const ldo = 37
		for nv := 1; nv <= 16; nv++ {
			for nr := 1; nr <= 16; nr++ {
				dst := make([]float32, 16*ldo)
				for i := range dst {
					dst[i] = -1
				}
				storeByVector(src, sstride, dst, ldo, nv, nr)
				for v := 0; v < 16; v++ {
					for k := 0; k < ldo; k++ {
						want := float32(-1)
						if v < nv && k < nr {
							want = src[k*sstride+v]
						}
						if got := dst[v*ldo+k]; got != want {
							t.Fatalf("stride %d, %d vectors, %d rows: dst[%d][%d] = %g, want %g", sstride, nv, nr, v, k, got, want)
						}
					}
				}
			}
		}
	}
}
