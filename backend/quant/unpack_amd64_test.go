package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestUnpackAsmMatchesGo checks the assembly row unpackers (unsigned and
// signed Q8_0, Q4_0 and Q6_K, and Q4_K) against the Go ones byte for
// byte, scale for scale, for every slot of 4- and 16-row tiles, widths of
// one unit up to a wide model's, and scales of every kind of half float
// (subnormal, infinite, NaN), on tiles that start full of other bytes so
// that a write in the wrong place shows.
func TestUnpackAsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 and F16C")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		name      string
		size, per int // bytes and 32-value blocks of a row's unit
		goF, asmF unpackRow
	}{
		{"Q8_0", 34, 1, unpackQ8_0, unpackQ8_0Asm}, {"Q4_0", 18, 1, unpackQ4_0, unpackQ4_0Asm},
		{"Q8_0 signed", 34, 1, unpackQ8_0S, unpackQ8_0SAsm}, {"Q4_0 signed", 18, 1, unpackQ4_0S, unpackQ4_0SAsm},
		{"Q4_K", 144, 8, unpackQ4K, unpackQ4KAsm},
		{"Q6_K", 210, 8, unpackQ6K, unpackQ6KAsm}, {"Q6_K signed", 210, 8, unpackQ6KS, unpackQ6KSAsm},
	} {
		for _, nb := range []int{1, 2, 3, 7, 64, 128, 513} {
			row := make([]byte, nb*c.size)
			for i := range row {
				row[i] = byte(r.Uint32())
			}
			halves := []uint16{0x0001, 0x03ff, 0x7c00, 0xfc00, 0x7e01, 0x8000, 0x3c00, 0xbc00}
			for b := 0; b < nb; b++ {
				h := uint16(r.Uint32())
				if b < len(halves) {
					h = halves[b]
				}
				row[b*c.size], row[b*c.size+1] = byte(h), byte(h>>8)
				if c.size == 144 { // Q4_K's dmin too
					h = halves[(b+3)%len(halves)]
					row[b*c.size+2], row[b*c.size+3] = byte(h), byte(h>>8)
				}
				if c.size == 210 { // Q6_K's d is at the end
					row[b*c.size+208], row[b*c.size+209] = row[b*c.size], row[b*c.size+1]
				}
			}
			for _, n := range []int{4, 16} {
				for k := 0; k < n; k++ {
					wantW, gotW := make([]byte, 32*n*nb*c.per), make([]byte, 32*n*nb*c.per)
					wantS, gotS := make([]float32, 4*n*nb*c.per), make([]float32, 4*n*nb*c.per)
					for i := range wantW {
						wantW[i] = byte(i*7 + 3)
						gotW[i] = wantW[i]
					}
					for i := range wantS {
						wantS[i] = float32(i) + 0.5
						gotS[i] = wantS[i]
					}
					c.goF(row, k, n, wantW, wantS)
					c.asmF(row, k, n, gotW, gotS)
					for i := range wantW {
						if gotW[i] != wantW[i] {
							t.Fatalf("%s %d blocks, slot %d of %d: byte %d is %#x, want %#x", c.name, nb, k, n, i, gotW[i], wantW[i])
						}
					}
					for i := range wantS {
						g, w := gotS[i], wantS[i]
						if g != w && !(math.IsNaN(float64(g)) && math.IsNaN(float64(w))) {
							t.Fatalf("%s %d blocks, slot %d of %d: scale %d is %v, want %v", c.name, nb, k, n, i, g, w)
						}
					}
				}
			}
		}
	}
}
