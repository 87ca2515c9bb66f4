package gptj

import (
	"math"
	"math/rand"
	"testing"
	"time"
)

// kernelInputs returns weights in every type for one row of n values and
// a matching activation vector, both random.
func kernelInputs(rng *rand.Rand, n int) (rows map[WType][]byte, x []float32) {
	v := make([]float32, n)
	x = make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
		x[i] = float32(rng.NormFloat64() * 3)
	}
	if n > 7 {
		v[3], x[5] = 0, 0 // zeros take the sign path's other branch
	}
	rows = map[WType][]byte{}
	for _, t := range []WType{F32, F16, Q8_0, Q4_0} {
		if (t == Q8_0 || t == Q4_0) && n%qk != 0 {
			continue
		}
		m, err := newMatrix(t, 1, n)
		if err != nil {
			panic(err)
		}
		m.setRow(0, v)
		rows[t] = m.data
	}
	return rows, x
}

func close32(a, b float32, scale float64) bool {
	return math.Abs(float64(a)-float64(b)) <= 1e-5*scale+1e-6
}

// TestQuantizedDotIsClose checks that a Q8_0 activation times quantized
// weights stays near the float product of the decoded weights.
func TestQuantizedDotIsClose(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	const n = 4096
	rows, x := kernelInputs(rng, n)
	a := newActQ8(n)
	a.quantize(x)
	for _, wt := range []WType{Q8_0, Q4_0} {
		m := &Matrix{Rows: 1, Cols: n, Type: wt, data: rows[wt]}
		w := make([]float32, n)
		m.Row(0, w)
		var exact, mag float64
		for i := range w {
			exact += float64(w[i]) * float64(x[i])
			mag += math.Abs(float64(w[i]) * float64(x[i]))
		}
		f := dotQ8
		if wt == Q4_0 {
			f = dotQ4
		}
		got := f(rows[wt], &a, 0, n/qk)
		if rel := math.Abs(float64(got)-exact) / mag; rel > 0.01 {
			t.Errorf("%v: %v vs exact %v (error %.3g of the magnitude)", wt, got, exact, rel)
		}
	}
}

// TestActivationQuantization checks the Q8_0 activation blocks: the
// largest value of each block maps to ±127 and every value is within half
// a step.
func TestActivationQuantization(t *testing.T) {
	x := make([]float32, 64)
	for i := range x {
		x[i] = float32(i%32) - 10
	}
	x[40] = -50
	a := newActQ8(len(x))
	a.quantize(x)
	if a.qs[31] != 127 || a.qs[40] != -127 {
		t.Fatalf("block maxima: %d, %d", a.qs[31], a.qs[40])
	}
	for i, v := range x {
		d := a.d[i/qk]
		if math.Abs(float64(a.qs[i])*float64(d)-float64(v)) > float64(d)/2+1e-6 {
			t.Errorf("value %d: %v quantized to %d×%v", i, v, a.qs[i], d)
		}
	}
	// Rounding is math.Round's (half away from zero), exact halves
	// included, and the unsigned and paired forms hold the same values.
	rng := rand.New(rand.NewSource(9))
	y := make([]float32, 32*33)
	for i := range y {
		y[i] = float32(rng.NormFloat64())
	}
	for i := 0; i < 32; i++ { // block 32: every value an exact half step
		y[32*32+i] = float32(i-16) + 0.5
	}
	y[32*32+31] = 127
	b := newActQ8(len(y))
	b.us, b.p4 = make([]byte, len(y)), make([]int8, len(y))
	b.quantize(y)
	for i, v := range y {
		d := b.d[i/qk]
		if want := int8(math.Round(float64(v * (1 / d)))); b.qs[i] != want {
			t.Fatalf("value %d (%v): quantized to %d, math.Round gives %d", i, v, b.qs[i], want)
		}
		if int(b.us[i]) != int(b.qs[i])+128 {
			t.Fatalf("unsigned value %d: %d for %d", i, b.us[i], b.qs[i])
		}
	}
	for blk := 0; blk+1 < len(y)/qk; blk += 2 {
		for j := 0; j < 16; j++ {
			p := b.p4[blk*qk:]
			if p[j] != b.qs[blk*qk+j] || p[16+j] != b.qs[(blk+1)*qk+j] || p[32+j] != b.qs[blk*qk+16+j] || p[48+j] != b.qs[(blk+1)*qk+16+j] {
				t.Fatalf("paired blocks %d,%d wrong at %d", blk, blk+1, j)
			}
		}
	}
	if got, want := b.p4[32*32:], b.qs[32*32:]; string(int8s(got)) != string(int8s(want)) {
		t.Errorf("last odd block not copied as it is")
	}
	zero := newActQ8(32)
	zero.quantize(make([]float32, 32))
	if zero.d[0] != 0 || zero.qs[0] != 0 {
		t.Errorf("zeros: %v %v", zero.d[0], zero.qs[0])
	}
}

func int8s(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// BenchmarkKernels measures each dot product on one 4096-wide row that
// stays in cache (compute speed; the model benchmark measures memory).
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	const n = 4096
	rows, x := kernelInputs(rng, n)
	a := newActQ8(n)
	a.quantize(x)
	sets := []struct {
		name string
		on   bool
	}{{"go", true}, {Kernels(), Kernels() != "go"}}
	for _, set := range sets {
		if !set.on {
			continue
		}
		var restore func()
		if set.name == "go" {
			restore = useGoKernels()
		}
		q8, q4, f32 := dotQ8, dotQ4, dotF32B
		if restore != nil {
			restore()
		}
		var sink float32
		b.Run("q8_0/"+set.name, func(b *testing.B) {
			b.SetBytes(int64(len(rows[Q8_0])))
			for b.Loop() {
				sink += q8(rows[Q8_0], &a, 0, n/qk)
			}
		})
		b.Run("q4_0/"+set.name, func(b *testing.B) {
			b.SetBytes(int64(len(rows[Q4_0])))
			for b.Loop() {
				sink += q4(rows[Q4_0], &a, 0, n/qk)
			}
		})
		b.Run("f32/"+set.name, func(b *testing.B) {
			b.SetBytes(int64(len(rows[F32])))
			for b.Loop() {
				sink += f32(rows[F32], x)
			}
		})
		_ = sink
	}
}

// BenchmarkMatVec streams a 16384×4096 matrix (larger than any cache)
// through a 2-thread product per iteration, as generation does: MB/s is
// the memory bandwidth the kernels reach.
func BenchmarkMatVec(b *testing.B) {
	const rows, cols = 16384, 4096
	rng := rand.New(rand.NewSource(4))
	x := make([]float32, cols)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	row := make([]float32, cols)
	for _, wt := range []WType{F16, Q8_0, Q4_0} {
		m, err := newMatrix(wt, rows, cols)
		if err != nil {
			b.Fatal(err)
		}
		for r := 0; r < rows; r++ {
			for i := range row {
				row[i] = float32(rng.NormFloat64())
			}
			m.setRow(r, row)
		}
		s := (&Model{Config: Config{NEmbd: cols, NCtx: 1, NVocab: 1}}).NewStateThreads(1, 2)
		a := newActQ8(cols)
		a.quantize(x)
		out := make([]float32, rows)
		b.Run(wt.String(), func(b *testing.B) {
			b.SetBytes(int64(len(m.data)))
			for b.Loop() {
				s.mul(m, out, x, &a, 1)
			}
		})
		s.Close()
	}
}

// TestBatchedProductMatchesRows checks the batched (prompt) product, with
// its column passes, groups of four and leftovers, against one product
// per vector, for every weight type and both kernel sets.
func TestBatchedProductMatchesRows(t *testing.T) {
	const rows, cols, batch = 37, 4640, 7 // 145 blocks: 18 groups and one more; two quantized passes
	rng := rand.New(rand.NewSource(5))
	x := make([]float32, batch*cols)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	row := make([]float32, cols)
	for _, goKernels := range []bool{false, true} {
		if goKernels {
			defer useGoKernels()()
		}
		for _, wt := range []WType{F32, F16, Q8_0, Q4_0} {
			m, err := newMatrix(wt, rows, cols)
			if err != nil {
				t.Fatal(err)
			}
			for r := 0; r < rows; r++ {
				for i := range row {
					row[i] = float32(rng.NormFloat64())
				}
				m.setRow(r, row)
			}
			s := (&Model{Config: Config{NEmbd: cols, NCtx: 1, NVocab: 1}}).NewStateThreads(1, 2)
			for _, bt := range []int{batch, 18} { // 18: a group of 16 packed vectors and a padded one
				xs := x
				for len(xs) < bt*cols {
					xs = append(xs[:len(xs):len(xs)], x...)
				}
				xs = xs[:bt*cols]
				a := newActQ8(bt * cols)
				a.quantizeRows(xs, cols) // packed where gemmQ8 runs
				got := make([]float32, bt*rows)
				s.mul(m, got, xs, &a, bt)
				for b := 0; b < bt; b++ {
					want := make([]float32, rows)
					m.MatVec(want, xs[b*cols:(b+1)*cols])
					for r := range want {
						if !close32(got[b*rows+r], want[r], 4*cols) {
							t.Fatalf("%v (%s kernels) batch %d vector %d row %d: batched %v, alone %v", wt, Kernels(), bt, b, r, got[b*rows+r], want[r])
						}
					}
				}
			}
			s.Close()
		}
	}
}

// TestForwardKernelsAgree runs a small model through the whole forward
// pass with the assembly kernels and with the Go ones.
func TestForwardKernelsAgree(t *testing.T) {
	if Kernels() == "go" {
		t.Skip("only the Go kernels run on this CPU")
	}
	c := Config{NVocab: 300, NCtx: 96, NEmbd: 256, NHead: 4, NLayer: 2, NRot: 16, Eps: 1e-5}
	tokens := make([]int, 70)
	for i := range tokens {
		tokens[i] = (i*37 + 5) % c.NVocab
	}
	for _, wt := range []WType{F32, F16, Q8_0, Q4_0} {
		m, err := RandomModel(c, wt, 21)
		if err != nil {
			t.Fatal(err)
		}
		run := func() []float32 {
			s := m.NewStateThreads(0, 2)
			defer s.Close()
			if _, err := s.Eval(tokens[:66]); err != nil { // a batch of 64, then 2
				t.Fatal(err)
			}
			out, err := s.Eval(tokens[66:67])
			if err != nil {
				t.Fatal(err)
			}
			return append([]float32(nil), out...)
		}
		asm := run()
		restore := useGoKernels()
		ref := run()
		restore()
		var num, den float64
		for i := range ref {
			num += float64((asm[i] - ref[i]) * (asm[i] - ref[i]))
			den += float64(ref[i] * ref[i])
		}
		// Quantized types re-quantize activations at every layer and keep
		// the cache in half precision, where a last-bit difference in the
		// summation order can move a value across a rounding step. The
		// limits are still far below the types' own error against F32
		// weights (Q8_0 ~0.01, Q4_0 ~0.2).
		limit := map[WType]float64{F32: 1e-5, F16: 1e-4, Q8_0: 2e-3, Q4_0: 5e-3}[wt]
		if rel := math.Sqrt(num / den); rel > limit || den == 0 {
			t.Errorf("%v: assembly and Go logits differ by %.2e (relative)", wt, rel)
		}
	}
}

// BenchmarkGenerationBandwidth runs the products of one generated token
// over weights as large as the 6B-shaped 2-layer model's (13 matrices of
// 16384×4096, beyond any cache) on 2 threads, and measures in the same run
// how long a plain read of the same bytes takes (one stream per thread,
// and five): vs_floor and vs_floor5 are generation against them.
func BenchmarkGenerationBandwidth(b *testing.B) {
	const rows, cols = 16384, 4096
	rng := rand.New(rand.NewSource(6))
	x := make([]float32, cols)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	row := make([]float32, cols)
	for _, wt := range []WType{F16, Q8_0, Q4_0} {
		first, err := newMatrix(wt, rows, cols)
		if err != nil {
			b.Fatal(err)
		}
		for r := 0; r < rows; r++ {
			for i := range row {
				row[i] = float32(rng.NormFloat64())
			}
			first.setRow(r, row)
		}
		mats := []*Matrix{first}
		for len(mats) < 13 {
			m, _ := newMatrix(wt, rows, cols)
			copy(m.data, first.data)
			mats = append(mats, m)
		}
		model := &Model{Config: Config{NEmbd: cols, NCtx: 1, NVocab: 1}, lmHead: mats[0]}
		for i := 1; i+6 <= len(mats); i += 6 {
			model.layers = append(model.layers, layer{q: mats[i], k: mats[i+1], v: mats[i+2], out: mats[i+3], fcIn: mats[i+4], fcOut: mats[i+5]})
		}
		s := model.NewStateThreads(1, 2)
		a := newActQ8(cols)
		a.quantize(x)
		out := make([]float32, rows)
		b.Run(wt.String(), func(b *testing.B) {
			b.SetBytes(int64(len(mats)) * int64(len(first.data)))
			var floor, floor5 time.Duration
			for b.Loop() {
				for _, m := range mats {
					s.mul(m, out, x, &a, 1)
				}
				b.StopTimer()
				floor += model.ReadFloor(2, false)
				floor5 += model.ReadFloor(2, true)
				b.StartTimer()
			}
			per := float64(b.Elapsed()) / float64(b.N)
			b.ReportMetric(per/1e6, "ms/token")
			b.ReportMetric(per/(float64(floor)/float64(b.N)), "vs_floor")
			b.ReportMetric(per/(float64(floor5)/float64(b.N)), "vs_floor5")
		})
		s.Close()
	}
}

// TestGELU checks the float32 GELU against the float64 formula with
// math.Tanh, from deep in the negative tail to large positive values.
func TestGELU(t *testing.T) {
	ref := func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(0.7978845608028654*(x+0.044715*x*x*x)))
	}
	worst := 0.0
	for x := float32(-60); x <= 60; x += 0.00137 {
		got, want := float64(gelu(x)), ref(float64(x))
		if err := math.Abs(got-want) / math.Max(1, math.Abs(want)); err > worst {
			worst = err
		}
	}
	for _, x := range []float32{0, -0, 1e-30, -1e-30, 3.4e38, -3.4e38} {
		if got, want := float64(gelu(x)), ref(float64(x)); math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("gelu(%v) = %v, want %v", x, got, want)
		}
	}
	if worst > 1e-6 {
		t.Errorf("largest error %.2e (relative to max(1, |gelu|))", worst)
	}
	t.Logf("largest error %.2e", worst)
	if got := exp32(0); got != 1 {
		t.Errorf("exp32(0) = %v", got)
	}
}
