package gptj

import (
	"math"
	"math/rand"
	"testing"

	"sidecar/backend/simd"
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

// TestKernelsAgree checks the assembly kernels against the Go ones on many
// lengths, including ones that leave a tail for the Go code.
func TestKernelsAgree(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2/FMA/F16C on this CPU: only the Go kernels run here")
	}
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 96, 100, 256, 416, 4096, 4096 + 32, 16384} {
		rows, x := kernelInputs(rng, n)
		var mag float64
		for _, v := range x {
			mag += math.Abs(float64(v))
		}
		if got, want := dotF16Asm(rows[F16], x), dotF16Go(rows[F16], x); !close32(got, want, mag) {
			t.Errorf("f16 n=%d: asm %v, go %v", n, got, want)
		}
		if got, want := dotF32BytesAsm(rows[F32], x), dotF32BytesGo(rows[F32], x); !close32(got, want, mag) {
			t.Errorf("f32 n=%d: asm %v, go %v", n, got, want)
		}
		xs := make([]float32, 4*n+3)
		for i := range xs {
			xs[i] = float32(rng.NormFloat64())
		}
		var o1, o2 [4]float32
		simd.Dot4(x, xs, n+1, &o1)
		dot4Go(x, xs, n+1, &o2)
		for i := range o1 {
			if !close32(o1[i], o2[i], mag*3) {
				t.Errorf("dot4 n=%d row %d: asm %v, go %v", n, i, o1[i], o2[i])
			}
		}
		y1 := append([]float32(nil), x...)
		y2 := append([]float32(nil), x...)
		simd.Axpy(0.37, x[:len(x)/2+1], y1)
		axpyGo(0.37, x[:len(x)/2+1], y2)
		for i := range y1 {
			if !close32(y1[i], y2[i], 1) {
				t.Fatalf("axpy n=%d at %d: asm %v, go %v", n, i, y1[i], y2[i])
			}
		}
		var p1, p2 [2]float32
		other, _ := kernelInputs(rand.New(rand.NewSource(int64(n))), n)
		dot2F16Asm(rows[F16], other[F16], x, &p1)
		dot2F16Go(rows[F16], other[F16], x, &p2)
		if !close32(p1[0], p2[0], mag) || !close32(p1[1], p2[1], mag) || !close32(p1[1], dotF16Go(other[F16], x), mag) {
			t.Errorf("dot2 f16 n=%d: asm %v, go %v", n, p1, p2)
		}
		z1 := append([]float32(nil), x...)
		z2 := append([]float32(nil), x...)
		axpyF16Asm(-1.5, rows[F16], z1)
		axpyF16Go(-1.5, rows[F16], z2)
		for i := range z1 {
			if !close32(z1[i], z2[i], 1) {
				t.Fatalf("axpy f16 n=%d at %d: asm %v, go %v", n, i, z1[i], z2[i])
			}
		}
		d1, d2 := make([]float32, n), make([]float32, n)
		f16RowAsm(d1, rows[F16])
		f16RowGo(d2, rows[F16])
		for i := range d1 {
			if math.Float32bits(d1[i]) != math.Float32bits(d2[i]) {
				t.Fatalf("f16 row n=%d at %d: asm %v, go %v", n, i, d1[i], d2[i])
			}
		}
		if n%qk != 0 {
			continue
		}
		a := newActQ8(n)
		a.quantize(x)
		for _, set := range quantKernelSets() { // AVX2, and VNNI where the CPU has it
			restore := set.use()
			for _, wt := range []WType{Q8_0, Q4_0} {
				asm, gof := dotQ8Asm, dotQ8Go
				if wt == Q4_0 {
					asm, gof = dotQ4Asm, dotQ4Go
				}
				got, want := asm(rows[wt], &a, 0, n/qk), gof(rows[wt], &a, 0, n/qk)
				if !close32(got, want, mag) {
					t.Errorf("%v %s n=%d: asm %v, go %v", wt, set.name, n, got, want)
				}
			}
			restore()
		}
		if dotQ8U != nil { // unsigned activations with per-block weight sums
			corr := make([]int32, n/qk)
			sumQ8(rows[Q8_0], n/qk, corr)
			if got, want := dotQ8U(rows[Q8_0], &a, 0, n/qk, corr), dotQ8Go(rows[Q8_0], &a, 0, n/qk); !close32(got, want, mag) {
				t.Errorf("q8_0 unsigned n=%d: asm %v, go %v", n, got, want)
			}
		}
		if nb := n / qk; unpackQ4 != nil && nb >= group { // Q4_0 unpacked to Q8_0, the tail as Q4_0
			whole := nb / group * group
			u, corr := make([]byte, whole*34), make([]int32, whole)
			unpackQ4(rows[Q4_0], whole, u)
			sumQ8(u, whole, corr)
			got := dotQ8U(u, &a, 0, whole, corr)
			if whole < nb {
				got += dotQ4Go(rows[Q4_0][whole*18:], &a, whole, nb-whole)
			}
			if want := dotQ4Go(rows[Q4_0], &a, 0, nb); !close32(got, want, mag) {
				t.Errorf("q4_0 unpacked n=%d: asm %v, go %v", n, got, want)
			}
		}
	}
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
	zero := newActQ8(32)
	zero.quantize(make([]float32, 32))
	if zero.d[0] != 0 || zero.qs[0] != 0 {
		t.Errorf("zeros: %v %v", zero.d[0], zero.qs[0])
	}
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
	}{{"go", true}, {"avx2", hasAVX2}}
	for _, set := range sets {
		if !set.on {
			continue
		}
		var restore func()
		if set.name == "go" {
			restore = useGoKernels()
		}
		q8, q4, f16, f32 := dotQ8, dotQ4, dotF16, dotF32B
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
		b.Run("f16/"+set.name, func(b *testing.B) {
			b.SetBytes(int64(len(rows[F16])))
			for b.Loop() {
				sink += f16(rows[F16], x)
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
			a := newActQ8(batch * cols)
			a.quantize(x)
			got := make([]float32, batch*rows)
			s.mul(m, got, x, &a, batch)
			s.Close()
			for b := 0; b < batch; b++ {
				want := make([]float32, rows)
				m.MatVec(want, x[b*cols:(b+1)*cols])
				for r := range want {
					if !close32(got[b*rows+r], want[r], 4*cols) {
						t.Fatalf("%v (%s kernels) vector %d row %d: batched %v, alone %v", wt, Kernels(), b, r, got[b*rows+r], want[r])
					}
				}
			}
		}
	}
}

// TestForwardKernelsAgree runs a small model through the whole forward
// pass with the assembly kernels and with the Go ones.
func TestForwardKernelsAgree(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2/FMA/F16C on this CPU: only the Go kernels run here")
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
