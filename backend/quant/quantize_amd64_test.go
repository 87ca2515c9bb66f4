package quant

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQuantizeQ8KAsmMatchesGo checks the assembly Q8_K quantizer against
// the Go one bit for bit: random blocks of several magnitudes, ties that
// round to even, the largest magnitude twice with both signs (the first
// one sets the sign of the scale), at the last place, among NaNs, an
// infinity, negative zeros, all zeros, and a largest magnitude so small
// that the scale overflows (the Go version's result then too).
func TestQuantizeQ8KAsmMatchesGo(t *testing.T) {
	if !hasVNNI {
		t.Skip("no AVX-512 on this CPU (or SIDECAR_KERNELS set)")
	}
	blocks := normalBlocks(rand.New(rand.NewPCG(13, 14)), 256)
	ties := make([]float32, 256) // iscale = 1: halves round to even
	for i := range ties {
		ties[i] = float32(i%64) - 31.5
	}
	ties[7] = -127
	blocks = append(blocks, ties)
	twice := make([]float32, 256)
	twice[3], twice[200], twice[9] = 5, -5, 1.25
	blocks = append(blocks, twice, slices.Clone(twice))
	blocks[len(blocks)-1][3], blocks[len(blocks)-1][200] = -5, 5
	last := make([]float32, 256)
	for i := range last {
		last[i] = float32(i) / 300
	}
	last[255] = -9
	blocks = append(blocks, last)
	nan := slices.Clone(last)
	nan[0], nan[100], nan[255] = float32(math.NaN()), float32(math.NaN()), 2
	inf := slices.Clone(last)
	inf[30] = float32(math.Inf(-1))
	blocks = append(blocks, nan, inf)
	negZero := make([]float32, 256)
	for i := range negZero {
		negZero[i] = float32(math.Copysign(0, -1))
	}
	blocks = append(blocks, negZero, make([]float32, 256))
	tiny := make([]float32, 256)
	tiny[17], tiny[40] = math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32*3
	blocks = append(blocks, tiny)

	for i, x := range blocks {
		wq, gq := make([]int8, 256), make([]int8, 256)
		ws, gs := make([]int16, 16), make([]int16, 16)
		for j := range gq {
			gq[j], wq[j] = 99, 99
		}
		wd := quantizeQ8KGo(x, wq, ws)
		gd := quantizeQ8KAsm(x, gq, gs)
		if math.Float32bits(gd) != math.Float32bits(wd) || !slices.Equal(gq, wq) || !slices.Equal(gs, ws) {
			t.Errorf("block %d: asm d %g, sums %v, q %v\nGo d %g, sums %v, q %v", i, gd, gs, gq[:32], wd, ws, wq[:32])
		}
	}
}

// TestQuantizeQ8_0AsmMatchesGo checks the assembly Q8_0 quantizer against
// the Go one bit for bit over rows of blocks: random values of several
// magnitudes, halves (away from zero), the float just below one half,
// zeros, and blocks the assembly leaves to Go (a NaN, an infinity, a
// scale too small to invert) in the middle and at both ends of a row.
func TestQuantizeQ8_0AsmMatchesGo(t *testing.T) {
	if !hasVNNI {
		t.Skip("no AVX-512 on this CPU (or SIDECAR_KERNELS set)")
	}
	blocks := normalBlocks(rand.New(rand.NewPCG(15, 16)), 32)
	halves := make([]float32, 32) // amax 127: id = 1
	for i := range halves {
		halves[i] = float32(i) - 15.5
	}
	halves[0], halves[1], halves[2] = 127, math.Nextafter32(0.5, 0), -math.Nextafter32(0.5, 0)
	nan, inf, tiny := make([]float32, 32), make([]float32, 32), make([]float32, 32)
	nan[5], inf[31], tiny[9] = float32(math.NaN()), float32(math.Inf(1)), math.SmallestNonzeroFloat32
	blocks = append(blocks, halves, make([]float32, 32), nan, inf, tiny)
	rows := [][][]float32{blocks, {nan}, {nan, halves}, {halves, inf}, {tiny, blocks[0], nan, inf, blocks[1]}}
	for i, row := range rows {
		x := slices.Concat(row...)
		n := len(row)
		wq, gq := make([]int8, 32*n), make([]int8, 32*n)
		wd, gd, ws, gs := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		quantizeQ8_0BlocksGo(x, wq, wd, ws)
		quantizeQ8_0BlocksAsm(x, gq, gd, gs)
		for b := range n {
			if math.Float32bits(gd[b]) != math.Float32bits(wd[b]) || math.Float32bits(gs[b]) != math.Float32bits(ws[b]) ||
				!slices.Equal(gq[32*b:32*b+32], wq[32*b:32*b+32]) {
				t.Errorf("row %d block %d: asm d %g s %g q %v\nGo d %g s %g q %v", i, b, gd[b], gs[b], gq[32*b:32*b+32], wd[b], ws[b], wq[32*b:32*b+32])
			}
		}
	}
}

func BenchmarkQuantizeQ8_0(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 2048)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	q, d, s := make([]int8, 2048), make([]float32, 64), make([]float32, 64)
	for _, c := range []struct {
		name string
		f    func([]float32, []int8, []float32, []float32)
	}{{"go", quantizeQ8_0BlocksGo}, {"asm", quantizeQ8_0BlocksAsm}} {
		if c.name == "asm" && !hasVNNI {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.f(x, q, d, s)
			}
		})
	}
}

func BenchmarkQuantizeQ8K(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 256)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	q, s := make([]int8, 256), make([]int16, 16)
	for _, c := range []struct {
		name string
		f    func([]float32, []int8, []int16) float32
	}{{"go", quantizeQ8KGo}, {"asm", quantizeQ8KAsm}} {
		if c.name == "asm" && !hasVNNI {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.f(x, q, s)
			}
		})
	}
}

// normalBlocks is 100 blocks of size normal values, 20 at each magnitude
// from 1e-30 to 1e30.
func normalBlocks(rng *rand.Rand, size int) [][]float32 {
	var blocks [][]float32
	for _, scale := range []float64{1e-30, 1e-3, 1, 1e3, 1e30} {
		for range 20 {
			x := make([]float32, size)
			for i := range x {
				x[i] = float32(rng.NormFloat64() * scale)
			}
			blocks = append(blocks, x)
		}
	}
	return blocks
}
