package attn

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"sidecar/backend/quant"
)

// sets runs f with each kernel set this CPU has, the Go one first.
func sets(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer selectKernels(Kernels())
	for _, name := range available() {
		selectKernels(name)
		if Kernels() != name {
			t.Fatalf("kernels %q, want %q", Kernels(), name)
		}
		t.Run(name, f)
	}
}

func randF16(rng *rand.Rand, n int, sd float64) ([]uint16, []float64) {
	h, f := make([]uint16, n), make([]float64, n)
	for i := range h {
		h[i] = quant.F32ToF16(float32(rng.NormFloat64() * sd))
		f[i] = float64(quant.F16ToF32(h[i]))
	}
	return h, f
}

func randF32(rng *rand.Rand, n int, sd float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * sd)
	}
	return v
}

// shapes are the head sizes and position counts tested: multiples of 16
// (the assembly's step) and not, positions around multiples of four (the
// softmax's step) and long runs.
var (
	headSizes = []int{16, 32, 48, 64, 80, 96, 128, 256, 24, 8}
	positions = []int{1, 2, 3, 4, 5, 7, 8, 17, 64, 301}
)

// guard returns a slice of n values with sentinels after it, and a check
// that the sentinels are intact.
func guard(n int) ([]float32, func(t *testing.T)) {
	b := make([]float32, n+16)
	for i := n; i < len(b); i++ {
		b[i] = 12345
	}
	return b[:n], func(t *testing.T) {
		t.Helper()
		for i := n; i < len(b); i++ {
			if b[i] != 12345 {
				t.Fatalf("wrote past the end, at %d", i-n)
			}
		}
	}
}

func TestScoresMatchFloat64(t *testing.T) {
	sets(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		for _, hd := range headSizes {
			for _, n := range positions {
				k, kf := randF16(rng, n*hd, 1)
				q := randF32(rng, 4*hd, 1)
				sc, intact := guard(4 * n)
				Scores(sc, k, q, n, hd)
				intact(t)
				kf32 := make([]float32, len(kf))
				for i, x := range kf {
					kf32[i] = float32(x)
				}
				sc32 := make([]float32, 4*n)
				Scores(sc32, kf32, q, n, hd)
				for j := 0; j < n; j++ {
					for h := 0; h < 4; h++ {
						var want, mag float64
						for d := 0; d < hd; d++ {
							want += float64(q[h*hd+d]) * kf[j*hd+d]
							mag += math.Abs(float64(q[h*hd+d]) * kf[j*hd+d])
						}
						tol := 1e-6 * mag
						if got := float64(sc[4*j+h]); math.Abs(got-want) > tol {
							t.Fatalf("hd %d n %d pos %d head %d: F16 %g, want %g", hd, n, j, h, got, want)
						}
						if got := float64(sc32[4*j+h]); math.Abs(got-want) > tol {
							t.Fatalf("hd %d n %d pos %d head %d: F32 %g, want %g", hd, n, j, h, got, want)
						}
					}
				}
			}
		}
	})
}

func TestSoftmaxMatchesFloat64(t *testing.T) {
	sets(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(2))
		for _, n := range positions {
			for _, scale := range []float32{0.125, 1, 3} {
				sc, intact := guard(4 * n)
				for i := range sc {
					sc[i] = float32(rng.NormFloat64() * 8)
				}
				if n > 2 {
					sc[5] = -1e30 // far below: its weight is (about) nothing
				}
				in := append([]float32(nil), sc...)
				sum := Softmax(sc, n, scale)
				intact(t)
				for h := 0; h < 4; h++ {
					mx := math.Inf(-1)
					for j := 0; j < n; j++ {
						mx = math.Max(mx, float64(in[4*j+h]))
					}
					var wantSum float64
					for j := 0; j < n; j++ {
						x := float64(in[4*j+h])*float64(scale) - mx*float64(scale)
						want := math.Exp(x)
						wantSum += want
						got := float64(sc[4*j+h])
						// The products scale·s and scale·max are rounded to
						// float32 first: x is off by up to half an ulp of
						// each and of their difference, and e^x relatively by that.
						arg := math.Abs(float64(in[4*j+h])*float64(scale)) + math.Abs(mx*float64(scale))
						tol := want * (4e-7 + (arg+math.Abs(x))*6e-8) // and x itself rounded
						if x < -87 {
							tol = 1e-37
						}
						if math.Abs(got-want) > tol {
							t.Fatalf("n %d scale %g pos %d head %d: %g, want %g (x %g)", n, scale, j, h, got, want, x)
						}
					}
					if got := float64(sum[h]); math.Abs(got-wantSum) > 1e-5*wantSum {
						t.Fatalf("n %d scale %g head %d: sum %g, want %g", n, scale, h, got, wantSum)
					}
				}
			}
		}
	})
}

func TestValuesMatchFloat64(t *testing.T) {
	sets(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(3))
		for _, hd := range headSizes {
			for _, n := range positions {
				v, vf := randF16(rng, n*hd, 1)
				p := randF32(rng, 4*n, 1)
				o, intact := guard(4 * hd)
				start := randF32(rng, 4*hd, 1)
				copy(o, start)
				Values(o, v, p, n, hd)
				intact(t)
				vf32 := make([]float32, len(vf))
				for i, x := range vf {
					vf32[i] = float32(x)
				}
				o32 := append([]float32(nil), start...)
				Values(o32, vf32, p, n, hd)
				for h := 0; h < 4; h++ {
					for d := 0; d < hd; d++ {
						want, mag := float64(start[h*hd+d]), math.Abs(float64(start[h*hd+d]))
						for j := 0; j < n; j++ {
							want += float64(p[4*j+h]) * vf[j*hd+d]
							mag += math.Abs(float64(p[4*j+h]) * vf[j*hd+d])
						}
						tol := 1e-6 * mag
						if got := float64(o[h*hd+d]); math.Abs(got-want) > tol {
							t.Fatalf("hd %d n %d head %d value %d: F16 %g, want %g", hd, n, h, d, got, want)
						}
						if got := float64(o32[h*hd+d]); math.Abs(got-want) > tol {
							t.Fatalf("hd %d n %d head %d value %d: F32 %g, want %g", hd, n, h, d, got, want)
						}
					}
				}
			}
		}
	})
}

// TestStoreRoundsAsF32ToF16 checks the conversion into the cache against
// quant's round-to-nearest-even, on every length up to two vectors and on
// values that round up, to even, to subnormals and to infinity.
func TestStoreRoundsAsF32ToF16(t *testing.T) {
	sets(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(4))
		special := []float32{0, -0.0, 1, 1.0009765625 + 1.0/4096, 1.00048828125, 6e-5, 6e-8, 3e-8, -2.9e-8, 65504, 65520, 1e6, -1e6, float32(math.Inf(1))}
		for n := 0; n <= 40; n++ {
			src := randF32(rng, n, 100)
			for i := range src {
				if i < len(special) && n > 20 {
					src[i] = special[i]
				}
			}
			dst := make([]uint16, n+4)
			for i := range dst {
				dst[i] = 0xabcd
			}
			Store(dst[:n], src)
			for i, x := range src {
				if want := quant.F32ToF16(x); dst[i] != want {
					t.Fatalf("n %d: %g stored as %#04x, want %#04x", n, x, dst[i], want)
				}
			}
			for i := n; i < len(dst); i++ {
				if dst[i] != 0xabcd {
					t.Fatalf("n %d: wrote past the end", n)
				}
			}
		}
		f := make([]float32, 3)
		Store(f, []float32{1, 2, 3})
		if f[2] != 3 {
			t.Fatalf("float32 store: %v", f)
		}
	})
}

func TestExp(t *testing.T) {
	var worst float64
	for x := float32(-87); x <= 0; x += 0.0037 {
		got, want := float64(Exp(x)), math.Exp(float64(x))
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Fatalf("worst relative error %g", worst)
	}
	if Exp(0) != 1 {
		t.Fatalf("Exp(0) = %g", Exp(0))
	}
	if e := Exp(-1000); e > 1e-37 || e < 0 {
		t.Fatalf("Exp(-1000) = %g", e)
	}
}

// BenchmarkAttend measures one KV head's attention for four query heads
// over a long context and reports the rate the cache is read at.
func BenchmarkAttend(b *testing.B) {
	for _, n := range []int{64, 4096} {
		const hd = 64
		rng := rand.New(rand.NewSource(5))
		k, _ := randF16(rng, n*hd, 1)
		v, _ := randF16(rng, n*hd, 1)
		q := randF32(rng, 4*hd, 0.2)
		sc, o := make([]float32, 4*n), make([]float32, 4*hd)
		for _, set := range available() {
			b.Run(fmt.Sprintf("%s/ctx%d", set, n), func(b *testing.B) {
				defer selectKernels(Kernels())
				selectKernels(set)
				b.SetBytes(int64(4 * n * hd)) // K and V, two bytes each
				for b.Loop() {
					Scores(sc, k, q, n, hd)
					Softmax(sc, n, 0.125)
					clear(o)
					Values(o, v, sc, n, hd)
				}
			})
		}
	}
}

// BenchmarkAttendCache measures a whole token's attention at context 4,096
// in a 1B Llama's shape (16 layers × 8 KV heads, 4 query heads each,
// heads of 64): 128 MiB of cache, read from memory rather than from the
// CPU's caches, one KV head after the other.
func BenchmarkAttendCache(b *testing.B) {
	const n, hd, heads = 4096, 64, 16 * 8
	rng := rand.New(rand.NewSource(6))
	k, _ := randF16(rng, heads*n*hd, 1)
	v, _ := randF16(rng, heads*n*hd, 1)
	q := randF32(rng, 4*hd, 0.2)
	sc, o := make([]float32, 4*n), make([]float32, 4*hd)
	for _, set := range available() {
		b.Run(set, func(b *testing.B) {
			defer selectKernels(Kernels())
			selectKernels(set)
			b.SetBytes(int64(len(k)+len(v)) * 2)
			for b.Loop() {
				for h := 0; h < heads; h++ {
					Scores(sc, k[h*n*hd:(h+1)*n*hd], q, n, hd)
					Softmax(sc, n, 0.125)
					clear(o)
					Values(o, v[h*n*hd:(h+1)*n*hd], sc, n, hd)
				}
			}
		})
	}
}
