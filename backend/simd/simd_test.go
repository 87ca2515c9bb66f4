package simd

import (
	"math"
	"math/rand"
	"testing"
)

// TestKernelsAgree checks the assembly kernels against the Go ones on
// lengths that leave tails of every size.
func TestKernelsAgree(t *testing.T) {
	if !Accelerated {
		t.Skip("no AVX2/FMA here: only the Go kernels run")
	}
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 100, 384, 1000, 4096} {
		a, b := make([]float32, n), make([]float32, 4*n+3)
		ai, bi := make([]int8, n), make([]int8, n)
		var mag float64
		for i := range a {
			a[i] = float32(rng.NormFloat64())
			ai[i], bi[i] = int8(rng.Intn(255)-127), int8(rng.Intn(255)-127)
		}
		for i := range b {
			b[i] = float32(rng.NormFloat64())
			if i < n {
				mag += math.Abs(float64(a[i] * b[i]))
			}
		}
		near := func(x, y float32) bool { return math.Abs(float64(x-y)) <= 1e-5*mag+1e-6 }
		if got, want := Dot(a, b), DotGo(a, b); !near(got, want) {
			t.Errorf("dot n=%d: %v vs %v", n, got, want)
		}
		var o1, o2 [4]float32
		Dot4(a, b, n+1, &o1)
		Dot4Go(a, b, n+1, &o2)
		for i := range o1 {
			if math.Abs(float64(o1[i]-o2[i])) > 1e-4*float64(n)+1e-6 {
				t.Errorf("dot4 n=%d row %d: %v vs %v", n, i, o1[i], o2[i])
			}
		}
		w1 := b[3*n+3:] // a second row (b is long enough for stride n+1 too)
		var p1, p2 [8]float32
		Dot2x4(a, w1, b, n, &p1)
		Dot2x4Go(a, w1, b, n, &p2)
		for i := range p1 {
			if math.Abs(float64(p1[i]-p2[i])) > 1e-4*float64(n)+1e-6 {
				t.Errorf("dot2x4 n=%d out %d: %v vs %v", n, i, p1[i], p2[i])
			}
		}
		for _, k := range dot2x4Kernels() { // every kernel this CPU has, not only the one in use
			var p3 [8]float32
			k.fn(a, w1, b, n, &p3)
			for i := range p3 {
				if math.Abs(float64(p3[i]-p2[i])) > 1e-4*float64(n)+1e-6 {
					t.Errorf("dot2x4 %s n=%d out %d: %v vs %v", k.name, n, i, p3[i], p2[i])
				}
			}
		}
		if want := DotGo(w1[:n], b[2*n:3*n]); math.Abs(float64(p1[6]-want)) > 1e-4*float64(n)+1e-6 {
			t.Errorf("dot2x4 n=%d: row 1 vector 2 is %v, a plain dot product %v", n, p1[6], want)
		}
		y1, y2 := append([]float32(nil), b[:n]...), append([]float32(nil), b[:n]...)
		Axpy(-0.7, a, y1)
		AxpyGo(-0.7, a, y2)
		for i := range y1 {
			if math.Abs(float64(y1[i]-y2[i])) > 1e-6 {
				t.Fatalf("axpy n=%d at %d: %v vs %v", n, i, y1[i], y2[i])
			}
		}
		if got, want := DotI8(ai, bi), DotI8Go(ai, bi); got != want {
			t.Errorf("int8 dot n=%d: %d vs %d", n, got, want)
		}
	}
	var empty [8]float32
	empty[3] = 1
	Dot2x4(nil, nil, nil, 0, &empty)
	if empty != [8]float32{} {
		t.Errorf("dot2x4 of empty rows: %v", empty)
	}
	// Extremes: ±127 everywhere must not saturate.
	hi, lo := make([]int8, 64), make([]int8, 64)
	for i := range hi {
		hi[i], lo[i] = 127, -127
	}
	if got := DotI8(hi, lo); got != -127*127*64 {
		t.Errorf("extremes: %d", got)
	}
}

// BenchmarkDotI8 measures the int8 dot product of two 384-value vectors,
// the vector-search inner loop.
func BenchmarkDotI8(b *testing.B) {
	x, y := make([]int8, 384), make([]int8, 384)
	for i := range x {
		x[i], y[i] = int8(i%255-127), int8((i*7)%255-127)
	}
	var s int32
	for b.Loop() {
		s += DotI8(x, y)
	}
	_ = s
}

// namedDot2x4 is one Dot2x4 kernel, for tests that try each.
type namedDot2x4 struct {
	name string
	fn   func(w0, w1, x []float32, stride int, out *[8]float32)
}

// BenchmarkDot2x4 measures the batched float kernel (2 rows × 4 vectors of
// 1024 values, in cache) for each kernel this CPU has; flops/ns is its
// arithmetic rate.
func BenchmarkDot2x4(b *testing.B) {
	const n = 1024
	rng := rand.New(rand.NewSource(2))
	v := make([]float32, 6*n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	ks := append([]namedDot2x4{{"go", Dot2x4Go}}, dot2x4Kernels()...)
	for _, k := range ks {
		b.Run(k.name, func(b *testing.B) {
			var o [8]float32
			for b.Loop() {
				k.fn(v[:n], v[n:2*n], v[2*n:], n, &o)
			}
			b.ReportMetric(float64(2*8*n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "flops/ns")
		})
	}
}

// TestSiLUMul checks SiLUMul against the float64 formula on every tail
// length, on gates from −100 to 100 (where e^−g overflows a float32 and
// the clamp takes over) and zero.
func TestSiLUMul(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, n := range []int{1, 7, 8, 9, 16, 23, 8192} {
		gate, up, dst := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range gate {
			gate[i] = float32(rng.NormFloat64() * 4)
			if i%5 == 1 {
				gate[i] = float32(rng.Float64()*200 - 100)
			}
			up[i] = float32(rng.NormFloat64())
		}
		gate[0] = 0
		SiLUMul(dst, gate, up)
		for i, g := range gate {
			want := float64(g) / (1 + math.Exp(-float64(g))) * float64(up[i])
			if math.Abs(float64(dst[i])-want) > 1e-6*math.Abs(want)+1e-30 {
				t.Fatalf("n=%d: SiLU(%g)·%g = %g, want %g (accelerated %v)", n, g, up[i], dst[i], want, Accelerated)
			}
		}
	}
}
